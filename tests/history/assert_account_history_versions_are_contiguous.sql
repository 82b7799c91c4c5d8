{#- Each account's versions follow each other: a version ends exactly when the next begins, and only
    the last one is current. -#}

with

history as (
    select
        account_id,
        version_number,
        valid_from,
        valid_to,
        is_current,
        lead(valid_from) over (partition by account_id order by version_number) as next_valid_from
    from {{ ref('dim_account_status_history') }}
)

select *
from history
where
    (next_valid_from is not null and (valid_to <> next_valid_from or is_current))
    or (next_valid_from is null and not is_current)
    or valid_to <= valid_from

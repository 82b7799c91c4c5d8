{#-
    Account status history (SCD type 2) from the snap_accounts snapshot: one row per account and
    version, valid over [valid_from, valid_to). The current version has valid_to 9999-12-31.
-#}

with

versions as (
    select * from {{ ref('snap_accounts') }}
),

final as (
    select
        cast(account_id as bigint) as account_id,
        cast(customer_id as bigint) as customer_id,
        cast(account_number as {{ dbt.type_string() }}) as account_number,
        cast(account_type as {{ dbt.type_string() }}) as account_type,
        cast(account_status as {{ dbt.type_string() }}) as account_status,
        cast(row_number() over (partition by account_id order by dbt_valid_from) as integer) as version_number,
        cast(dbt_valid_from as timestamp) as valid_from,
        cast(dbt_valid_to as timestamp) as valid_to,
        cast(dbt_valid_to = cast('9999-12-31 00:00:00' as timestamp) as boolean) as is_current
    from versions
)

select * from final

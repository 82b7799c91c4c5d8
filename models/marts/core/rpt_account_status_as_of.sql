{#-
    Every account's status as of one moment: the end of the day `as_of_date` (a dbt var, YYYY-MM-DD).
    Without the var it is the last day with transactions. For another day:
    dbt run --select rpt_account_status_as_of --vars '{as_of_date: 2026-10-15}'
    Accounts opened after that moment are left out; an account's first recorded version also
    stands for the time before it was recorded.
-#}

{%- set as_of = var('as_of_date', none) %}

with

history as (
    select * from {{ ref('dim_account_status_history') }}
),

accounts as (
    select
        account_id,
        opened_at
    from {{ ref('dim_accounts') }}
),

as_of as (
    select
        {% if as_of -%}
            cast('{{ as_of }}' as date)
        {%- else -%}
            max(transaction_date)
        {%- endif %} as as_of_date
    from {{ ref('fct_transactions') }}
),

moment as (
    select
        as_of_date,
        {{ dbt.dateadd('day', 1, 'as_of_date') }} as moment_at
    from as_of
),

final as (
    select
        cast(moment.as_of_date as date) as as_of_date,
        cast(history.account_id as bigint) as account_id,
        cast(history.customer_id as bigint) as customer_id,
        cast(history.account_status as {{ dbt.type_string() }}) as account_status,
        cast(case when history.version_number = 1 then null else history.valid_from end as timestamp)
            as status_since,
        cast(history.version_number as integer) as version_number
    from history
    cross join moment
    inner join accounts
        on history.account_id = accounts.account_id
    where
        accounts.opened_at < moment.moment_at
        and (history.version_number = 1 or history.valid_from < moment.moment_at)
        and history.valid_to >= moment.moment_at
)

select * from final

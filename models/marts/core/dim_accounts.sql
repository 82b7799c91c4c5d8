with

accounts as (
    select * from {{ ref('int_accounts_clean') }}
),

customers as (
    select * from {{ ref('int_customers_clean') }}
),

activity as (
    select
        from_account_id as account_id,
        sum(transaction_count) as transaction_count,
        min(first_transacted_at) as first_transaction_at,
        max(last_transacted_at) as last_transaction_at
    from {{ ref('int_account_daily_activity') }}
    group by from_account_id
),

ledger as (
    -- the ledger's latest closing balance per account (fct_account_daily_balances)
    select
        account_id,
        closing_balance_vnd
    from (
        select
            account_id,
            closing_balance_vnd,
            row_number() over (partition by account_id order by balance_date desc) as recency
        from {{ ref('fct_account_daily_balances') }}
    ) as balances
    where recency = 1
),

final as (
    select
        cast(accounts.account_id as bigint) as account_id,
        cast(accounts.customer_id as bigint) as customer_id,
        cast(accounts.account_number as {{ dbt.type_string() }}) as account_number,
        cast(accounts.account_type as {{ dbt.type_string() }}) as account_type,
        cast(accounts.currency_code as {{ dbt.type_string() }}) as currency_code,
        cast(accounts.account_status as {{ dbt.type_string() }}) as account_status,
        cast(customers.customer_type as {{ dbt.type_string() }}) as customer_type,
        cast(accounts.balance_vnd as numeric(24, 2)) as balance_vnd,
        cast(coalesce(activity.transaction_count, 0) as integer) as transaction_count,
        cast(accounts.opened_at as timestamp) as opened_at,
        cast(activity.first_transaction_at as timestamp) as first_transaction_at,
        cast(activity.last_transaction_at as timestamp) as last_transaction_at,
        cast(accounts.updated_at as timestamp) as updated_at,
        cast(accounts.opening_balance_vnd as numeric(24, 2)) as opening_balance_vnd,
        cast(accounts.balance_at as timestamp) as balance_at,
        cast(coalesce(ledger.closing_balance_vnd, accounts.opening_balance_vnd) as numeric(24, 2)) as ledger_balance_vnd
    from accounts
    left join customers
        on accounts.customer_id = customers.customer_id
    left join activity
        on accounts.account_id = activity.account_id
    left join ledger
        on accounts.account_id = ledger.account_id
)

select * from final

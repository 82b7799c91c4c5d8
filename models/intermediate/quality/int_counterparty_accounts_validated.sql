{{ config(materialized='table') }}

with

counterparty_accounts as (
    select * from {{ ref('stg_interbank__counterparty_accounts') }}
),

counterparty_customers as (
    select counterparty_customer_id from {{ ref('int_counterparty_customers_clean') }}
),

banks as (
    select bank_code from {{ ref('banks') }}
),

checked as (
    select
        counterparty_accounts.*,
        case
            when
                counterparty_accounts.counterparty_account_id is null
                or counterparty_accounts.counterparty_customer_id is null
                or counterparty_accounts.bank_code is null or counterparty_accounts.account_number is null
                then 'missing_required_field'
        end as check_reason,
        counterparty_customers.counterparty_customer_id is null or banks.bank_code is null as is_orphan
    from counterparty_accounts
    left join counterparty_customers
        on counterparty_accounts.counterparty_customer_id = counterparty_customers.counterparty_customer_id
    left join banks
        on counterparty_accounts.bank_code = banks.bank_code
),

keyed as (
    select
        *,
        row_number() over (
            partition by counterparty_account_id, check_reason is null order by account_number
        ) as key_copy
    from checked
),

identified as (
    select
        *,
        row_number() over (
            partition by account_number, check_reason is null and key_copy = 1 order by counterparty_account_id
        ) as number_copy
    from keyed
),

final as (
    select
        counterparty_account_id,
        counterparty_customer_id,
        bank_code,
        account_number,
        currency_code,
        case
            when check_reason is not null then check_reason
            when key_copy > 1 then 'duplicate_key'
            when number_copy > 1 then 'duplicate_identifier'
            when is_orphan then 'orphan_reference'
        end as dq_reason
    from identified
)

select * from final

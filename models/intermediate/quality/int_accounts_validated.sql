{{ config(materialized='table') }}

with

accounts as (
    select * from {{ ref('stg_core_banking__accounts') }}
),

customers as (
    select customer_id from {{ ref('int_customers_clean') }}
),

checked as (
    select
        accounts.*,
        case
            when
                accounts.account_id is null or accounts.customer_id is null or accounts.account_number is null
                or accounts.account_type is null or accounts.currency_code is null or accounts.balance_vnd is null
                or accounts.opening_balance_vnd is null or accounts.balance_at is null
                or accounts.account_status is null or accounts.opened_at is null
                then 'missing_required_field'
            when
                accounts.account_type not in ('checking', 'savings', 'ewallet')
                or accounts.account_status not in ('active', 'inactive', 'frozen', 'closed')
                or accounts.currency_code <> 'VND'
                then 'unknown_value'
            when accounts.balance_vnd < 0 or accounts.opening_balance_vnd < 0 then 'invalid_amount'
        end as check_reason,
        customers.customer_id is null as is_orphan
    from accounts
    left join customers
        on accounts.customer_id = customers.customer_id
),

keyed as (
    select
        *,
        row_number() over (partition by account_id, check_reason is null order by opened_at) as key_copy
    from checked
),

identified as (
    select
        *,
        row_number() over (
            partition by account_number, check_reason is null and key_copy = 1 order by account_id
        ) as number_copy
    from keyed
),

final as (
    select
        account_id,
        customer_id,
        account_number,
        account_type,
        currency_code,
        balance_vnd,
        opening_balance_vnd,
        balance_at,
        account_status,
        opened_at,
        updated_at,
        case
            when check_reason is not null then check_reason
            when key_copy > 1 then 'duplicate_key'
            when number_copy > 1 then 'duplicate_identifier'
            when is_orphan then 'orphan_reference'
        end as dq_reason
    from identified
)

select * from final

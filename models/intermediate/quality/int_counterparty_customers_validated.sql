{{ config(materialized='table') }}

with

counterparty_customers as (
    select * from {{ ref('stg_interbank__counterparty_customers') }}
),

banks as (
    select bank_code from {{ ref('banks') }}
),

checked as (
    select
        counterparty_customers.*,
        case
            when counterparty_customers.counterparty_customer_id is null or counterparty_customers.bank_code is null
                then 'missing_required_field'
            when counterparty_customers.customer_type not in ('individual', 'organization') then 'unknown_value'
        end as check_reason,
        banks.bank_code is null as is_orphan
    from counterparty_customers
    left join banks
        on counterparty_customers.bank_code = banks.bank_code
),

keyed as (
    select
        *,
        row_number() over (
            partition by counterparty_customer_id, check_reason is null order by full_name
        ) as key_copy
    from checked
),

final as (
    select
        counterparty_customer_id,
        bank_code,
        customer_type,
        full_name,
        country_code,
        case
            when check_reason is not null then check_reason
            when key_copy > 1 then 'duplicate_key'
            when is_orphan then 'orphan_reference'
        end as dq_reason
    from keyed
)

select * from final

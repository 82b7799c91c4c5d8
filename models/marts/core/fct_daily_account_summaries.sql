{{ config(materialized='incremental', unique_key='summary_date') }}
{%- set cutoff = incremental_cutoff('summary_date') %}

{#-
    One row per source account and day with activity. Amounts are summed at this grain directly
    from the transactions, never by joining daily totals back to transactions (the case study's
    mistake that inflated totals).
-#}

with

transactions as (
    select * from {{ ref('fct_transactions') }}
    where transaction_date >= {{ cutoff }}
),

final as (
    select
        cast(from_account_id as bigint) as account_id,
        cast(transaction_date as date) as summary_date,
        cast(max(customer_id) as bigint) as customer_id,
        cast(max(customer_type) as {{ dbt.type_string() }}) as customer_type,
        cast(count(*) as integer) as transaction_count,
        cast(sum(case when is_completed then 1 else 0 end) as integer) as completed_count,
        cast(sum(case when transaction_status = 'failed' then 1 else 0 end) as integer) as failed_count,
        cast(sum(case when transaction_status = 'cancelled' then 1 else 0 end) as integer) as cancelled_count,
        cast(sum(case when is_completed then amount_vnd else 0 end) as numeric(24, 2)) as completed_amount_vnd,
        {%- for level in ['A', 'B', 'C', 'D'] %}
            cast(
                sum(case when is_completed and required_level = '{{ level }}' then amount_vnd else 0 end)
                as numeric(24, 2)
            ) as level_{{ level | lower }}_amount_vnd,
        {%- endfor %}
        cast(sum(case when achieved_level in ('C', 'D') then 1 else 0 end) as integer) as strong_auth_count,
        cast(sum(case when has_biometric_match then 1 else 0 end) as integer) as biometric_match_count,
        cast(sum(case when is_executed and not is_compliant then 1 else 0 end) as integer) as breach_count,
        cast(sum(case when is_executed and not is_compliant then amount_vnd else 0 end) as numeric(24, 2))
            as breach_amount_vnd,
        cast(max(transacted_at) as timestamp) as last_transaction_at
    from transactions
    group by from_account_id, transaction_date
)

select * from final

{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}

{#-
    Leading digits of completed amounts counted per customer segment and day: what
    rpt_benford_first_digits sums per month. Incremental by day, so a daily run counts the rebuilt
    days instead of every amount in the history.
-#}

with

transactions as (
    select * from {{ ref('int_transactions_enriched') }}
    where is_completed and amount_vnd >= 10 and transaction_date >= {{ cutoff }}
),

leading_digits as (
    select
        customer_type as customer_segment,
        transaction_date,
        cast(left(cast(cast(amount_vnd as bigint) as {{ dbt.type_string() }}), 1) as integer) as first_digit
    from transactions
),

final as (
    select
        customer_segment,
        transaction_date,
        first_digit,
        count(*) as observed_count
    from leading_digits
    group by customer_segment, transaction_date, first_digit
)

select * from final

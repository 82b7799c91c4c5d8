{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}
{%- set history_start = days_before(cutoff, var('profile_history_days')) %}

{#-
    Velocity (docs/domain.md §6, velocity_burst): how many transactions the customer made in the
    fullest window of velocity_window_minutes that contains this one. Every transaction opens a
    window; a transaction belongs to each window opened at most velocity_window_minutes before it.
    Incremental by day; a rebuilt day reads profile_history_days of earlier days for its windows.
-#}

with

transactions as (
    select
        transaction_id,
        customer_id,
        transacted_at,
        transaction_date
    from {{ ref('int_transactions_enriched') }}
    where transaction_date >= {{ history_start }}
),

windows as (
    select
        *,
        -- the transactions in the window that opens at this one
        count(*) over (
            partition by customer_id order by transacted_at
            {{ seconds_range_frame(0, var('velocity_window_minutes') * 60) }}
        ) as velocity_window_count
    from transactions
),

bursts as (
    select
        *,
        max(velocity_window_count) over (
            partition by customer_id order by transacted_at
            {{ seconds_range_frame(var('velocity_window_minutes') * 60, 0) }}
        ) as velocity_count
    from windows
),

final as (
    select
        transaction_id,
        transaction_date,
        velocity_window_count,
        velocity_count
    from bursts
    where transaction_date >= {{ cutoff }}
)

select * from final

{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}
{%- set history_start = days_before(cutoff, var('profile_history_days')) %}

{#-
    Structuring (docs/domain.md §6): whether a transaction falls in the band just under the
    reporting amount ([structuring_min_amount_vnd, structuring_max_amount_vnd)) and how many of the
    customer's transfers to others fell in that band within structuring_window_hours either side of it.
    Incremental by day; a rebuilt day reads profile_history_days of earlier days for its windows.
-#}

with

transactions as (
    select
        transaction_id,
        customer_id,
        amount_vnd,
        is_transfer_to_other,
        transacted_at,
        transaction_date,
        amount_vnd >= {{ var('structuring_min_amount_vnd') }}
        and amount_vnd < {{ var('structuring_max_amount_vnd') }} as is_in_structuring_band
    from {{ ref('int_transactions_enriched') }}
    where transaction_date >= {{ history_start }}
),

windows as (
    select
        *,
        sum(case when is_in_structuring_band and is_transfer_to_other then 1 else 0 end) over (
            partition by customer_id order by transacted_at
            {{ seconds_range_frame(var('structuring_window_hours') * 3600, var('structuring_window_hours') * 3600) }}
        ) as structuring_band_count
    from transactions
),

final as (
    select
        transaction_id,
        transaction_date,
        is_in_structuring_band,
        structuring_band_count
    from windows
    where transaction_date >= {{ cutoff }}
)

select * from final

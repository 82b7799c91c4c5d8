{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}
{%- set history_start = days_before(cutoff, var('profile_history_days')) %}

{#-
    Dormant reactivation (docs/domain.md §6): a large transfer to others from an account at least
    dormant_min_account_age_days old whose previous transaction was dormant_quiet_days or more earlier
    reactivates it; that transfer and the account's transfers to others in the next 24 hours are
    flagged. The start of the data (its first transaction) stands in for a previous transaction the
    data does not hold.

    Incremental by day. The previous transaction comes from the rows read here (profile_history_days
    of earlier days) or, before them, from int_account_daily_activity, however old.
-#}

with

transactions as (
    select
        transaction_id,
        from_account_id,
        from_account_opened_at,
        amount_vnd,
        is_transfer_to_other,
        transacted_at,
        transaction_date
    from {{ ref('int_transactions_enriched') }}
    where transaction_date >= {{ history_start }}
),

data_start as (
    -- the first transaction of the first day (found by day first: an index lookup on PostgreSQL)
    select min(first_day.transacted_at) as data_starts_at
    from {{ ref('int_transactions_enriched') }} as first_day
    where
        first_day.transaction_date
        = (select min(all_days.transaction_date) from {{ ref('int_transactions_enriched') }} as all_days)
),

earlier_last_transactions as (
    -- each account's last transaction before the history read here (nothing on a full build)
    select
        activity.from_account_id,
        max(activity.last_transacted_at) as last_transacted_at
    from {{ ref('int_account_daily_activity') }} as activity
    where
        activity.transaction_date < {{ history_start }}
        and activity.from_account_id in (select transactions.from_account_id from transactions)
    group by activity.from_account_id
),

previous_transactions as (
    select
        transactions.*,
        data_start.data_starts_at,
        coalesce(
            lag(transactions.transacted_at) over (
                partition by transactions.from_account_id
                order by transactions.transacted_at, transactions.transaction_id
            ),
            earlier_last_transactions.last_transacted_at
        ) as previous_account_transaction_at
    from transactions
    cross join data_start
    left join earlier_last_transactions
        on transactions.from_account_id = earlier_last_transactions.from_account_id
),

reactivations as (
    select
        *,
        is_transfer_to_other
        and amount_vnd >= {{ var('dormant_min_amount_vnd') }}
        and from_account_opened_at
        <= {{ dbt.dateadd('day', -1 * var('dormant_min_account_age_days'), 'transacted_at') }}
        and coalesce(previous_account_transaction_at, data_starts_at)
        <= {{ dbt.dateadd('day', -1 * var('dormant_quiet_days'), 'transacted_at') }} as is_dormant_reactivation
    from previous_transactions
),

reactivation_marks as (
    select
        *,
        max(case when is_dormant_reactivation then transacted_at end) over (
            partition by from_account_id order by transacted_at, transaction_id
            rows between unbounded preceding and current row
        ) as last_reactivation_at
    from reactivations
),

final as (
    select
        transaction_id,
        transaction_date,
        previous_account_transaction_at,
        is_dormant_reactivation,
        last_reactivation_at,
        is_transfer_to_other
        and last_reactivation_at >= {{ dbt.dateadd('hour', -24, 'transacted_at') }} as is_after_dormant_reactivation
    from reactivation_marks
    where transaction_date >= {{ cutoff }}
)

select * from final

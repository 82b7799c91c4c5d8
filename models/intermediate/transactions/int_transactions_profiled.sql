{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}
{%- set history_start = days_before(cutoff, var('profile_history_days')) %}

{#-
    One row per transaction with everything the marts and the risk rules need: enrichment,
    authentication, SBV classification, and behavioural features computed from the transactions
    alone (never from fraud labels).

    Incremental by day. The features of a rebuilt day read `profile_history_days` (default 2) of
    earlier days: enough for every window below (velocity minutes, structuring hours, mule same-day,
    a device's first 24 hours, reactivation in the last 24 hours). Dormancy needs the account's
    previous transaction however old: before the history it comes from int_account_daily_activity.
    The start of the data is the first transaction of the first day.
-#}

with

enriched as (
    select * from {{ ref('int_transactions_enriched') }}
    where transaction_date >= {{ history_start }}
),

authenticated as (
    select * from {{ ref('int_transactions_authenticated') }}
    where transaction_date >= {{ history_start }}
),

classified as (
    select * from {{ ref('int_transactions_classified') }}
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
        and activity.from_account_id in (select enriched.from_account_id from enriched)
    group by activity.from_account_id
),

base as (
    select
        enriched.*,
        authenticated.achieved_level,
        authenticated.has_biometric_match,
        authenticated.has_successful_auth,
        authenticated.auth_attempt_count,
        authenticated.auth_failed_count,
        authenticated.auth_method_count,
        authenticated.first_auth_at,
        classified.required_level,
        classified.is_compliant,
        classified.daily_total_before_vnd,
        classified.unverified_total_before_vnd,
        enriched.transaction_type in (
            'transfer_same_bank_diff_owner',
            'transfer_interbank_domestic',
            'transfer_interbank_international',
            'ewallet_transfer'
        ) as is_transfer_to_other,
        enriched.transaction_status in ('completed', 'pending') as is_executed,
        enriched.amount_vnd >= {{ var('structuring_min_amount_vnd') }}
        and enriched.amount_vnd < {{ var('structuring_max_amount_vnd') }} as is_in_structuring_band
    from enriched
    inner join authenticated
        on enriched.transaction_id = authenticated.transaction_id
    inner join classified
        on enriched.transaction_id = classified.transaction_id
),

device_first_day as (
    -- failed authentication seen on a device during its first hours
    select
        device_id,
        sum(auth_failed_count) as device_early_failed_attempts
    from base
    where
        transacted_at
        < {{ dbt.dateadd('hour', var('takeover_device_age_hours'), 'device_first_seen_at') }}
    group by device_id
),

mule_inflows as (
    select
        to_internal_account_id as account_id,
        transaction_date,
        count(distinct customer_id) as distinct_senders,
        sum(amount_vnd) as inflow_vnd,
        min(transacted_at) as first_inflow_at
    from base
    where
        transaction_type = 'transfer_same_bank_diff_owner'
        and is_completed
    group by to_internal_account_id, transaction_date
),

mule_outflows as (
    -- attempted forwarding counts, whether or not the bank let it through
    select
        mule_inflows.account_id,
        mule_inflows.transaction_date,
        sum(base.amount_vnd) as outflow_vnd
    from mule_inflows
    inner join base
        on
            mule_inflows.account_id = base.from_account_id
            and mule_inflows.transaction_date = base.transaction_date
            and mule_inflows.first_inflow_at < base.transacted_at
            and base.is_transfer_to_other
    group by mule_inflows.account_id, mule_inflows.transaction_date
),

mule_account_days as (
    select
        mule_inflows.account_id,
        mule_inflows.transaction_date,
        mule_inflows.distinct_senders,
        mule_inflows.first_inflow_at,
        mule_outflows.outflow_vnd / mule_inflows.inflow_vnd as forward_share
    from mule_inflows
    inner join mule_outflows
        on
            mule_inflows.account_id = mule_outflows.account_id
            and mule_inflows.transaction_date = mule_outflows.transaction_date
    where
        mule_inflows.distinct_senders >= {{ var('mule_min_distinct_senders') }}
        and mule_outflows.outflow_vnd >= {{ var('mule_min_forward_share') }} * mule_inflows.inflow_vnd
),

windows as (
    select
        base.*,
        data_start.data_starts_at,
        coalesce(
            lag(base.transacted_at) over (
                partition by base.from_account_id order by base.transacted_at, base.transaction_id
            ),
            earlier_last_transactions.last_transacted_at
        ) as previous_account_transaction_at,
        count(*) over (
            partition by base.customer_id order by base.transacted_at
            {{ seconds_range_frame(var('velocity_window_minutes') * 60, 0) }}
        ) as velocity_count_before,
        count(*) over (
            partition by base.customer_id order by base.transacted_at
            {{ seconds_range_frame(0, var('velocity_window_minutes') * 60) }}
        ) as velocity_count_after,
        sum(case when base.is_in_structuring_band and base.is_transfer_to_other then 1 else 0 end) over (
            partition by base.customer_id order by base.transacted_at
            {{ seconds_range_frame(var('structuring_window_hours') * 3600, var('structuring_window_hours') * 3600) }}
        ) as structuring_band_count
    from base
    cross join data_start
    left join earlier_last_transactions
        on base.from_account_id = earlier_last_transactions.from_account_id
),

dormancy as (
    select
        *,
        is_transfer_to_other
        and amount_vnd >= {{ var('dormant_min_amount_vnd') }}
        and from_account_opened_at
        <= {{ dbt.dateadd('day', -1 * var('dormant_min_account_age_days'), 'transacted_at') }}
        and coalesce(previous_account_transaction_at, data_starts_at)
        <= {{ dbt.dateadd('day', -1 * var('dormant_quiet_days'), 'transacted_at') }} as is_dormant_reactivation
    from windows
),

reactivation_marks as (
    select
        *,
        max(case when is_dormant_reactivation then transacted_at end) over (
            partition by from_account_id order by transacted_at, transaction_id
            rows between unbounded preceding and current row
        ) as last_reactivation_at
    from dormancy
),

final as (
    select
        reactivation_marks.*,
        coalesce(device_first_day.device_early_failed_attempts, 0) as device_early_failed_attempts,
        greatest(reactivation_marks.velocity_count_before, reactivation_marks.velocity_count_after) as velocity_count,
        coalesce(mule_in.distinct_senders, mule_out.distinct_senders) as mule_distinct_senders,
        coalesce(mule_in.forward_share, mule_out.forward_share) as mule_forward_share,
        mule_in.account_id is not null or mule_out.account_id is not null as is_mule_flow,
        reactivation_marks.is_transfer_to_other
        and reactivation_marks.last_reactivation_at
        >= {{ dbt.dateadd('hour', -24, 'reactivation_marks.transacted_at') }} as is_after_dormant_reactivation
    from reactivation_marks
    left join device_first_day
        on reactivation_marks.device_id = device_first_day.device_id
    left join mule_account_days as mule_in
        on
            reactivation_marks.to_internal_account_id = mule_in.account_id
            and reactivation_marks.transaction_date = mule_in.transaction_date
            and reactivation_marks.transaction_type = 'transfer_same_bank_diff_owner'
    left join mule_account_days as mule_out
        on
            reactivation_marks.from_account_id = mule_out.account_id
            and reactivation_marks.transaction_date = mule_out.transaction_date
            and reactivation_marks.transacted_at > mule_out.first_inflow_at
            and reactivation_marks.is_transfer_to_other
    where reactivation_marks.transaction_date >= {{ cutoff }}
)

select * from final  -- noqa: AM04

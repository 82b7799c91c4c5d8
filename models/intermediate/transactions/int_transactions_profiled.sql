{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}
{%- set history_start = days_before(cutoff, var('profile_history_days')) %}

{#-
    One row per transaction with everything the marts and the risk rules need: enrichment,
    authentication, SBV classification, and behavioural features computed from the transactions
    alone (never from fraud labels).

    Incremental by day. The features of a rebuilt day read `profile_history_days` (default 2) of
    earlier days: enough for every window below (velocity minutes, structuring hours, a mule window of
    at most 24 hours from its first inflow, a device's first 24 hours, reactivation in the last 24
    hours). A window reaching into a new day can change yesterday's flags: the incremental lookback
    (1 day) rebuilds yesterday with it, which is why mule_window_hours must not exceed 24. Dormancy needs the account's
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
    -- money sent to the account by other Timo customers: every attempt belongs to the event and counts
    -- its sender; only completed ones open a window and count towards the amount that arrived
    select
        transaction_id,
        to_internal_account_id as account_id,
        customer_id as sender_id,
        amount_vnd,
        transacted_at,
        is_completed
    from base
    where transaction_type = 'transfer_same_bank_diff_owner'
),

mule_outflows as (
    -- attempted forwarding counts, whether or not the bank let it through
    select
        transaction_id,
        from_account_id as account_id,
        amount_vnd,
        transacted_at
    from base
    where is_transfer_to_other
),

mule_window_inflows as (
    -- every inflow opens a window of mule_window_hours
    select
        opening.account_id,
        opening.transacted_at as window_start,
        inflow.transaction_id,
        inflow.sender_id,
        inflow.amount_vnd,
        inflow.transacted_at,
        inflow.is_completed
    from mule_inflows as opening
    inner join mule_inflows as inflow
        on
            opening.is_completed
            and opening.account_id = inflow.account_id
            and opening.transacted_at <= inflow.transacted_at
            and inflow.transacted_at <= {{ dbt.dateadd('hour', var('mule_window_hours'), 'opening.transacted_at') }}
),

mule_window_outflows as (
    select
        opening.account_id,
        opening.transacted_at as window_start,
        outflow.transaction_id,
        outflow.amount_vnd,
        outflow.transacted_at
    from mule_inflows as opening
    inner join mule_outflows as outflow
        on
            opening.is_completed
            and opening.account_id = outflow.account_id
            and opening.transacted_at < outflow.transacted_at
            and outflow.transacted_at <= {{ dbt.dateadd('hour', var('mule_window_hours'), 'opening.transacted_at') }}
),

mule_window_forwarded as (
    select
        account_id,
        window_start,
        sum(amount_vnd) as outflow_vnd,
        max(transacted_at) as last_outflow_at
    from mule_window_outflows
    group by account_id, window_start
),

mule_burst_inflows as (
    -- the burst's own inflows: those of the window that arrived before its last outflow (money that
    -- came in and could leave again); ordinary inflows before the window or after the forwarding do not count
    select mule_window_inflows.*
    from mule_window_inflows
    inner join mule_window_forwarded
        on
            mule_window_inflows.account_id = mule_window_forwarded.account_id
            and mule_window_inflows.window_start = mule_window_forwarded.window_start
            and mule_window_inflows.transacted_at < mule_window_forwarded.last_outflow_at
),

mule_window_totals as (
    select
        account_id,
        window_start,
        count(distinct sender_id) as distinct_senders,
        sum(case when is_completed then amount_vnd else 0 end) as inflow_vnd
    from mule_burst_inflows
    group by account_id, window_start
),

mule_windows as (
    -- windows where enough senders paid in and most of that money left again
    select
        mule_window_totals.account_id,
        mule_window_totals.window_start,
        mule_window_totals.distinct_senders,
        mule_window_forwarded.outflow_vnd / nullif(mule_window_totals.inflow_vnd, 0) as forward_share
    from mule_window_totals
    inner join mule_window_forwarded
        on
            mule_window_totals.account_id = mule_window_forwarded.account_id
            and mule_window_totals.window_start = mule_window_forwarded.window_start
    where
        mule_window_totals.distinct_senders >= {{ var('mule_min_distinct_senders') }}
        and mule_window_forwarded.outflow_vnd >= {{ var('mule_min_forward_share') }} * mule_window_totals.inflow_vnd
),

mule_transactions as (
    -- each transaction of a qualifying window, with the strongest window it belongs to
    select
        members.transaction_id,
        -- the account under suspicion (a forwarding transfer can itself pay into another such account)
        min(members.account_id) as mule_account_id,
        max(mule_windows.distinct_senders) as mule_distinct_senders,
        max(mule_windows.forward_share) as mule_forward_share
    from (
        select
            account_id,
            window_start,
            transaction_id
        from mule_burst_inflows
        union all
        select
            account_id,
            window_start,
            transaction_id
        from mule_window_outflows
    ) as members
    inner join mule_windows
        on
            members.account_id = mule_windows.account_id
            and members.window_start = mule_windows.window_start
    group by members.transaction_id
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
        -- the transactions in the window that opens at this one
        count(*) over (
            partition by base.customer_id order by base.transacted_at
            {{ seconds_range_frame(0, var('velocity_window_minutes') * 60) }}
        ) as velocity_window_count,
        sum(case when base.is_in_structuring_band and base.is_transfer_to_other then 1 else 0 end) over (
            partition by base.customer_id order by base.transacted_at
            {{ seconds_range_frame(var('structuring_window_hours') * 3600, var('structuring_window_hours') * 3600) }}
        ) as structuring_band_count
    from base
    cross join data_start
    left join earlier_last_transactions
        on base.from_account_id = earlier_last_transactions.from_account_id
),

bursts as (
    -- a transaction belongs to every window that opens at most velocity_window_minutes before it:
    -- its velocity count is the fullest of them
    select
        *,
        max(velocity_window_count) over (
            partition by customer_id order by transacted_at
            {{ seconds_range_frame(var('velocity_window_minutes') * 60, 0) }}
        ) as velocity_count
    from windows
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
    from bursts
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
        mule_transactions.mule_account_id,
        mule_transactions.mule_distinct_senders,
        mule_transactions.mule_forward_share,
        mule_transactions.transaction_id is not null as is_mule_flow,
        reactivation_marks.is_transfer_to_other
        and reactivation_marks.last_reactivation_at
        >= {{ dbt.dateadd('hour', -24, 'reactivation_marks.transacted_at') }} as is_after_dormant_reactivation
    from reactivation_marks
    left join device_first_day
        on reactivation_marks.device_id = device_first_day.device_id
    left join mule_transactions
        on reactivation_marks.transaction_id = mule_transactions.transaction_id
    where reactivation_marks.transaction_date >= {{ cutoff }}
)

select * from final  -- noqa: AM04

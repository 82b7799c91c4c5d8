{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}
{%- set history_start = days_before(cutoff, var('profile_history_days')) %}

{#-
    Mule flows (docs/domain.md §6, mule_account): money paid into an account by many senders and
    most of it forwarded out again soon after. Every completed inflow opens a window of
    mule_window_hours on the receiving account; the window's burst is its inflows before its last
    outflow. A window qualifies with at least mule_min_distinct_senders senders in the burst and
    outflows of at least mule_min_forward_share of the burst's completed inflows. Every transaction of a
    qualifying window (inflow or outflow) is a mule flow, with the account under suspicion.

    One row per transaction (is_mule_flow false for most), so that the day column always reaches the
    last day built. Senders are Timo customers and strangers paying in from other banks
    (int_inbound_transfers_clean) when they are strangers to the account (nothing from them in the
    profile_history_days before): both count towards the distinct senders and the money that arrived,
    but only Timo's own transactions get a row. Only personal accounts are watched: a business collecting
    from many payers and paying its suppliers is ordinary trade. A window that paid out more than
    mule_max_forward_share times what arrived is an account spending its own money, not passing on
    someone else's. Incremental by day: a rebuilt day reads profile_history_days of earlier days, which
    covers a window of at most 24 hours; a window reaching into a new day can change yesterday's
    flows, and the incremental lookback (1 day) rebuilds yesterday with it, which is why
    mule_window_hours must not exceed 24.
-#}

with

transactions as (
    select
        transaction_id,
        customer_id,
        from_account_id,
        to_internal_account_id,
        transaction_type,
        amount_vnd,
        is_completed,
        is_transfer_to_other,
        transacted_at,
        transaction_date
    from {{ ref('int_transactions_enriched') }}
    where transaction_date >= {{ history_start }}
),

personal_accounts as (
    select timo_accounts.account_id
    from {{ ref('int_accounts_clean') }} as timo_accounts
    inner join {{ ref('int_customers_clean') }} as owners
        on timo_accounts.customer_id = owners.customer_id
    where owners.customer_type = 'individual'
),

inbound as (
    -- read profile_history_days further back, so that every credit used below sees its own lookback
    select * from {{ ref('int_inbound_transfers_clean') }}
    where
        transaction_date >= {{ days_before(history_start, var('profile_history_days')) }}
        and inbound_type in ('interbank_domestic', 'interbank_international')
),

stranger_credits as (
    -- a sender at another bank counts when it is a stranger to the account: it paid the account
    -- nothing in the profile_history_days before (regular payers, family and customers, are not a
    -- mule's feeders)
    select *
    from (
        select
            inbound.*,
            lag(inbound.received_at) over (
                partition by inbound.to_account_id, inbound.from_counterparty_account_id
                order by inbound.received_at, inbound.inbound_id
            ) as previous_credit_at
        from inbound
    ) as numbered
    where
        transaction_date >= {{ history_start }}
        and (
            previous_credit_at is null
            or previous_credit_at < {{ dbt.dateadd('day', -var('profile_history_days'), 'received_at') }}
        )
),

mule_inflows as (
    -- money sent to the account by other Timo customers: every attempt belongs to the event and counts
    -- its sender; only completed ones open a window and count towards the amount that arrived
    select
        transaction_id,
        to_internal_account_id as account_id,
        cast('timo:' as {{ dbt.type_string() }}) || cast(customer_id as {{ dbt.type_string() }}) as sender_key,
        amount_vnd,
        transacted_at,
        is_completed,
        true as is_timo_transaction
    from transactions
    where
        transaction_type = 'transfer_same_bank_diff_owner'
        and to_internal_account_id in (select personal_accounts.account_id from personal_accounts)
    union all
    -- and by people at other banks (transfers, not salaries or refunds); a returned credit counts its
    -- sender as a failed attempt does, and only credited ones count towards the money
    select
        inbound_id as transaction_id,
        to_account_id as account_id,
        cast('bank:' as {{ dbt.type_string() }}) || cast(from_counterparty_account_id as {{ dbt.type_string() }})
            as sender_key,
        amount_vnd,
        received_at as transacted_at,
        inbound_status = 'completed' as is_completed,
        false as is_timo_transaction
    from stranger_credits
    where to_account_id in (select personal_accounts.account_id from personal_accounts)
),

mule_outflows as (
    -- attempted forwarding counts, whether or not the bank let it through
    select
        transaction_id,
        from_account_id as account_id,
        amount_vnd,
        transacted_at
    from transactions
    where is_transfer_to_other
),

mule_window_inflows as (
    -- every inflow opens a window of mule_window_hours
    select
        opening.account_id,
        opening.transacted_at as window_start,
        inflow.transaction_id,
        inflow.sender_key,
        inflow.amount_vnd,
        inflow.transacted_at,
        inflow.is_completed,
        inflow.is_timo_transaction
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
        count(distinct sender_key) as distinct_senders,
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
        and mule_window_forwarded.outflow_vnd <= {{ var('mule_max_forward_share') }} * mule_window_totals.inflow_vnd
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
        where is_timo_transaction  -- a credit from outside has no row here (its id is another sequence's)
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

final as (
    select
        transactions.transaction_id,
        transactions.transaction_date,
        mule_transactions.mule_account_id,
        mule_transactions.mule_distinct_senders,
        mule_transactions.mule_forward_share,
        mule_transactions.transaction_id is not null as is_mule_flow
    from transactions
    left join mule_transactions
        on transactions.transaction_id = mule_transactions.transaction_id
    where transactions.transaction_date >= {{ cutoff }}
)

select * from final

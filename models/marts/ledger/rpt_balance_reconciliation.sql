{#-
    The core's balance against the ledger, per account (docs/domain.md §4a): the opening balance plus
    every ledger entry booked before the core's balance_at, beside the balance the core reports then.
    A difference is explained when completed flows of the account sit in quarantine (the core moved
    that money; the warehouse set the row aside), and unexplained otherwise: the test
    assert_ledger_balances_match_the_core fails on any unexplained account.

    The ledger is read in two parts so that a daily run does not scan all of it: whole days before the
    day of balance_at come from fct_account_daily_balances (the ledger summed per account and day),
    and only the entries of that day itself from int_account_ledger_entries. booking_date is the date
    of booked_at, so the two parts together are exactly the entries booked before balance_at.
-#}

with

accounts as (
    select * from {{ ref('int_accounts_clean') }}
),

daily_balances as (
    select * from {{ ref('fct_account_daily_balances') }}
),

entries_of_the_day as (
    -- the entries of the days balance_at falls on (usually the last day loaded), not the whole ledger
    select * from {{ ref('int_account_ledger_entries') }}
    where booking_date >= (select min(cast(accounts.balance_at as date)) from accounts)
),

quarantined_flows as (
    -- completed flows the warehouse set aside (a second copy of a key is not a second movement)
    select
        from_account_id as account_id,
        -amount_vnd as amount_vnd
    from {{ ref('quarantine_transactions') }}
    where transaction_status = 'completed' and dq_reason <> 'duplicate_key' and from_account_id is not null
    union all
    select
        to_internal_account_id as account_id,
        amount_vnd
    from {{ ref('quarantine_transactions') }}
    where transaction_status = 'completed' and dq_reason <> 'duplicate_key' and to_internal_account_id is not null
    union all
    select
        to_account_id as account_id,
        amount_vnd
    from {{ ref('quarantine_inbound_transfers') }}
    where inbound_status = 'completed' and dq_reason <> 'duplicate_key' and to_account_id is not null
),

quarantined as (
    select
        account_id,
        count(*) as quarantined_flow_count
    from quarantined_flows
    group by account_id
),

earlier_days as (
    select
        accounts.account_id,
        sum(
            case
                when daily_balances.balance_date < cast(accounts.balance_at as date)
                    then daily_balances.net_flow_vnd
            end
        ) as net_flow_vnd,
        sum(
            case
                when daily_balances.balance_date < cast(accounts.balance_at as date)
                    then daily_balances.credit_count + daily_balances.debit_count
            end
        ) as entry_count,
        sum(daily_balances.net_flow_vnd) as net_flow_to_date_vnd
    from accounts
    inner join daily_balances
        on accounts.account_id = daily_balances.account_id
    group by accounts.account_id
),

same_day as (
    select
        accounts.account_id,
        sum(entries_of_the_day.amount_vnd) as net_flow_vnd,
        count(*) as entry_count
    from accounts
    inner join entries_of_the_day
        on
            accounts.account_id = entries_of_the_day.account_id
            and cast(accounts.balance_at as date) = entries_of_the_day.booking_date
            and accounts.balance_at > entries_of_the_day.booked_at
    group by accounts.account_id
),

booked as (
    select
        accounts.account_id,
        accounts.customer_id,
        accounts.balance_at,
        accounts.balance_vnd as core_balance_vnd,
        accounts.opening_balance_vnd
        + coalesce(earlier_days.net_flow_vnd, 0)
        + coalesce(same_day.net_flow_vnd, 0) as ledger_balance_vnd,
        accounts.opening_balance_vnd + coalesce(earlier_days.net_flow_to_date_vnd, 0) as ledger_balance_now_vnd,
        cast(coalesce(earlier_days.entry_count, 0) + coalesce(same_day.entry_count, 0) as bigint) as entry_count
    from accounts
    left join earlier_days
        on accounts.account_id = earlier_days.account_id
    left join same_day
        on accounts.account_id = same_day.account_id
),

final as (
    select
        booked.account_id,
        booked.customer_id,
        booked.balance_at,
        cast(booked.core_balance_vnd as numeric(24, 2)) as core_balance_vnd,
        cast(booked.ledger_balance_vnd as numeric(24, 2)) as ledger_balance_vnd,
        cast(booked.core_balance_vnd - booked.ledger_balance_vnd as numeric(24, 2)) as difference_vnd,
        cast(booked.ledger_balance_now_vnd as numeric(24, 2)) as ledger_balance_now_vnd,
        booked.entry_count,
        coalesce(quarantined.quarantined_flow_count, 0) as quarantined_flow_count,
        case
            when booked.core_balance_vnd = booked.ledger_balance_vnd then 'reconciled'
            when quarantined.quarantined_flow_count > 0 then 'explained_by_quarantine'
            else 'unexplained'
        end as reconciliation_status
    from booked
    left join quarantined
        on booked.account_id = quarantined.account_id
)

select * from final

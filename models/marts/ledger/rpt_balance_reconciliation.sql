{#-
    The core's balance against the ledger, per account (docs/domain.md §4a): the opening balance plus
    every ledger entry booked before the core's balance_at, beside the balance the core reports then.
    A difference is explained when completed flows of the account sit in quarantine (the core moved
    that money; the warehouse set the row aside), and unexplained otherwise: the test
    assert_ledger_balances_match_the_core fails on any unexplained account.
-#}

with

accounts as (
    select * from {{ ref('int_accounts_clean') }}
),

entries as (
    select * from {{ ref('int_account_ledger_entries') }}
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

booked as (
    select
        accounts.account_id,
        accounts.customer_id,
        accounts.balance_at,
        accounts.balance_vnd as core_balance_vnd,
        accounts.opening_balance_vnd
        + coalesce(sum(case when entries.booked_at < accounts.balance_at then entries.amount_vnd end), 0)
            as ledger_balance_vnd,
        accounts.opening_balance_vnd + coalesce(sum(entries.amount_vnd), 0) as ledger_balance_now_vnd,
        count(case when entries.booked_at < accounts.balance_at then 1 end) as entry_count
    from accounts
    left join entries
        on accounts.account_id = entries.account_id
    group by
        accounts.account_id, accounts.customer_id, accounts.balance_at, accounts.balance_vnd,
        accounts.opening_balance_vnd
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

{{ config(
    severity='error',
    meta={'rationale': 'The balance the core reports must be the opening balance moved by every completed flow '
                       'the warehouse holds: a gap means a missing, doubled or wrongly booked flow.'},
) }}

-- Reconciliation (docs/domain.md §4a): for every clean account, the opening balance plus the ledger's
-- entries booked before the core's balance_at equals the core's balance. Returns each account that differs.

with

accounts as (
    select * from {{ ref('int_accounts_clean') }}
),

entries as (
    select * from {{ ref('int_account_ledger_entries') }}
),

booked as (
    select
        accounts.account_id,
        accounts.balance_vnd as core_balance_vnd,
        accounts.opening_balance_vnd + coalesce(sum(entries.amount_vnd), 0) as ledger_balance_vnd
    from accounts
    left join entries
        on
            accounts.account_id = entries.account_id
            and accounts.balance_at > entries.booked_at
    group by accounts.account_id, accounts.balance_vnd, accounts.opening_balance_vnd
)

select * from booked
where ledger_balance_vnd <> core_balance_vnd

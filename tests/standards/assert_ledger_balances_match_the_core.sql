{{ config(
    severity='error',
    meta={'rationale': 'The balance the core reports must be the opening balance moved by every completed flow: '
                       'a gap that no quarantined row explains means a missing, doubled or wrongly booked flow.'},
) }}

-- Reconciliation (docs/domain.md §4a): every clean account's core balance equals its opening balance
-- plus the ledger's entries before balance_at, unless completed flows of the account sit in quarantine
-- (rpt_balance_reconciliation lists those). Returns each account whose difference nothing explains.

select
    account_id,
    core_balance_vnd,
    ledger_balance_vnd,
    difference_vnd
from {{ ref('rpt_balance_reconciliation') }}
where reconciliation_status = 'unexplained'

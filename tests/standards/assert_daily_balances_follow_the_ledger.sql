{{ config(
    severity='error',
    meta={'rationale': 'fct_account_daily_balances is built day by day from its own last closing balances: if an '
                       'opening balance was restated afterwards its days are stale. Rebuild them with '
                       '`dbt build --full-refresh --select fct_account_daily_balances+`.'},
) }}

-- Each account's latest balance from fct_account_daily_balances (dim_accounts.ledger_balance_vnd) equals its
-- opening balance plus every ledger entry (rpt_balance_reconciliation.ledger_balance_now_vnd, docs/domain.md
-- §4a). Returns each account whose daily balances no longer add up.

select
    balance_checks.account_id,
    balance_checks.ledger_balance_now_vnd,
    account_dims.ledger_balance_vnd
from {{ ref('rpt_balance_reconciliation') }} as balance_checks
inner join {{ ref('dim_accounts') }} as account_dims
    on balance_checks.account_id = account_dims.account_id
where balance_checks.ledger_balance_now_vnd <> account_dims.ledger_balance_vnd

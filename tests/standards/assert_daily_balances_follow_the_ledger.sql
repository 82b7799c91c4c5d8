{{ config(
    severity='error',
    meta={'rationale': 'fct_account_daily_balances is built day by day from its own last closing balances: if an '
                       'opening balance was restated afterwards its days are stale. Rebuild them with '
                       '`dbt build --full-refresh --select fct_account_daily_balances+`.'},
) }}

-- Each account's latest balance from fct_account_daily_balances (dim_accounts.ledger_balance_vnd) equals its
-- opening balance plus every ledger entry, summed here from the entries themselves (docs/domain.md §4a):
-- rpt_balance_reconciliation reads the daily balances, so this is the check that they follow the ledger.
-- Returns each account whose daily balances no longer add up.

with

ledger as (
    select
        timo_accounts.account_id,
        timo_accounts.opening_balance_vnd + coalesce(sum(entries.amount_vnd), 0) as ledger_balance_vnd
    from {{ ref('int_accounts_clean') }} as timo_accounts
    left join {{ ref('int_account_ledger_entries') }} as entries
        on timo_accounts.account_id = entries.account_id
    group by timo_accounts.account_id, timo_accounts.opening_balance_vnd
)

select
    ledger.account_id,
    ledger.ledger_balance_vnd as ledger_balance_from_entries_vnd,
    account_dims.ledger_balance_vnd
from ledger
inner join {{ ref('dim_accounts') }} as account_dims
    on ledger.account_id = account_dims.account_id
where ledger.ledger_balance_vnd <> account_dims.ledger_balance_vnd

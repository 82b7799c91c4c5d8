{{ config(
    severity='error',
    meta={'rationale': 'fct_account_daily_balances is built day by day from its own last closing balances: if an '
                       'opening balance was restated afterwards its days are stale. Rebuild them with '
                       '`dbt build --full-refresh --select fct_account_daily_balances+`.'},
) }}

-- Each account's last closing balance in fct_account_daily_balances equals its opening balance plus every
-- ledger entry (docs/domain.md §4a). Returns each account whose daily balances no longer add up.

with

latest as (
    select
        account_id,
        closing_balance_vnd
    from (
        select
            account_id,
            closing_balance_vnd,
            row_number() over (partition by account_id order by balance_date desc) as recency
        from {{ ref('fct_account_daily_balances') }}
    ) as balances
    where recency = 1
),

ledger as (
    select
        entries.account_id,
        timo_accounts.opening_balance_vnd + sum(entries.amount_vnd) as ledger_balance_vnd
    from {{ ref('int_account_ledger_entries') }} as entries
    inner join {{ ref('int_accounts_clean') }} as timo_accounts
        on entries.account_id = timo_accounts.account_id
    group by entries.account_id, timo_accounts.opening_balance_vnd
)

select
    ledger.account_id,
    ledger.ledger_balance_vnd,
    latest.closing_balance_vnd
from ledger
left join latest
    on ledger.account_id = latest.account_id
where latest.closing_balance_vnd is null or latest.closing_balance_vnd <> ledger.ledger_balance_vnd

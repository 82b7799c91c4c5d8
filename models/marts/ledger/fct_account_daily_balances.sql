{{ config(materialized='incremental', unique_key='balance_date', lookup_keys=['account_id']) }}
{%- set cutoff = incremental_cutoff('balance_date') %}

{#-
    Each account's balance by day, from the ledger (docs/domain.md §4a): the opening balance the core
    reports for the start of the period, plus every completed credit, minus every completed debit.
    One row per account and day on which money moved; on other days the balance is the last row's.

    Incremental by day: a rebuilt day starts from the account's last closing balance before the
    cutoff (this table's own rows), so a daily run reads only the days it rebuilds.
-#}

with

entries as (
    select * from {{ ref('int_account_ledger_entries') }}
    where booking_date >= {{ cutoff }}
),

accounts as (
    select
        account_id,
        customer_id,
        opening_balance_vnd
    from {{ ref('int_accounts_clean') }}
),

daily as (
    select
        account_id,
        booking_date as balance_date,
        sum(case when amount_vnd > 0 then amount_vnd else 0 end) as inflow_vnd,
        sum(case when amount_vnd < 0 then -amount_vnd else 0 end) as outflow_vnd,
        sum(amount_vnd) as net_flow_vnd,
        sum(case when amount_vnd > 0 then 1 else 0 end) as credit_count,
        sum(case when amount_vnd < 0 then 1 else 0 end) as debit_count,
        max(booked_at) as last_booked_at
    from entries
    group by account_id, booking_date
),

carried as (
    -- where each account stood before the rebuilt days: its last closing balance, else its opening balance
    {%- if is_incremental() %}
        select
            account_id,
            closing_balance_vnd
        from (
            select
                account_id,
                closing_balance_vnd,
                row_number() over (partition by account_id order by balance_date desc) as recency
            from {{ this }}
            where balance_date < {{ cutoff }}
        ) as earlier
        where recency = 1
    {%- else %}
        select
            cast(null as bigint) as account_id,
            cast(null as numeric(24, 2)) as closing_balance_vnd
        where 1 = 0
    {%- endif %}
),

balanced as (
    select
        daily.account_id,
        accounts.customer_id,
        daily.balance_date,
        daily.inflow_vnd,
        daily.outflow_vnd,
        daily.net_flow_vnd,
        daily.credit_count,
        daily.debit_count,
        daily.last_booked_at,
        coalesce(carried.closing_balance_vnd, accounts.opening_balance_vnd)
        + sum(daily.net_flow_vnd) over (
            partition by daily.account_id order by daily.balance_date rows between unbounded preceding and current row
        ) as closing_balance_vnd
    from daily
    inner join accounts
        on daily.account_id = accounts.account_id
    left join carried
        on daily.account_id = carried.account_id
),

final as (
    select
        account_id,
        customer_id,
        balance_date,
        cast(closing_balance_vnd - net_flow_vnd as numeric(24, 2)) as opening_balance_vnd,
        cast(inflow_vnd as numeric(24, 2)) as inflow_vnd,
        cast(outflow_vnd as numeric(24, 2)) as outflow_vnd,
        cast(net_flow_vnd as numeric(24, 2)) as net_flow_vnd,
        cast(closing_balance_vnd as numeric(24, 2)) as closing_balance_vnd,
        cast(credit_count as bigint) as credit_count,
        cast(debit_count as bigint) as debit_count,
        cast(last_booked_at as timestamp) as last_booked_at,
        closing_balance_vnd < 0 as is_overdrawn
    from balanced
)

select * from final

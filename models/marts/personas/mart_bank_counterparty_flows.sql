{{ config(materialized='incremental', unique_key='flow_date') }}
{%- set cutoff = incremental_cutoff('flow_date') %}

{#-
    The bank's view of money to and from each counterparty bank per day (TIMO itself for transfers
    between Timo accounts): transfers Timo customers sent there, credits that arrived from there
    (int_inbound_transfers_clean, by the sender's bank), and the net position. A positive net
    position means more money came into Timo from that bank than left for it.
-#}

with

transactions as (
    select * from {{ ref('fct_transactions') }}
    where counterparty_bank_code is not null and transaction_date >= {{ cutoff }}
),

inbound as (
    select * from {{ ref('int_inbound_transfers_clean') }}
    where transaction_date >= {{ cutoff }}
),

banks as (
    select * from {{ ref('dim_banks') }}
),

outflows as (
    select
        counterparty_bank_code as bank_code,
        transaction_date as flow_date,
        count(*) as transaction_count,
        sum(case when transaction_status = 'completed' then 1 else 0 end) as completed_count,
        sum(case when transaction_status = 'completed' then amount_vnd else 0 end) as completed_amount_vnd,
        count(distinct customer_id) as distinct_senders,
        count(distinct coalesce(to_external_account_id, to_internal_account_id)) as distinct_receiving_accounts,
        sum(case when is_new_payee then 1 else 0 end) as new_payee_count
    from transactions
    group by counterparty_bank_code, transaction_date
),

inflows as (
    select
        sender_bank_code as bank_code,
        transaction_date as flow_date,
        count(*) as inbound_count,
        sum(case when inbound_status = 'completed' then 1 else 0 end) as inbound_completed_count,
        sum(case when inbound_status = 'completed' then amount_vnd else 0 end) as inbound_amount_vnd,
        sum(case when inbound_status = 'returned' then 1 else 0 end) as inbound_returned_count,
        count(distinct from_counterparty_account_id) as distinct_inbound_senders
    from inbound
    group by sender_bank_code, transaction_date
),

bank_days as (
    select
        bank_code,
        flow_date
    from outflows
    union
    select
        bank_code,
        flow_date
    from inflows
),

final as (
    select
        bank_days.bank_code,
        banks.short_name as bank_short_name,
        banks.is_domestic,
        bank_days.flow_date,
        coalesce(outflows.transaction_count, 0) as transaction_count,
        coalesce(outflows.completed_count, 0) as completed_count,
        cast(coalesce(outflows.completed_amount_vnd, 0) as numeric(24, 2)) as completed_amount_vnd,
        coalesce(outflows.distinct_senders, 0) as distinct_senders,
        coalesce(outflows.distinct_receiving_accounts, 0) as distinct_receiving_accounts,
        coalesce(outflows.new_payee_count, 0) as new_payee_count,
        coalesce(inflows.inbound_count, 0) as inbound_count,
        coalesce(inflows.inbound_completed_count, 0) as inbound_completed_count,
        cast(coalesce(inflows.inbound_amount_vnd, 0) as numeric(24, 2)) as inbound_amount_vnd,
        coalesce(inflows.inbound_returned_count, 0) as inbound_returned_count,
        coalesce(inflows.distinct_inbound_senders, 0) as distinct_inbound_senders,
        cast(coalesce(inflows.inbound_amount_vnd, 0) - coalesce(outflows.completed_amount_vnd, 0) as numeric(24, 2))
            as net_position_vnd
    from bank_days
    left join outflows
        on bank_days.bank_code = outflows.bank_code and bank_days.flow_date = outflows.flow_date
    left join inflows
        on bank_days.bank_code = inflows.bank_code and bank_days.flow_date = inflows.flow_date
    left join banks
        on bank_days.bank_code = banks.bank_code
)

select * from final

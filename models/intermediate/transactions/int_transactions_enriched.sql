{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}

{#-
    Each transaction with the state of its customer, source account and device at the moment it was
    made (point-in-time joins on the snapshots' history), its SBV group and its counterparty.
    Incremental by day. First use of a payee or a device comes from int_customer_first_uses, which
    keeps each customer's first transaction per device and per payee across all days.
-#}

with

transactions as (
    select * from {{ ref('int_transactions_clean') }}
    where transaction_date >= {{ cutoff }}
),

customer_states as (
    select * from {{ ref('int_customer_states') }}
),

account_states as (
    select * from {{ ref('int_account_states') }}
),

accounts as (
    select * from {{ ref('int_accounts_clean') }}
),

device_states as (
    select * from {{ ref('int_device_states') }}
),

counterparty_accounts as (
    select * from {{ ref('int_counterparty_accounts_clean') }}
),

banks as (
    select * from {{ ref('banks') }}
),

sbv_groups as (
    select * from {{ ref('sbv_transaction_groups') }}
),

joined as (
    select
        transactions.transaction_id,
        transactions.customer_id,
        transactions.from_account_id,
        transactions.to_internal_account_id,
        transactions.to_external_account_id,
        transactions.device_id,
        transactions.transaction_type,
        transactions.transaction_status,
        transactions.channel,
        customers.customer_type,
        customers.customer_status,
        sbv_groups.sbv_group,
        sbv_groups.is_own_linked_wallet,
        source_accounts.account_type as from_account_type,
        source_accounts.account_status as from_account_status,
        source_accounts.opened_at as from_account_opened_at,
        target_accounts.customer_id as to_internal_customer_id,
        devices.device_type,
        devices.is_trusted as is_device_trusted,
        devices.device_status,
        devices.first_seen_at as device_first_seen_at,
        transactions.amount_vnd,
        transactions.transacted_at,
        transactions.transaction_date,
        coalesce(target_accounts.customer_id = transactions.customer_id, false) as is_same_owner,
        case
            when transactions.to_internal_account_id is not null then 'TIMO'
            else counterparty_accounts.bank_code
        end as counterparty_bank_code,
        case
            when transactions.to_internal_account_id is not null then true
            else banks.is_domestic
        end as is_counterparty_domestic,
        {{ counterparty_key('transactions.to_internal_account_id', 'transactions.to_external_account_id') }}
            as counterparty_key
    from transactions
    left join customer_states as customers
        on
            transactions.customer_id = customers.customer_id
            and transactions.transacted_at >= customers.state_from
            and transactions.transacted_at < customers.state_to
    left join sbv_groups
        on
            transactions.transaction_type = sbv_groups.transaction_type
            and customers.customer_type = sbv_groups.customer_type
    left join account_states as source_accounts
        on
            transactions.from_account_id = source_accounts.account_id
            and transactions.transacted_at >= source_accounts.state_from
            and transactions.transacted_at < source_accounts.state_to
    left join accounts as target_accounts
        on transactions.to_internal_account_id = target_accounts.account_id
    left join counterparty_accounts
        on transactions.to_external_account_id = counterparty_accounts.counterparty_account_id
    left join banks
        on counterparty_accounts.bank_code = banks.bank_code
    left join device_states as devices
        on
            transactions.device_id = devices.device_id
            and transactions.transacted_at >= devices.state_from
            and transactions.transacted_at < devices.state_to
),

-- a transaction is a first use when it is the pair's first transaction; those are all on or after the
-- cutoff (one narrow CTE per kind: a shared wide one would be stored whole before the two joins)
device_firsts as (
    select first_transaction_id from {{ ref('int_customer_first_uses') }}
    where first_use_date >= {{ cutoff }} and use_kind = 'device'
),

payee_firsts as (
    select first_transaction_id from {{ ref('int_customer_first_uses') }}
    where first_use_date >= {{ cutoff }} and use_kind = 'payee'
),

marked as (
    select
        joined.*,
        device_firsts.first_transaction_id is not null as is_first_device_use,
        case
            when joined.counterparty_key is not null then payee_firsts.first_transaction_id is not null
        end as is_first_payee_use
    from joined
    left join device_firsts
        on joined.transaction_id = device_firsts.first_transaction_id
    left join payee_firsts
        on joined.transaction_id = payee_firsts.first_transaction_id
),

final as (
    select
        transaction_id,
        customer_id,
        from_account_id,
        to_internal_account_id,
        to_external_account_id,
        to_internal_customer_id,
        device_id,
        transaction_type,
        transaction_status,
        channel,
        customer_type,
        customer_status,
        sbv_group,
        is_own_linked_wallet,
        from_account_type,
        from_account_status,
        counterparty_bank_code,
        is_counterparty_domestic,
        counterparty_key,
        is_same_owner,
        device_type,
        is_device_trusted,
        device_status,
        is_first_payee_use as is_new_payee,
        is_first_device_use
        and device_first_seen_at
        >= {{ dbt.dateadd('day', -1 * var('new_device_window_days'), 'transacted_at') }} as is_first_use_of_new_device,
        transaction_status = 'completed' as is_completed,
        transaction_status in ('completed', 'pending') as is_executed,
        transaction_type in (
            'transfer_same_bank_diff_owner',
            'transfer_interbank_domestic',
            'transfer_interbank_international',
            'ewallet_transfer'
        ) as is_transfer_to_other,
        amount_vnd,
        transacted_at,
        transaction_date,
        from_account_opened_at,
        device_first_seen_at
    from marked
)

select * from final

{{ config(materialized='table') }}

with

transactions as (
    select * from {{ ref('int_transactions_clean') }}
),

customers as (
    select * from {{ ref('int_customers_clean') }}
),

accounts as (
    select * from {{ ref('int_accounts_clean') }}
),

devices as (
    select * from {{ ref('int_devices_clean') }}
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
        case
            when transactions.to_internal_account_id is not null
                then 'timo:' || cast(transactions.to_internal_account_id as {{ dbt.type_string() }})
            when transactions.to_external_account_id is not null
                then 'ext:' || cast(transactions.to_external_account_id as {{ dbt.type_string() }})
        end as counterparty_key
    from transactions
    left join customers
        on transactions.customer_id = customers.customer_id
    left join sbv_groups
        on
            transactions.transaction_type = sbv_groups.transaction_type
            and customers.customer_type = sbv_groups.customer_type
    left join accounts as source_accounts
        on transactions.from_account_id = source_accounts.account_id
    left join accounts as target_accounts
        on transactions.to_internal_account_id = target_accounts.account_id
    left join counterparty_accounts
        on transactions.to_external_account_id = counterparty_accounts.counterparty_account_id
    left join banks
        on counterparty_accounts.bank_code = banks.bank_code
    left join devices
        on transactions.device_id = devices.device_id
),

sequenced as (
    select
        *,
        row_number() over (
            partition by customer_id, device_id order by transacted_at, transaction_id
        ) as device_use_number,
        case
            when counterparty_key is not null
                then row_number() over (
                    partition by customer_id, counterparty_key order by transacted_at, transaction_id
                )
        end as payee_use_number
    from joined
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
        payee_use_number = 1 as is_new_payee,
        device_use_number = 1
        and device_first_seen_at
        >= {{ dbt.dateadd('day', -1 * var('new_device_window_days'), 'transacted_at') }} as is_first_use_of_new_device,
        transaction_status = 'completed' as is_completed,
        amount_vnd,
        transacted_at,
        transaction_date,
        from_account_opened_at,
        device_first_seen_at
    from sequenced
)

select * from final

{{ config(
    materialized='incremental',
    unique_key='dq_partition_date',
    lookup_keys=['transaction_date', 'transaction_id']
) }}
{%- set cutoff = incremental_cutoff('dq_partition_date') %}

{#-
    Incremental by day (macros/incremental.sql). Rows without a timestamp sit in partition 1900-01-01
    and are re-checked on every run, with the new days. A key already clean on an earlier day makes
    a later copy a duplicate.

    On DuckDB only the rows of a key that occurs more than once go through the window that numbers
    the copies (every other row is its key's only copy): sorting all rows for that window cost more
    than the checks themselves at 10M transactions. PostgreSQL was faster with one window over every
    row (macros/portable.sql, numbers_repeated_keys_apart).
-#}
{%- set apart = numbers_repeated_keys_apart() %}

with

transactions as {{ inlined() }} (
    select * from {{ ref('stg_core_banking__transactions') }}
    where transaction_date >= {{ cutoff }} or transaction_date is null
),

{%- if apart %}

    repeated_keys as (
        select transaction_id
        from transactions
        group by transaction_id
        having count(*) > 1
    ),
{%- endif %}

earlier_keys as (
    {{ earlier_clean_keys('transaction_id', 'transactions', cutoff) }}
),

limits as (
    select * from {{ ref('transaction_amount_limits') }}
),

destinations as (
    select * from {{ ref('transaction_destinations') }}
),

accounts as (
    select account_id from {{ ref('int_accounts_clean') }}
),

customers as (
    select customer_id from {{ ref('int_customers_clean') }}
),

devices as (
    select device_id from {{ ref('int_devices_clean') }}
),

counterparty_accounts as (
    select
        counterparty_accounts.counterparty_account_id,
        banks.is_domestic
    from {{ ref('int_counterparty_accounts_clean') }} as counterparty_accounts
    left join {{ ref('banks') }} as banks
        on counterparty_accounts.bank_code = banks.bank_code
),

checked as {{ inlined() }} (
    select
        transactions.*,
        {%- if apart %}
            repeated_keys.transaction_id is not null as is_repeated_key,
        {%- endif %}
        case
            when
                transactions.transaction_id is null or transactions.from_account_id is null
                or transactions.customer_id is null or transactions.device_id is null
                or transactions.transaction_type is null or transactions.amount_vnd is null
                or transactions.transacted_at is null or transactions.transaction_status is null
                then 'missing_required_field'
            when
                limits.transaction_type is null
                or transactions.transaction_status not in ('pending', 'completed', 'failed', 'cancelled')
                or transactions.channel not in ('mobile_app', 'internet_banking')
                or transactions.failure_reason not in (
                    'authentication_failed', 'authentication_cancelled', 'account_not_active', 'processing_error',
                    'insufficient_funds'
                )
                then 'unknown_value'
            when
                transactions.amount_vnd < limits.min_amount_vnd or transactions.amount_vnd > limits.max_amount_vnd
                then 'invalid_amount'
            when transactions.transacted_at > {{ dbt.current_timestamp() }} then 'future_timestamp'
            when
                (transactions.to_internal_account_id is not null and transactions.to_external_account_id is not null)
                or (destinations.destination = 'timo_account') <> (transactions.to_internal_account_id is not null)
                or (destinations.destination = 'other_bank_account')
                <> (transactions.to_external_account_id is not null)
                then 'invalid_destination'
            when (destinations.counterparty_bank = 'domestic') <> counterparty_accounts.is_domestic
                then 'counterparty_bank_mismatch'
        end as check_reason,
        source_accounts.account_id is null
        or customers.customer_id is null
        or devices.device_id is null
        or (transactions.to_internal_account_id is not null and target_accounts.account_id is null)
        or (
            transactions.to_external_account_id is not null
            and counterparty_accounts.counterparty_account_id is null
        ) as is_orphan
    from
        transactions
    {%- if apart %}
    left join repeated_keys
        on transactions.transaction_id = repeated_keys.transaction_id
    {%- endif %}
    left join limits
        on transactions.transaction_type = limits.transaction_type
    left join destinations
        on transactions.transaction_type = destinations.transaction_type
    left join accounts as source_accounts
        on transactions.from_account_id = source_accounts.account_id
    left join accounts as target_accounts
        on transactions.to_internal_account_id = target_accounts.account_id
    left join customers
        on transactions.customer_id = customers.customer_id
    left join devices
        on transactions.device_id = devices.device_id
    left join counterparty_accounts
        on transactions.to_external_account_id = counterparty_accounts.counterparty_account_id
),

keyed as (
    -- each row's copy number among the rows checked now (clean rows and rows already failing apart)
    select
        checked.*,
        row_number() over (
            partition by checked.transaction_id, checked.check_reason is null order by checked.transacted_at
        ) as key_copy
    from checked
    {%- if apart %}
        where checked.is_repeated_key
        union all
        select
            checked.*,
            1 as key_copy
        from checked
        where not checked.is_repeated_key
    {%- endif %}
),

seen as (
    -- and whether its key was already clean on a day built earlier
    select
        keyed.*,
        earlier_keys.transaction_id is not null and keyed.check_reason is null as is_key_seen_before
    from keyed
    left join earlier_keys
        on keyed.transaction_id = earlier_keys.transaction_id
),

final as (
    select
        transaction_id,
        from_account_id,
        to_internal_account_id,
        to_external_account_id,
        customer_id,
        device_id,
        transaction_type,
        transaction_status,
        channel,
        failure_reason,
        description,
        amount_vnd,
        transacted_at,
        transaction_date,
        coalesce(transaction_date, cast('1900-01-01' as date)) as dq_partition_date,
        case
            when check_reason is not null then check_reason
            when key_copy > 1 or is_key_seen_before then 'duplicate_key'
            when is_orphan then 'orphan_reference'
        end as dq_reason
    from seen
)

select * from final

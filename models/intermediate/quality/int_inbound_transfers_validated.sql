{{ config(
    materialized='incremental',
    unique_key='dq_partition_date',
    lookup_keys=['transaction_date', 'inbound_id']
) }}
{%- set cutoff = incremental_cutoff('dq_partition_date') %}

{#-
    Credits from outside the bank, each checked against the standards (seeds/dq_reason_codes.csv) in
    their order. Incremental by day, as int_transactions_validated: rows without a timestamp sit in
    partition 1900-01-01 and are re-checked on every run; a key already clean on an earlier day makes
    a later copy a duplicate.
-#}

with

inbound as (
    select * from {{ ref('stg_interbank__inbound_transfers') }}
    where transaction_date >= {{ cutoff }} or transaction_date is null
),

earlier_keys as (
    {{ earlier_clean_keys('inbound_id', 'inbound', cutoff) }}
),

accounts as (
    select account_id from {{ ref('int_accounts_clean') }}
),

counterparty_accounts as (
    select
        counterparty_accounts.counterparty_account_id,
        counterparty_accounts.bank_code,
        banks.is_domestic
    from {{ ref('int_counterparty_accounts_clean') }} as counterparty_accounts
    left join {{ ref('banks') }} as banks
        on counterparty_accounts.bank_code = banks.bank_code
),

checked as (
    select
        inbound.*,
        case
            when
                inbound.inbound_id is null or inbound.to_account_id is null
                or inbound.from_counterparty_account_id is null or inbound.inbound_type is null
                or inbound.amount_vnd is null or inbound.received_at is null or inbound.inbound_status is null
                then 'missing_required_field'
            when
                inbound.inbound_type not in (
                    'salary', 'interbank_domestic', 'interbank_international', 'refund', 'ewallet_credit'
                )
                or inbound.inbound_status not in ('completed', 'returned')
                then 'unknown_value'
            when inbound.amount_vnd <= 0 or inbound.amount_vnd > {{ var('inbound_max_amount_vnd') }}
                then 'invalid_amount'
            when inbound.received_at > {{ dbt.current_timestamp() }} then 'future_timestamp'
            when
                inbound.sender_bank_code <> counterparty_accounts.bank_code
                or (inbound.inbound_type = 'interbank_international') = counterparty_accounts.is_domestic
                then 'counterparty_bank_mismatch'
        end as check_reason,
        accounts.account_id is null or counterparty_accounts.counterparty_account_id is null as is_orphan
    from inbound
    left join accounts
        on inbound.to_account_id = accounts.account_id
    left join counterparty_accounts
        on inbound.from_counterparty_account_id = counterparty_accounts.counterparty_account_id
),

keyed as (
    select
        checked.*,
        row_number() over (
            partition by checked.inbound_id, checked.check_reason is null order by checked.received_at
        ) as key_copy,
        earlier_keys.inbound_id is not null and checked.check_reason is null as is_key_seen_before
    from checked
    left join earlier_keys
        on checked.inbound_id = earlier_keys.inbound_id
),

final as (
    select
        inbound_id,
        to_account_id,
        from_counterparty_account_id,
        sender_bank_code,
        sender_account_number,
        sender_name,
        inbound_type,
        inbound_status,
        description,
        amount_vnd,
        received_at,
        transaction_date,
        coalesce(transaction_date, cast('1900-01-01' as date)) as dq_partition_date,
        case
            when check_reason is not null then check_reason
            when key_copy > 1 or is_key_seen_before then 'duplicate_key'
            when is_orphan then 'orphan_reference'
        end as dq_reason
    from keyed
)

select * from final

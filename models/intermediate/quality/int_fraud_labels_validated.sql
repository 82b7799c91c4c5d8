{{ config(materialized='table') }}

with

labels as (
    select * from {{ ref('stg_ground_truth__fraud_labels') }}
),

transactions as (
    select transaction_id from {{ ref('int_transactions_clean') }}
),

checked as (
    select
        labels.*,
        case
            when labels.transaction_id is null or labels.fraud_scenario is null or labels.fraud_event_id is null
                then 'missing_required_field'
            when labels.fraud_scenario not in (
                'account_takeover', 'structuring', 'mule_account', 'velocity_burst', 'dormant_reactivation'
            ) then 'unknown_value'
        end as check_reason,
        transactions.transaction_id is null as is_orphan
    from labels
    left join transactions
        on labels.transaction_id = transactions.transaction_id
),

keyed as (
    select
        *,
        row_number() over (partition by transaction_id, check_reason is null order by fraud_event_id) as key_copy
    from checked
),

final as (
    select
        transaction_id,
        fraud_scenario,
        fraud_event_id,
        case
            when check_reason is not null then check_reason
            when key_copy > 1 then 'duplicate_key'
            when is_orphan then 'orphan_reference'
        end as dq_reason
    from keyed
)

select * from final

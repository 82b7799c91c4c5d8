{#- Raw fraud labels rows set aside, each with the reason code of the first rule it breaks. -#}

with

validated as (
    select * from {{ ref('int_fraud_labels_validated') }}
),

final as (
    select
        'fraud_labels' as raw_table,
        dq_reason,
        transaction_id,
        fraud_scenario,
        fraud_event_id
    from validated
    where dq_reason is not null
)

select * from final

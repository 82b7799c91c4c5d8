{#- Raw fraud labels rows that pass every data-quality check: what the rest of the project reads. -#}

with

validated as (
    select * from {{ ref('int_fraud_labels_validated') }}
),

final as (
    select
        transaction_id,
        fraud_scenario,
        fraud_event_id
    from validated
    where dq_reason is null
)

select * from final

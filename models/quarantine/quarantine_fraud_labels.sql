{#- Raw fraud_labels rows set aside, each with the reason code of the first rule it breaks. -#}
{%- set columns = [
    'transaction_id',
    'fraud_scenario',
    'fraud_event_id',
] -%}

{{ quarantined_rows('int_fraud_labels_validated', 'fraud_labels', columns) }}

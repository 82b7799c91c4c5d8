{#- Raw fraud_labels rows that pass every data-quality check: what the rest of the project reads. -#}
{%- set columns = [
    'transaction_id',
    'fraud_scenario',
    'fraud_event_id',
] -%}

{{ clean_rows('int_fraud_labels_validated', columns) }}

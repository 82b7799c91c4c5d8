{#- Raw fraud_labels rows set aside, each with the reason code of the first rule it breaks. -#}
{{ quarantined_rows('fraud_labels') }}

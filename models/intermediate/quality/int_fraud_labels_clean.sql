{#- Raw fraud_labels rows that pass every data-quality check: what the rest of the project reads. -#}
{{ clean_rows('fraud_labels') }}

{#- Raw other_bank_customers rows that pass every data-quality check: what the rest of the project reads. -#}
{{ clean_rows('counterparty_customers') }}

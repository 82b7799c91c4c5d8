{#- Raw other_bank_customers rows that pass every data-quality check: what the rest of the project reads. -#}
{%- set columns = [
    'counterparty_customer_id',
    'bank_code',
    'customer_type',
    'full_name',
    'country_code',
] -%}

{{ clean_rows('int_counterparty_customers_validated', columns) }}

{#- Raw other_bank_customers rows set aside, each with the reason code of the first rule it breaks. -#}
{%- set columns = [
    'counterparty_customer_id',
    'bank_code',
    'customer_type',
    'full_name',
    'country_code',
] -%}

{{ quarantined_rows('int_counterparty_customers_validated', 'other_bank_customers', columns) }}

{#- Raw bank_accounts rows that pass every data-quality check: what the rest of the project reads. -#}
{%- set columns = [
    'account_id',
    'customer_id',
    'account_number',
    'account_type',
    'currency_code',
    'balance_vnd',
    'account_status',
    'opened_at',
    'updated_at',
] -%}

{{ clean_rows('int_accounts_validated', columns) }}

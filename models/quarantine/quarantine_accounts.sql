{#- Raw bank_accounts rows set aside, each with the reason code of the first rule it breaks. -#}
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

{{ quarantined_rows('int_accounts_validated', 'bank_accounts', columns) }}

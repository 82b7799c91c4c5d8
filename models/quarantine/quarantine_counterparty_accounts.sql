{#- Raw other_bank_accounts rows set aside, each with the reason code of the first rule it breaks. -#}
{%- set columns = [
    'counterparty_account_id',
    'counterparty_customer_id',
    'bank_code',
    'account_number',
    'currency_code',
] -%}

{{ quarantined_rows('int_counterparty_accounts_validated', 'other_bank_accounts', columns) }}

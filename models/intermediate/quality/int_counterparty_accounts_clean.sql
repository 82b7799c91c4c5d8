{#- Raw other_bank_accounts rows that pass every data-quality check: what the rest of the project reads. -#}
{%- set columns = [
    'counterparty_account_id',
    'counterparty_customer_id',
    'bank_code',
    'account_number',
    'currency_code',
] -%}

{{ clean_rows('int_counterparty_accounts_validated', columns) }}

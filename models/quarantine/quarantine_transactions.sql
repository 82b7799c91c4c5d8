{#- Raw payment_transactions rows set aside, each with the reason code of the first rule it breaks. -#}
{%- set columns = [
    'transaction_id',
    'from_account_id',
    'to_internal_account_id',
    'to_external_account_id',
    'customer_id',
    'device_id',
    'transaction_type',
    'transaction_status',
    'channel',
    'description',
    'amount_vnd',
    'transacted_at',
    'transaction_date',
] -%}

{{ quarantined_rows('int_transactions_validated', 'payment_transactions', columns) }}

{#- Raw customers rows set aside, each with the reason code of the first rule it breaks. -#}
{%- set columns = [
    'customer_id',
    'customer_type',
    'cccd_number',
    'tax_code',
    'full_name',
    'gender',
    'birth_date',
    'phone_number',
    'email',
    'address',
    'province_code',
    'registration_date',
    'customer_status',
    'updated_at',
] -%}

{{ quarantined_rows('int_customers_validated', 'customers', columns) }}

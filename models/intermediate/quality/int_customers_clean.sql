{#- Raw customers rows that pass every data-quality check: what the rest of the project reads. -#}
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

{{ clean_rows('int_customers_validated', columns) }}

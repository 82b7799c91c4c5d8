{#- Raw devices rows that pass every data-quality check: what the rest of the project reads. -#}
{%- set columns = [
    'device_id',
    'customer_id',
    'device_type',
    'device_identifier',
    'os_info',
    'is_trusted',
    'device_status',
    'first_seen_at',
    'last_seen_at',
    'updated_at',
] -%}

{{ clean_rows('int_devices_validated', columns) }}

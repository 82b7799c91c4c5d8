{#- Raw devices rows set aside, each with the reason code of the first rule it breaks. -#}
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

{{ quarantined_rows('int_devices_validated', 'devices', columns) }}

{#- Raw authentication_logs rows set aside, each with the reason code of the first rule it breaks. -#}
{%- set columns = [
    'auth_log_id',
    'transaction_id',
    'auth_method_id',
    'auth_result',
    'failure_reason',
    'authenticated_at',
] -%}

{{ quarantined_rows('int_authentication_logs_validated', 'authentication_logs', columns) }}

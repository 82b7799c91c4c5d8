{#- Raw authentication_logs rows that pass every data-quality check: what the rest of the project reads. -#}
{%- set columns = [
    'auth_log_id',
    'transaction_id',
    'auth_method_id',
    'auth_result',
    'failure_reason',
    'authenticated_at',
] -%}

{{ clean_rows('int_authentication_logs_validated', columns) }}

{#- Per raw table: its staging model, its name, and its columns after staging (in order). The one
    list the clean models, the quarantine models and the reconciliation test share. -#}
{% macro dq_entities() -%}
    {{ return({
        'accounts': {'staging_model': 'stg_core_banking__accounts', 'raw_table': 'bank_accounts', 'columns': [
            'account_id',
            'customer_id',
            'account_number',
            'account_type',
            'currency_code',
            'balance_vnd',
            'account_status',
            'opened_at',
            'updated_at',
        ]},
        'authentication_logs': {'staging_model': 'stg_core_banking__authentication_logs', 'raw_table': 'authentication_logs', 'columns': [
            'auth_log_id',
            'transaction_id',
            'auth_method_id',
            'auth_result',
            'failure_reason',
            'authenticated_at',
        ]},
        'counterparty_accounts': {'staging_model': 'stg_interbank__counterparty_accounts', 'raw_table': 'other_bank_accounts', 'columns': [
            'counterparty_account_id',
            'counterparty_customer_id',
            'bank_code',
            'account_number',
            'currency_code',
        ]},
        'counterparty_customers': {'staging_model': 'stg_interbank__counterparty_customers', 'raw_table': 'other_bank_customers', 'columns': [
            'counterparty_customer_id',
            'bank_code',
            'customer_type',
            'full_name',
            'country_code',
        ]},
        'customers': {'staging_model': 'stg_core_banking__customers', 'raw_table': 'customers', 'columns': [
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
        ]},
        'devices': {'staging_model': 'stg_core_banking__devices', 'raw_table': 'devices', 'columns': [
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
        ]},
        'fraud_labels': {'staging_model': 'stg_ground_truth__fraud_labels', 'raw_table': 'fraud_labels', 'columns': [
            'transaction_id',
            'fraud_scenario',
            'fraud_event_id',
        ]},
        'transactions': {'staging_model': 'stg_core_banking__transactions', 'raw_table': 'payment_transactions', 'columns': [
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
        ]},
    }) }}
{%- endmacro %}

{#- The rows of a validated model that pass every check (clean) or fail one (quarantine). -#}
{% macro clean_rows(entity) -%}
    select
        {{ dq_entities()[entity]['columns'] | join(",\n        ") }}
    from {{ ref('int_' ~ entity ~ '_validated') }}
    where dq_reason is null
{%- endmacro %}

{% macro quarantined_rows(entity) -%}
    select
        '{{ dq_entities()[entity]['raw_table'] }}' as raw_table,
        dq_reason,
        {{ dq_entities()[entity]['columns'] | join(",\n        ") }}
    from {{ ref('int_' ~ entity ~ '_validated') }}
    where dq_reason is not null
{%- endmacro %}

{#- The two incremental validated models (transactions, authentication logs) check keys the same way.
    earlier_clean_keys: keys already clean on a day built before the cutoff, among those arriving now
    (only they can collide); nothing on a first build. keyed_rows: each row's copy number among the
    rows checked now, and whether its key was already clean earlier. -#}
{% macro earlier_clean_keys(key, arriving, cutoff) -%}
    {%- if is_incremental() %}
        select distinct {{ key }} from {{ this }}
        where
            {{ key }} in (select arriving.{{ key }} from {{ arriving }} as arriving)
            and dq_partition_date < {{ cutoff }} and dq_partition_date > cast('1900-01-01' as date)
            and (dq_reason is null or dq_reason in ('duplicate_key', 'orphan_reference'))
    {%- else %}
        select cast(null as bigint) as {{ key }}
        where 1 = 0
    {%- endif %}
{%- endmacro %}

{% macro keyed_rows(key, order_column) -%}
    select
        checked.*,
        row_number() over (
            partition by checked.{{ key }}, checked.check_reason is null order by checked.{{ order_column }}
        ) as key_copy,
        earlier_keys.{{ key }} is not null and checked.check_reason is null as is_key_seen_before
    from checked
    left join earlier_keys
        on checked.{{ key }} = earlier_keys.{{ key }}
{%- endmacro %}

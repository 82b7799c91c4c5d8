{#- Quarantined raw rows per table and reason code, beside the table's raw row count. -#}

{%- set entities = ['customers', 'accounts', 'devices', 'counterparty_customers', 'counterparty_accounts',
                    'transactions', 'authentication_logs', 'fraud_labels'] %}

with

quarantined as (
    {%- for entity in entities %}
        select
            raw_table,
            dq_reason,
            count(*) as quarantined_rows
        from {{ ref('quarantine_' ~ entity) }}
        group by raw_table, dq_reason
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from quarantined

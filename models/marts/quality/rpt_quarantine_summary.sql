{#- Quarantined raw rows per table and reason code, with the reason's place in the checks and its rationale. -#}

{%- set entities = ['customers', 'accounts', 'devices', 'counterparty_customers', 'counterparty_accounts',
                    'transactions', 'inbound_transfers', 'authentication_logs', 'fraud_labels'] %}

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
),

reasons as (
    select * from {{ ref('dq_reason_codes') }}
),

final as (
    select
        quarantined.raw_table,
        quarantined.dq_reason,
        reasons.check_order,
        reasons.rationale,
        quarantined.quarantined_rows
    from quarantined
    left join reasons
        on quarantined.dq_reason = reasons.reason_code
)

select * from final

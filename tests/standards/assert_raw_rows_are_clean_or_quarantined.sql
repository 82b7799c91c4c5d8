{{ config(
    severity='error',
    meta={'rationale': 'Nothing is silently dropped: every raw row is either clean or quarantined.'},
) }}

-- Reconciliation: for every raw table, raw rows = clean rows + quarantined rows. Fails per table.
{%- set staging = {'customers': 'stg_core_banking__customers', 'accounts': 'stg_core_banking__accounts', 'devices': 'stg_core_banking__devices', 'counterparty_customers': 'stg_interbank__counterparty_customers', 'counterparty_accounts': 'stg_interbank__counterparty_accounts', 'transactions': 'stg_core_banking__transactions', 'authentication_logs': 'stg_core_banking__authentication_logs', 'fraud_labels': 'stg_ground_truth__fraud_labels'} %}

with counts as (
    {%- for entity, staging_model in staging.items() %}
    select
        '{{ entity }}' as entity,
        (select count(*) from {{ ref(staging_model) }}) as raw_rows,
        (select count(*) from {{ ref('int_' ~ entity ~ '_clean') }}) as clean_rows,
        (select count(*) from {{ ref('quarantine_' ~ entity) }}) as quarantined_rows
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from counts
where raw_rows <> clean_rows + quarantined_rows

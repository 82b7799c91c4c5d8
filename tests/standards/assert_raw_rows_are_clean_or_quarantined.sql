{{ config(
    severity='error',
    meta={'rationale': 'Nothing is silently dropped: every raw row is either clean or quarantined.'},
) }}

-- Reconciliation: for every raw table, raw rows = clean rows + quarantined rows. Fails per table.
-- Each entry: the entity (int_<entity>_clean, quarantine_<entity>) and the staging model of its raw table.
{%- set entities = [
    ('accounts', 'stg_core_banking__accounts'),
    ('authentication_logs', 'stg_core_banking__authentication_logs'),
    ('counterparty_accounts', 'stg_interbank__counterparty_accounts'),
    ('counterparty_customers', 'stg_interbank__counterparty_customers'),
    ('customers', 'stg_core_banking__customers'),
    ('devices', 'stg_core_banking__devices'),
    ('fraud_labels', 'stg_ground_truth__fraud_labels'),
    ('inbound_transfers', 'stg_interbank__inbound_transfers'),
    ('transactions', 'stg_core_banking__transactions')
] %}

with

counts as (
    {%- for entity, staging_model in entities %}
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

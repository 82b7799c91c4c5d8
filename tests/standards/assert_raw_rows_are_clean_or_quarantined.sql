{{ config(
    severity='error',
    meta={'rationale': 'Nothing is silently dropped: every raw row is either clean or quarantined.'},
) }}

-- Reconciliation: for every raw table, raw rows = clean rows + quarantined rows. Fails per table.

with

counts as (
    {%- for entity, spec in dq_entities().items() %}
        select
            '{{ entity }}' as entity,
            (select count(*) from {{ ref(spec['staging_model']) }}) as raw_rows,
            (select count(*) from {{ ref('int_' ~ entity ~ '_clean') }}) as clean_rows,
            (select count(*) from {{ ref('quarantine_' ~ entity) }}) as quarantined_rows
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from counts
where raw_rows <> clean_rows + quarantined_rows

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

{#- The two incremental validated models (transactions, authentication logs) check keys the same way.
    earlier_clean_keys: keys already clean on a day built before the cutoff, among those arriving now
    (only they can collide); nothing on a first build. -#}
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

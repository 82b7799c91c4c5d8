{#- The rows of a validated model that pass every check (clean) or fail one (quarantine). The
    validated models list their columns explicitly, with dq_reason last. -#}
{% macro clean_rows(validated_model, columns) -%}
    select
        {{ columns | join(",\n        ") }}
    from {{ ref(validated_model) }}
    where dq_reason is null
{%- endmacro %}

{% macro quarantined_rows(validated_model, raw_table, columns) -%}
    select
        '{{ raw_table }}' as raw_table,
        dq_reason,
        {{ columns | join(",\n        ") }}
    from {{ ref(validated_model) }}
    where dq_reason is not null
{%- endmacro %}

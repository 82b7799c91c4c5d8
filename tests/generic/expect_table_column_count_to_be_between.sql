{#- dbt-expectations: the number of columns lies within the bounds. One failure when it does not. -#}
{% test expect_table_column_count_to_be_between(model, min_value=none, max_value=none) %}
{{- dq_require_bound('expect_table_column_count_to_be_between', min_value, max_value) }}
{%- set n = dq_column_names(model) | length -%}
select {{ n }} as column_count
where not {{ dq_between(n | string, min_value, max_value) }}
{% endtest %}

{#- dbt-expectations: the model has `value` columns. One failure when it does not. -#}
{% test expect_table_column_count_to_equal(model, value) %}
{%- set n = dq_column_names(model) | length -%}
select {{ n }} as column_count
where not ({{ n }} = {{ value }})
{% endtest %}

{#- dbt-expectations: the model has as many columns as compare_model. One failure when it does not. -#}
{% test expect_table_column_count_to_equal_other_table(model, compare_model) %}
{%- set n = dq_column_names(model) | length -%}
{%- set m = dq_column_names(compare_model) | length -%}
select {{ n }} as column_count, {{ m }} as compare_column_count
where not ({{ n }} = {{ m }})
{% endtest %}

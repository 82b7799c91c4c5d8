{#- dbt-expectations: the length of every value lies within the bounds; nulls pass. One failure per row. -#}
{% test expect_column_value_lengths_to_be_between(
    model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false
) %}
{{- dq_require_bound('expect_column_value_lengths_to_be_between', min_value, max_value) }}
{{ dq_expression_failures(model, dq_between(dbt.length(column_name), min_value, max_value, strictly), none, row_condition) }}
{% endtest %}

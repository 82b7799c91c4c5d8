{#- dbt-expectations: no value is like `like_pattern`; nulls pass. One failure per row. -#}
{% test expect_column_values_to_not_match_like_pattern(model, column_name, like_pattern, row_condition=none) %}
{{ dq_expression_failures(model, column_name ~ " not like '" ~ like_pattern ~ "'", none, row_condition) }}
{% endtest %}

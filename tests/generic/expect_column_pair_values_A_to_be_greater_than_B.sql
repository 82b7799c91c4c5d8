{#- dbt-expectations: column_A > column_B (>= with or_equal); a null on either side passes. One failure per row. -#}
{% test expect_column_pair_values_A_to_be_greater_than_B(
    model, column_A, column_B, or_equal=false, row_condition=none
) %}
{{ dq_expression_failures(model, column_A ~ (' >= ' if or_equal else ' > ') ~ column_B, none, row_condition) }}
{% endtest %}

{#- dbt-expectations: `expression` holds for every row (or, with an aggregate expression, for the table or each
    group_by group); test_condition is appended to it (default "= true"). One failure per row or group. -#}
{% test expression_is_true(model, expression, test_condition="= true", group_by_columns=none, row_condition=none) %}
{{ dq_expression_failures(model, '(' ~ expression ~ ') ' ~ test_condition, group_by_columns, row_condition) }}
{% endtest %}

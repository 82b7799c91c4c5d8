{#- dbt-expectations: the model has none of the columns of column_list. One failure per column it has. -#}
{% test expect_table_columns_to_not_contain_set(model, column_list, transform="upper") %}
{{ dq_column_set_failures(model, column_list, transform, 'not_contain') }}
{% endtest %}

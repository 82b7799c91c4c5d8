{#- dbt-expectations: the model has every column of column_list. One failure per missing column. -#}
{% test expect_table_columns_to_contain_set(model, column_list, transform="upper") %}
{{ dq_column_set_failures(model, column_list, transform, 'contain') }}
{% endtest %}

{#- dbt-expectations: the model's columns are column_list, in that order. One failure per position that differs. -#}
{% test expect_table_columns_to_match_ordered_list(model, column_list, transform="upper") %}
{{ dq_column_set_failures(model, column_list, transform, 'ordered') }}
{% endtest %}

{#- dbt-expectations: the column's data type (as the adapter names it, upper-cased) is one of column_type_list.
    One failure when it is not; none when the column does not exist. -#}
{% test expect_column_values_to_be_in_type_list(model, column_name, column_type_list) %}
{{ dq_type_failures(model, column_name, column_type_list) }}
{% endtest %}

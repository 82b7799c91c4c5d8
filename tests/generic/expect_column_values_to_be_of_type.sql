{#- dbt-expectations: the column's data type (as the adapter names it, upper-cased) is column_type.
    One failure when it is not; none when the column does not exist. -#}
{% test expect_column_values_to_be_of_type(model, column_name, column_type) %}
{{ dq_type_failures(model, column_name, [column_type]) }}
{% endtest %}

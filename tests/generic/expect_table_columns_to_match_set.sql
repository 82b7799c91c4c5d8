{#- dbt-expectations: the model's columns are exactly column_list, in any order (names compared after
    `transform`). One failure per column on one side only. -#}
{% test expect_table_columns_to_match_set(model, column_list, transform="upper") %}
{{ dq_column_set_failures(model, column_list, transform, 'match') }}
{% endtest %}

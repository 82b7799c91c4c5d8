{#- dbt-expectations: every value contains a match for `regex` (engine options in `flags`). A null passes on
    DuckDB and fails on PostgreSQL, as with the package. One failure per row. -#}
{% test expect_column_values_to_match_regex(model, column_name, regex, row_condition=none, is_raw=false, flags="") %}
{{ dq_expression_failures(model, dq_regex_found(column_name, regex, flags), none, row_condition) }}
{% endtest %}

{#- dbt-expectations: no value contains a match for `regex` (engine options in `flags`); nulls pass. One failure per row. -#}
{% test expect_column_values_to_not_match_regex(model, column_name, regex, row_condition=none, is_raw=false, flags="") %}
{{ dq_expression_failures(model, 'not (' ~ dq_regex_found(column_name, regex, flags) ~ ')', none, row_condition) }}
{% endtest %}

{#- dbt-expectations: every value matches any (match_on='any', the default) or all of regex_list. One failure per row. -#}
{% test expect_column_values_to_match_regex_list(
    model, column_name, regex_list, match_on="any", row_condition=none, is_raw=false, flags=""
) %}
{%- set parts = [] -%}
{%- for regex in regex_list -%}{%- do parts.append(dq_regex_found(column_name, regex, flags)) -%}{%- endfor -%}
{{ dq_expression_failures(model, '(' ~ parts | join(' and ' if match_on == 'all' else ' or ') ~ ')', none, row_condition) }}
{% endtest %}

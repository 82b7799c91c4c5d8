{#- dbt-expectations: no value matches any (match_on='any', the default) of regex_list, or not all of them
    (match_on='all'). One failure per row. -#}
{% test expect_column_values_to_not_match_regex_list(
    model, column_name, regex_list, match_on="any", row_condition=none, is_raw=false, flags=""
) %}
{%- set parts = [] -%}
{%- for regex in regex_list -%}{%- do parts.append('not (' ~ dq_regex_found(column_name, regex, flags) ~ ')') -%}{%- endfor -%}
{{ dq_expression_failures(model, '(' ~ parts | join(' or ' if match_on == 'all' else ' and ') ~ ')', none, row_condition) }}
{% endtest %}

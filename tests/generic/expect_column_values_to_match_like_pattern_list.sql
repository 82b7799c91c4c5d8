{#- dbt-expectations: every value is like any (match_on='any', the default) or all of like_pattern_list. One failure per row. -#}
{% test expect_column_values_to_match_like_pattern_list(model, column_name, like_pattern_list, match_on="any", row_condition=none) %}
{%- set parts = [] -%}
{%- for p in like_pattern_list -%}{%- do parts.append(column_name ~ " like '" ~ p ~ "'") -%}{%- endfor -%}
{{ dq_expression_failures(model, '(' ~ parts | join(' and ' if match_on == 'all' else ' or ') ~ ')', none, row_condition) }}
{% endtest %}

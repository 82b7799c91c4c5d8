{#- dbt-expectations: no value is like any (match_on='any', the default) of like_pattern_list, or not like all
    of them (match_on='all'). One failure per row. -#}
{% test expect_column_values_to_not_match_like_pattern_list(model, column_name, like_pattern_list, match_on="any", row_condition=none) %}
{%- set parts = [] -%}
{%- for p in like_pattern_list -%}{%- do parts.append(column_name ~ " not like '" ~ p ~ "'") -%}{%- endfor -%}
{{ dq_expression_failures(model, '(' ~ parts | join(' or ' if match_on == 'all' else ' and ') ~ ')', none, row_condition) }}
{% endtest %}

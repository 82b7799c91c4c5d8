{#- dbt-expectations: the sum of column_list's sums (per group_by) equals sum_total, a number or a column whose
    sum is compared; a null sum passes. One failure per group. -#}
{% test expect_multicolumn_sum_to_equal(model, column_list, sum_total, group_by=none, row_condition=none) %}
{%- set parts = [] -%}
{%- for c in column_list -%}{%- do parts.append('sum(' ~ c ~ ')') -%}{%- endfor -%}
{%- set total = sum_total if sum_total is number else 'sum(' ~ sum_total ~ ')' -%}
{{ dq_expression_failures(model, parts | join(' + ') ~ ' = ' ~ total, group_by, row_condition) }}
{% endtest %}

{#- dbt-expectations: column_A > column_B (>= with or_equal) where both are present. One failure per row. -#}
{% test expect_column_pair_values_A_to_be_greater_than_B(
    model, column_A, column_B, or_equal=false, row_condition=none
) %}
select {{ column_A }}, {{ column_B }}
from {{ model }}
{{ dq_where(row_condition) }}
    and {{ column_A }} is not null
    and {{ column_B }} is not null
    and not ({{ column_A }} {{ '>=' if or_equal else '>' }} {{ column_B }})
{% endtest %}

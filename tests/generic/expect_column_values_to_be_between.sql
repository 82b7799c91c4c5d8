{#- dbt-expectations: non-null values lie within [min_value, max_value] (open with strictly). One failure per row. -#}
{% test expect_column_values_to_be_between(
    model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false
) %}
{{- dq_require_bound('expect_column_values_to_be_between', min_value, max_value) }}
select {{ column_name }}
from {{ model }}
{{ dq_where(row_condition) }}
    and {{ column_name }} is not null
    and not (
        1 = 1
        {% if min_value is not none %}and {{ dq_compare(column_name, 'min', min_value, strictly) }}{% endif %}
        {% if max_value is not none %}and {{ dq_compare(column_name, 'max', max_value, strictly) }}{% endif %}
    )
{% endtest %}

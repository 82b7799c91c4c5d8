{#- dbt-expectations: the length of every non-null value lies within the bounds. One failure per row. -#}
{% test expect_column_value_lengths_to_be_between(
    model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false
) %}
{{- dq_require_bound('expect_column_value_lengths_to_be_between', min_value, max_value) }}
select {{ column_name }}
from {{ model }}
{{ dq_where(row_condition) }}
    and {{ column_name }} is not null
    and not (
        1 = 1
        {% if min_value is not none %}and {{ dq_compare('length(' ~ column_name ~ ')', 'min', min_value, strictly) }}{% endif %}
        {% if max_value is not none %}and {{ dq_compare('length(' ~ column_name ~ ')', 'max', max_value, strictly) }}{% endif %}
    )
{% endtest %}

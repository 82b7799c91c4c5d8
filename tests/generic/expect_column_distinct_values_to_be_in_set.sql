{#- dbt-expectations: every distinct value is one of value_set (a null fails). One failure per distinct value outside it. -#}
{% test expect_column_distinct_values_to_be_in_set(model, column_name, value_set, quote_values=true, row_condition=none) %}
with all_values as (
    select distinct {{ column_name }} as value_field
    from {{ model }}
    {{ dq_where(row_condition) }}
),

set_values as (
    select distinct value_field from ({{ dq_value_rows(value_set, quote_values) }}) as listed
)

select all_values.value_field
from all_values
left join set_values
    on all_values.value_field = set_values.value_field
where set_values.value_field is null
{% endtest %}

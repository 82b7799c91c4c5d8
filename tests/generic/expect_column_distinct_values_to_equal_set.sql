{#- dbt-expectations: the distinct values are exactly value_set. One failure per value on one side only (a null counts). -#}
{% test expect_column_distinct_values_to_equal_set(model, column_name, value_set, quote_values=true, row_condition=none) %}
with all_values as (
    select distinct {{ column_name }} as column_value
    from {{ model }}
    {{ dq_where(row_condition) }}
),

set_values as (
    select distinct value_field from ({{ dq_value_rows(value_set, quote_values) }}) as listed
)

select all_values.column_value, set_values.value_field
from all_values
full outer join set_values
    on all_values.column_value = set_values.value_field
where all_values.column_value is null or set_values.value_field is null
{% endtest %}

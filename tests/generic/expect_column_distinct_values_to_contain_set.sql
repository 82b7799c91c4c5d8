{#- dbt-expectations: every value of value_set occurs in the column. One failure per value of the set that is missing. -#}
{% test expect_column_distinct_values_to_contain_set(model, column_name, value_set, quote_values=true, row_condition=none) %}
with all_values as (
    select distinct {{ column_name }} as value_field
    from {{ model }}
    {{ dq_where(row_condition) }}
),

set_values as (
    select distinct value_field from ({{ dq_value_rows(value_set, quote_values) }}) as listed
)

select set_values.value_field
from set_values
left join all_values
    on set_values.value_field = all_values.value_field
where all_values.value_field is null
{% endtest %}

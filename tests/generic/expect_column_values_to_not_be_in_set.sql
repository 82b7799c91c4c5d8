{#- dbt-expectations: no value is one of value_set; nulls pass. One failure per row in the set. -#}
{% test expect_column_values_to_not_be_in_set(model, column_name, value_set, quote_values=true, row_condition=none) %}
with all_values as (
    select {{ column_name }} as value_field
    from {{ model }}
    {{ dq_where(row_condition) }}
),

set_values as (
    {{ dq_value_rows(value_set, quote_values) }}
)

select all_values.value_field
from all_values
inner join set_values
    on all_values.value_field = set_values.value_field
{% endtest %}

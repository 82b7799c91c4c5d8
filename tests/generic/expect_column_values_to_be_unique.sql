{#- dbt-expectations: non-null values are unique. One failure per duplicated value (with its row count). -#}
{% test expect_column_values_to_be_unique(model, column_name, row_condition=none) %}
select
    {{ column_name }},
    count(*) as n_records
from {{ model }}
{{ dq_where(row_condition) }}
    and {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{% endtest %}

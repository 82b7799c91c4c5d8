{#- dbt-expectations: every non-null value is one of value_set. One failure per row. -#}
{% test expect_column_values_to_be_in_set(model, column_name, value_set, quote_values=true, row_condition=none) %}
select {{ column_name }}
from {{ model }}
{{ dq_where(row_condition) }}
    and {{ column_name }} is not null
    and {{ column_name }} not in (
        {%- for v in value_set -%}
            {%- if quote_values %}'{{ v }}'{% else %}{{ v }}{% endif %}{{ ", " if not loop.last }}
        {%- endfor -%}
    )
{% endtest %}

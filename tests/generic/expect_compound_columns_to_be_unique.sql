{#- dbt-expectations: the combination of column_list is unique; rows are ignored when all (default) or any
    of the columns are null, as ignore_row_if says. One failure per duplicated combination. -#}
{% test expect_compound_columns_to_be_unique(
    model, column_list, quote_columns=false, ignore_row_if="all_values_are_missing", row_condition=none
) %}
{%- if not column_list -%}
    {{ exceptions.raise_compiler_error("expect_compound_columns_to_be_unique needs column_list") }}
{%- endif -%}
{%- set columns = dq_columns(column_list, quote_columns) -%}
select
    {% for c in columns %}{{ c }},
    {% endfor %}count(*) as n_records
from {{ model }}
{{ dq_where(row_condition) }}
    and {{ dq_keep_row(ignore_row_if, columns) }}
group by {{ columns | join(", ") }}
having count(*) > 1
{% endtest %}

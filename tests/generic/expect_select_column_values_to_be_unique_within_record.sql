{#- dbt-expectations: within each row the columns of column_list hold different values. One failure per row. -#}
{% test expect_select_column_values_to_be_unique_within_record(
    model, column_list, quote_columns=false, ignore_row_if="all_values_are_missing", row_condition=none
) %}
select *
from {{ model }}
{{ dq_where(row_condition) }}
    {%- if ignore_row_if == "all_values_are_missing" %}
    and not ({% for c in column_list %}{{ c }} is null{{ " and " if not loop.last }}{% endfor %})
    {%- else %}
    and {% for c in column_list %}{{ c }} is not null{{ " and " if not loop.last }}{% endfor %}
    {%- endif %}
    and (
        {%- for a in column_list %}{% set outer = loop %}{% for b in column_list %}{% if loop.index > outer.index %}
        {{ "or " if not (outer.first and loop.index == 2) }}{{ a }} = {{ b }}
        {%- endif %}{% endfor %}{% endfor %}
    )
{% endtest %}

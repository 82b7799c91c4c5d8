{#-
    Same name and arguments as dbt-expectations' test: the combination of `column_list` is unique.
    Rows are ignored when all (default) or any of the columns are null, as `ignore_row_if` says.
    Fails with one row per duplicated combination.
-#}
{% test expect_compound_columns_to_be_unique(
    model, column_list, quote_columns=false, ignore_row_if="all_values_are_missing", row_condition=none
) %}
{%- set columns = column_list if not quote_columns else column_list | map("tojson") | list -%}
{%- if ignore_row_if not in ["all_values_are_missing", "any_value_is_missing"] -%}
    {{ exceptions.raise_compiler_error("ignore_row_if must be all_values_are_missing or any_value_is_missing") }}
{%- endif -%}
with filtered as (
    select {{ columns | join(", ") }}
    from {{ model }}
    {{ dq_where(row_condition) }}
        {%- if ignore_row_if == "all_values_are_missing" %}
        and not ({% for c in columns %}{{ c }} is null{% if not loop.last %} and {% endif %}{% endfor %})
        {%- else %}
        and {% for c in columns %}{{ c }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
        {%- endif %}
),

duplicated as (
    select
        {{ columns | join(", ") }},
        count(*) as n_rows
    from filtered
    group by {{ columns | join(", ") }}
    having count(*) > 1
)

select * from duplicated
{% endtest %}

{#- Shared pieces of the project's dbt-expectations-compatible generic tests (tests/generic/).
    Each test returns the rows dbt-expectations returns on the same input; docs/data-quality.md has the
    table of names, arguments and the differences that remain. -#}

{#- "where <row_condition>" or "where 1 = 1"; further conditions append with "and". -#}
{% macro dq_where(row_condition) -%}
    where {% if row_condition %}({{ row_condition }}){% else %}1 = 1{% endif %}
{%- endmacro %}

{#- A comparison that is strict or not. -#}
{% macro dq_compare(left, op, right, strictly) -%}
    {%- if op == 'min' -%}{{ left }} {{ '>' if strictly else '>=' }} {{ right }}
    {%- else -%}{{ left }} {{ '<' if strictly else '<=' }} {{ right }}{%- endif -%}
{%- endmacro %}

{#- Validate the bounds of a between-test. -#}
{% macro dq_require_bound(test_name, min_value, max_value) -%}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error(test_name ~ " needs min_value or max_value") }}
    {%- endif -%}
{%- endmacro %}

{#- "(1 = 1 and <expression> >= min and <expression> <= max)", strict when asked. Null stays null. -#}
{% macro dq_between(expression, min_value, max_value, strictly=false) -%}
    (1 = 1
    {%- if min_value is not none %} and {{ dq_compare(expression, 'min', min_value, strictly) }}{% endif %}
    {%- if max_value is not none %} and {{ dq_compare(expression, 'max', max_value, strictly) }}{% endif %})
{%- endmacro %}

{#- The core of most tests: `expression` per row (no group_by, row-level expression), over the whole
    table (no group_by, aggregate expression) or per group; a row or group fails when the expression is
    false. A null expression does not fail, as in dbt-expectations' expression_is_true. -#}
{% macro dq_expression_failures(model, expression, group_by=none, row_condition=none) -%}
with grouped_expression as (
    select
        {% for g in group_by or [] %}{{ g }} as col_{{ loop.index }},
        {% endfor %}{{ expression }} as expression
    from {{ model }}
    {{ dq_where(row_condition) }}
    {% if group_by %}group by {{ group_by | join(", ") }}{% endif %}
)

select * from grouped_expression
where not (expression = true)
{%- endmacro %}

{#- Columns quoted when asked (quote_columns of the multi-column tests). -#}
{% macro dq_columns(column_list, quote_columns=false) -%}
    {%- if quote_columns not in [true, false] -%}
        {{ exceptions.raise_compiler_error("quote_columns must be true or false, got " ~ quote_columns) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for c in column_list -%}
        {%- do columns.append(adapter.quote(c) if quote_columns else c) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- The condition that keeps a row, given ignore_row_if: all_values_are_missing drops rows whose columns
    are all null, any_value_is_missing drops rows with any null. -#}
{% macro dq_keep_row(ignore_row_if, columns) -%}
    {%- if ignore_row_if not in ["all_values_are_missing", "any_value_is_missing"] -%}
        {{ exceptions.raise_compiler_error(
            "ignore_row_if must be all_values_are_missing or any_value_is_missing, got " ~ ignore_row_if) }}
    {%- endif -%}
    not ({% for c in columns %}{{ c }} is null{% if not loop.last %} {{ 'and' if ignore_row_if == 'all_values_are_missing' else 'or' }} {% endif %}{% endfor %})
{%- endmacro %}

{#- A one-column relation of literal values: quoted strings (cast to the string type) or raw SQL. -#}
{% macro dq_value_rows(values, quote_values, column='value_field') -%}
    {%- for v in values -%}
        select {% if quote_values %}cast('{{ v }}' as {{ dbt.type_string() }}){% else %}{{ v }}{% endif %} as {{ column }}
        {%- if not loop.last %} union all {% endif %}
    {%- endfor -%}
{%- endmacro %}

{#- The names of a relation's columns in order, transformed (upper by default, as dbt-expectations). -#}
{% macro dq_column_names(model, transform="upper") -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(model) -%}
            {%- do names.append(column.name | upper if transform == 'upper' else (column.name | lower if transform == 'lower' else column.name)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names) }}
{%- endmacro %}

{#- Transform a list of names as dq_column_names does. -#}
{% macro dq_transform(names, transform="upper") -%}
    {%- set out = [] -%}
    {%- for n in names -%}
        {%- do out.append(n | upper if transform == 'upper' else (n | lower if transform == 'lower' else n)) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro %}

{#- "Now" as dbt-expectations (dbt_date.now) means it: the wall-clock time in the project's time zone
    (var dbt_date:time_zone, Asia/Ho_Chi_Minh here), as a timestamp without time zone. -#}
{% macro dq_now() -%}
    {{ return(adapter.dispatch('dq_now', 'timo_bank')()) }}
{%- endmacro %}

{% macro default__dq_now() -%}
    cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__dq_now() -%}
    cast(timezone('{{ var("dbt_date:time_zone", "Asia/Ho_Chi_Minh") }}', current_timestamp) as timestamp)
{%- endmacro %}

{% macro postgres__dq_now() -%}
    cast(current_timestamp at time zone '{{ var("dbt_date:time_zone", "Asia/Ho_Chi_Minh") }}' as timestamp)
{%- endmacro %}

{#- Spark's timestamps are instants shown in the session time zone (UTC for this project's spark target):
    the bank's wall clock is the instant shown in the bank's zone. -#}
{% macro spark__dq_now() -%}
    from_utc_timestamp(current_timestamp(), '{{ var("dbt_date:time_zone", "Asia/Ho_Chi_Minh") }}')
{%- endmacro %}

{#- Whether `column` contains a match for `regex`, with the value dbt-expectations' regexp_instr(...) > 0
    gives: on DuckDB null for a null value; on PostgreSQL false for a null value (so a null fails
    expect_column_values_to_match_regex there, as it does with the package); on Spark null, as the
    package's length(regexp_extract(...)) gives. `flags` are passed to the engine ('i' ignores case, 'c'
    keeps it; the package ignores them on Spark, this project applies them); `is_raw` changes nothing. -#}
{% macro dq_regex_found(column, regex, flags="") -%}
    {{ return(adapter.dispatch('dq_regex_found', 'timo_bank')(column, regex, flags)) }}
{%- endmacro %}

{% macro default__dq_regex_found(column, regex, flags="") -%}
    regexp_like({{ column }}, '{{ regex }}'{% if flags %}, '{{ flags }}'{% endif %})
{%- endmacro %}

{% macro duckdb__dq_regex_found(column, regex, flags="") -%}
    regexp_matches({{ column }}, '{{ regex }}', '{{ flags }}')
{%- endmacro %}

{% macro postgres__dq_regex_found(column, regex, flags="") -%}
    coalesce(regexp_match({{ column }}, '{{ regex }}', '{{ flags }}') is not null, false)
{%- endmacro %}

{#- Spark (Java regular expressions) takes the flags inline: i ignores case and c keeps it (the last of the
    two wins, as on PostgreSQL), s lets . match a newline, m makes ^ and $ match at line ends, x allows
    whitespace and comments. A null value gives null, as on DuckDB. -#}
{% macro spark__dq_regex_found(column, regex, flags="") -%}
    {%- set case_flags = (flags or "") | select("in", "ic") | list -%}
    {%- set inline = (flags or "") | select("in", "smx") | unique | list -%}
    {%- if case_flags and case_flags[-1] == "i" -%}
        {%- do inline.insert(0, "i") -%}
    {%- endif -%}
    regexp_like({{ column }}, '{{ "(?" ~ (inline | join("")) ~ ")" if inline else "" }}{{ regex }}')
{%- endmacro %}

{#- Compare an aggregate of two relations, optionally per group, as dbt-expectations' equal_expression:
    a missing group or a null aggregate counts as 0; the difference is absolute, or relative to the
    model's value with tolerance_percent; compare_row_condition and compare_group_by default to the
    model's. One failure per mismatching group. -#}
{% macro dq_compare_aggregates(model, expression, compare_model, compare_expression, group_by, compare_group_by,
                               row_condition, compare_row_condition, tolerance, tolerance_percent) %}
{%- set compare_model = compare_model or model -%}
{%- set compare_expression = compare_expression or expression -%}
{%- set compare_group_by = compare_group_by or group_by -%}
{%- set compare_row_condition = compare_row_condition or row_condition -%}
{%- set n_groups = (group_by or []) | length -%}
with a as (
    select
        {% for g in group_by or [] %}{{ g }} as col_{{ loop.index }},
        {% endfor %}{{ expression }} as expression
    from {{ model }}
    {{ dq_where(row_condition) }}
    {% if group_by %}group by {{ group_by | join(", ") }}{% endif %}
),

b as (
    select
        {% for g in compare_group_by or [] %}{{ g }} as col_{{ loop.index }},
        {% endfor %}{{ compare_expression }} as expression
    from {{ compare_model }}
    {{ dq_where(compare_row_condition) }}
    {% if compare_group_by %}group by {{ compare_group_by | join(", ") }}{% endif %}
),

compared as (
    select
        {% for i in range(1, n_groups + 1) %}coalesce(a.col_{{ i }}, b.col_{{ i }}) as col_{{ i }},
        {% endfor %}a.expression,
        b.expression as compare_expression,
        abs(coalesce(a.expression, 0) - coalesce(b.expression, 0)) as expression_difference,
        abs(coalesce(a.expression, 0) - coalesce(b.expression, 0))
        / nullif(a.expression * 1.0, 0) as expression_difference_percent
    from a
    {% if n_groups > 0 -%}
    full outer join b
        on {% for i in range(1, n_groups + 1) %}a.col_{{ i }} = b.col_{{ i }}{% if not loop.last %} and {% endif %}{% endfor %}
    {%- else -%}
    cross join b
    {%- endif %}
)

select * from compared
where
    {% if tolerance_percent %}expression_difference_percent > {{ tolerance_percent }}
    {% else %}expression_difference > {{ tolerance }}{% endif %}
{% endmacro %}

{#- The type tests: one failure when column_name's data type (upper-cased, as the adapter names it) is
    not among column_type_list. -#}
{% macro dq_type_failures(model, column_name, column_type_list) -%}
{%- set columns = adapter.get_columns_in_relation(model) if execute else [] -%}
{%- set wanted = dq_transform(column_type_list) -%}
{%- if columns | length == 0 -%}
select cast(null as {{ dbt.type_string() }}) as relation_column where 1 = 0
{%- else -%}
with relation_columns as (
    {% for column in columns -%}
    select
        cast('{{ column.name | upper }}' as {{ dbt.type_string() }}) as relation_column,
        cast('{{ column.dtype | upper }}' as {{ dbt.type_string() }}) as relation_column_type
    {% if not loop.last %}union all {% endif %}
    {%- endfor %}
)

select * from relation_columns
where
    relation_column = '{{ column_name | upper }}'
    and relation_column_type not in ('{{ wanted | join("', '") }}')
{%- endif -%}
{%- endmacro %}

{#- The column-set tests (mode: match, contain, not_contain, ordered), names compared after `transform`. -#}
{% macro dq_column_set_failures(model, column_list, transform, mode) -%}
{%- set relation_names = dq_column_names(model, transform) -%}
{%- set input_names = dq_transform(column_list, transform) -%}
{%- if not execute -%}
select cast(null as {{ dbt.type_string() }}) as relation_column where 1 = 0
{%- else -%}
with relation_columns as (
    {% for n in relation_names -%}
    select cast('{{ n }}' as {{ dbt.type_string() }}) as relation_column, {{ loop.index }} as relation_column_index
    {% if not loop.last %}union all {% endif %}
    {%- endfor %}
),

input_columns as (
    {% for n in input_names -%}
    select cast('{{ n }}' as {{ dbt.type_string() }}) as input_column, {{ loop.index }} as input_column_index
    {% if not loop.last %}union all {% endif %}
    {%- endfor %}
)

{% if mode == 'match' -%}
select relation_columns.relation_column, input_columns.input_column
from relation_columns
full outer join input_columns
    on relation_columns.relation_column = input_columns.input_column
where relation_columns.relation_column is null or input_columns.input_column is null
{%- elif mode == 'ordered' -%}
select relation_columns.*, input_columns.*
from relation_columns
full outer join input_columns
    on
        relation_columns.relation_column = input_columns.input_column
        and relation_columns.relation_column_index = input_columns.input_column_index
where relation_columns.relation_column is null or input_columns.input_column is null
{%- elif mode == 'contain' -%}
select input_columns.input_column
from input_columns
left join relation_columns
    on input_columns.input_column = relation_columns.relation_column
where relation_columns.relation_column is null
{%- else -%}
select input_columns.input_column
from input_columns
inner join relation_columns
    on input_columns.input_column = relation_columns.relation_column
{%- endif %}
{%- endif -%}
{%- endmacro %}

{#- A moving-band test's value: its natural log (0 for 0 or null) with take_logs, else the value (0 for null). -#}
{% macro dq_metric_value(value, take_logs) -%}
    {%- if take_logs -%}coalesce(ln(nullif({{ value }}, 0)), 0){%- else -%}coalesce({{ value }}, 0){%- endif -%}
{%- endmacro %}

{#- The increasing / decreasing tests: each row against the row before it in sort_column order (per
    group_by); `op` is '>' (increasing) or '<' (decreasing); a null on either side passes. -#}
{% macro dq_order_failures(model, column_name, sort_column, strictly, row_condition, group_by, step, op) -%}
with all_values as (
    select
        {{ sort_column or column_name }} as sort_column,
        {% for g in group_by or [] %}{{ g }},
        {% endfor %}{{ column_name }} as value_field
    from {{ model }}
    {{ dq_where(row_condition) }}
),

add_lag_values as (
    select
        *,
        lag(value_field) over (
            {% if group_by %}partition by {{ group_by | join(", ") }}{% endif %}
            order by sort_column
        ) as value_field_lag
    from all_values
)

select * from add_lag_values
where
    value_field_lag is not null
    and not (
        (value_field {{ op if strictly else op ~ '=' }} value_field_lag)
        {% if step %}and ({{ 'value_field - value_field_lag' if op == '>' else 'value_field_lag - value_field' }}) = {{ step }}{% endif %}
    )
{%- endmacro %}

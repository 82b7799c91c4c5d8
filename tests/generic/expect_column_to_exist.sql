{#- dbt-expectations: the model has column_name (compared after `transform`, upper by default), at the 1-based
    column_index when given. One failure when it does not. -#}
{% test expect_column_to_exist(model, column_name, column_index=none, transform="upper") %}
{%- set wanted = dq_transform([column_name], transform)[0] -%}
{%- set names = dq_column_names(model, transform) -%}
{%- set found = names.index(wanted) if wanted in names else -1 -%}
{%- set index_matches = (not column_index) or found == ((column_index - 1) if column_index > 0 else 0) -%}
select
    cast('{{ wanted }}' as {{ dbt.type_string() }}) as column_name,
    {{ found }} as matching_column_index
where not ({{ 'true' if found >= 0 and index_matches else 'false' }})
{% endtest %}

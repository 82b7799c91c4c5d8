{#- dbt-expectations' test of the same name: every non-null value matches `regex`. Fails per row. -#}
{% test expect_column_values_to_match_regex(model, column_name, regex, row_condition=none, is_raw=false, flags="") %}
select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and not ({{ timo_bank.regex_matches(column_name, regex) }})
    {% if row_condition %}and ({{ row_condition }}){% endif %}
{% endtest %}

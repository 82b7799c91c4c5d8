{#- dbt-expectations: no non-null value contains a match for `regex`. One failure per row. -#}
{% test expect_column_values_to_not_match_regex(model, column_name, regex, row_condition=none, is_raw=false, flags="") %}
select {{ column_name }}
from {{ model }}
{{ dq_where(row_condition) }}
    and {{ column_name }} is not null
    and {{ timo_bank.regex_matches(column_name, regex) }}
{% endtest %}

{#-
    One branch of fct_risk_alerts: the rows of `relation` where `rule.when` holds, in the common
    alert shape. `key` is 'transaction' (one alert per transaction) or 'customer_day'. A transaction
    rule's account is the sending account unless `rule.account` names another column.
-#}
{% macro alert_branch(rule, relation, key) -%}
    select
        '{{ rule.code }}' as rule_code,
        {%- if key == 'transaction' %}
        transaction_id,
        customer_id,
        {{ rule.get('account', 'from_account_id') }} as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        {%- else %}
        cast(null as bigint) as transaction_id,
        customer_id,
        cast(null as bigint) as account_id,
        transaction_date as alert_date,
        last_transacted_at as alerted_at,
        {%- endif %}
        cast({{ rule.get('value', 'null') }} as numeric(24, 2)) as trigger_value,
        cast({{ rule.get('threshold', 'null') }} as numeric(24, 2)) as threshold_value,
        {{ rule.details }} as trigger_details
    from {{ relation }}
    where {{ rule.when }}
{%- endmacro %}

{#- Cast an expression to text for alert details. -#}
{% macro as_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}

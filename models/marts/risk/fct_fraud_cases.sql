{#- Spark replaces whole partitions, never rows by key, so there the cases are rebuilt whole. -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    unique_key='last_signal_date',
    replaced_keys=['case_id'],
    lookup_keys=['case_id'],
) }}
{%- set cutoff = incremental_cutoff('last_signal_date') %}

{#-
    Fraud cases: groups of a customer's connected signals (fct_fraud_case_signals), scored per
    typology with the weights of seeds/typology_rule_weights.csv (each rule counts once per case), kept
    when the best score reaches that typology's review score (seeds/typology_thresholds.csv). The
    recommended action is block at the block score, review below it.

    Incremental by the day of a case's last signal: a run rescores, from all their signals however
    early they began, every group with a signal on a rebuilt day and every case whose last signal was
    on one (the rebuilt days may have lost it). The delete takes the cases whose last signal falls on a
    rebuilt day and, by case_id (replaced_keys, macros/incremental.sql), the earlier version of every
    group rescored, so that a case that gained a signal today is replaced, not repeated.
-#}

with

{%- if is_incremental() %}

    rescored as (
        -- the groups with a signal on a rebuilt day, and the cases whose last signal was on one:
        -- rebuilt days may have lost that signal, and the rest of the group is scored again
        select case_id
        from {{ ref('fct_fraud_case_signals') }}
        where alert_date >= {{ cutoff }}
        union
        select case_id
        from {{ this }}
        where last_signal_date >= {{ cutoff }}
    ),
{%- endif %}

case_signals as (
    select * from {{ ref('fct_fraud_case_signals') }}
    {%- if is_incremental() %}
        where case_id in (select rescored.case_id from rescored)
    {%- endif %}
),

case_transactions as (
    select * from {{ ref('fct_fraud_case_transactions') }}
    {%- if is_incremental() %}
        where case_id in (select rescored.case_id from rescored)
    {%- endif %}
),

transactions as (
    select
        transaction_id,
        amount_vnd,
        transaction_status
    from {{ ref('fct_transactions') }}
),

weights as (
    select * from {{ ref('typology_rule_weights') }}
),

thresholds as (
    select * from {{ ref('typology_thresholds') }}
),

case_rules as (
    -- one row per rule of a case, with what triggered it
    select
        case_id,
        case_customer_id,
        opening_alert_id,
        rule_code,
        count(*) as signal_count,
        min(trigger_details) as example_details
    from case_signals
    group by case_id, case_customer_id, opening_alert_id, rule_code
),

typology_scores as (
    select
        case_rules.case_id,
        case_rules.case_customer_id,
        case_rules.opening_alert_id,
        weights.typology,
        sum(weights.weight) as risk_score
    from case_rules
    inner join weights
        on case_rules.rule_code = weights.rule_code
    group by case_rules.case_id, case_rules.case_customer_id, case_rules.opening_alert_id, weights.typology
),

best_typology as (
    select
        *,
        row_number() over (
            partition by case_id order by risk_score desc, typology asc
        ) as typology_rank
    from typology_scores
),

rule_summaries as (
    select
        case_id,
        {{ dbt.listagg(
            "rule_code || ' x' || cast(signal_count as " ~ dbt.type_string() ~ ") || ' (' || example_details || ')'",
            "'; '", "order by rule_code") }} as contributing_rules
    from case_rules
    group by case_id
),

case_spans as (
    select
        case_id,
        count(*) as signal_count,
        min(alerted_at) as first_signal_at,
        max(alerted_at) as last_signal_at
    from case_signals
    group by case_id
),

stakes as (
    -- the money the case's transactions moved (completed) or tried to move
    select
        case_transactions.case_id,
        count(*) as transaction_count,
        sum(case when transactions.transaction_status = 'completed' then transactions.amount_vnd else 0 end)
            as completed_amount_vnd,
        sum(transactions.amount_vnd) as attempted_amount_vnd
    from case_transactions
    inner join transactions
        on case_transactions.transaction_id = transactions.transaction_id
    group by case_transactions.case_id
),

final as (
    select
        cast(best_typology.case_id as {{ dbt.type_string() }}) as case_id,
        cast(best_typology.case_customer_id as bigint) as customer_id,
        cast(best_typology.typology as {{ dbt.type_string() }}) as typology,
        cast(best_typology.risk_score as integer) as risk_score,
        cast(case
            when best_typology.risk_score >= thresholds.block_score then 'block' else 'review'
        end as {{ dbt.type_string() }}) as recommended_action,
        cast(thresholds.review_score as integer) as review_score,
        cast(thresholds.block_score as integer) as block_score,
        cast(case_spans.signal_count as integer) as signal_count,
        cast(rule_summaries.contributing_rules as {{ dbt.type_string() }}) as contributing_rules,
        cast(coalesce(stakes.transaction_count, 0) as integer) as transaction_count,
        cast(coalesce(stakes.completed_amount_vnd, 0) as numeric(24, 2)) as completed_amount_vnd,
        cast(coalesce(stakes.attempted_amount_vnd, 0) as numeric(24, 2)) as attempted_amount_vnd,
        cast(case_spans.first_signal_at as timestamp) as first_signal_at,
        cast(case_spans.last_signal_at as timestamp) as last_signal_at,
        cast(best_typology.opening_alert_id as {{ dbt.type_string() }}) as opening_alert_id,
        cast(case_spans.last_signal_at as date) as last_signal_date
    from best_typology
    inner join thresholds
        on best_typology.typology = thresholds.typology
    inner join case_spans
        on best_typology.case_id = case_spans.case_id
    inner join rule_summaries
        on best_typology.case_id = rule_summaries.case_id
    left join stakes
        on best_typology.case_id = stakes.case_id
    where
        best_typology.typology_rank = 1
        and best_typology.risk_score >= thresholds.review_score
)

select * from final

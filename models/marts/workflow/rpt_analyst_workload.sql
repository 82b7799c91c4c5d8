{#-
    Each analyst's load: the cases they hold now (by status, escalated, past their SLA) and the cases
    they closed, with the mean hours from a case's first signal to its close.
-#}

with

cases as (
    select * from {{ ref('fct_case_workflow') }}
),

closes as (
    select
        actions.actor,
        count(*) as closed_count,
        sum(case when actions.outcome = 'confirmed_fraud' then 1 else 0 end) as confirmed_fraud_count,
        sum(case when actions.outcome = 'false_positive' then 1 else 0 end) as false_positive_count,
        avg({{ hours_between('cases.opened_at', 'actions.acted_at') }}) as mean_hours_to_close
    from {{ ref('fct_case_actions') }} as actions
    inner join cases
        on actions.case_id = cases.case_id
    where actions.case_action = 'close'
    group by actions.actor
),

held as (
    select
        assignee as analyst,
        sum(case when case_status = 'assigned' then 1 else 0 end) as assigned_count,
        sum(case when case_status = 'in_review' then 1 else 0 end) as in_review_count,
        sum(case when is_escalated and case_status <> 'closed' then 1 else 0 end) as escalated_count,
        sum(case when is_sla_breached and case_status <> 'closed' then 1 else 0 end) as breached_count
    from cases
    where assignee is not null and case_status <> 'closed'
    group by assignee
),

analysts as (
    select analyst from held
    union
    select actor as analyst from closes
),

final as (
    select
        cast(analysts.analyst as {{ dbt.type_string() }}) as analyst,
        cast(coalesce(held.assigned_count, 0) as integer) as assigned_count,
        cast(coalesce(held.in_review_count, 0) as integer) as in_review_count,
        cast(coalesce(held.escalated_count, 0) as integer) as escalated_count,
        cast(coalesce(held.breached_count, 0) as integer) as breached_count,
        cast(coalesce(closes.closed_count, 0) as integer) as closed_count,
        cast(coalesce(closes.confirmed_fraud_count, 0) as integer) as confirmed_fraud_count,
        cast(coalesce(closes.false_positive_count, 0) as integer) as false_positive_count,
        cast(closes.mean_hours_to_close as {{ type_double() }}) as mean_hours_to_close
    from analysts
    left join held
        on analysts.analyst = held.analyst
    left join closes
        on analysts.analyst = closes.actor
)

select * from final

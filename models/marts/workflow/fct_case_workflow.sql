{#-
    Where every fraud case stands: its status from its latest action (open when it has none), who has
    it, whether it was escalated, its age and its SLA (seeds/case_sla_hours.csv, by the case's highest
    signal severity). Nothing here is invented: a case nobody touched is open.

    Age is measured to the warehouse's "now": the later of the last transaction and the last action it
    holds, not the wall clock, so the same data always give the same figures (and a rebuild of an old
    dataset does not age its cases to today).
-#}

with

cases as (
    select * from {{ ref('fct_fraud_cases') }}
),

signals as (
    select * from {{ ref('fct_fraud_case_signals') }}
),

rules as (
    select
        rule_code,
        severity
    from {{ ref('risk_rules') }}
),

sla as (
    select * from {{ ref('case_sla_hours') }}
),

actions as (
    select * from {{ ref('fct_case_actions') }}
    where is_current_case
),

clock as (
    select
        coalesce(
            greatest(
                (select max(transacted_at) from {{ ref('fct_transactions') }}),
                (select max(acted_at) from actions)
            ),
            (select max(transacted_at) from {{ ref('fct_transactions') }})
        ) as as_of
),

case_severity as (
    select
        signals.case_id,
        min(case rules.severity when 'critical' then 1 when 'high' then 2 when 'medium' then 3 else 4 end)
            as severity_rank
    from signals
    inner join rules
        on signals.rule_code = rules.rule_code
    group by signals.case_id
),

latest as (
    select
        *,
        row_number() over (partition by case_id order by action_number desc) as recency
    from actions
),

last_reopen as (
    select
        case_id,
        max(action_number) as reopened_at_number
    from actions
    where case_action = 'reopen'
    group by case_id
),

history as (
    select
        actions.case_id,
        count(*) as action_count,
        min(actions.acted_at) as first_action_at,
        sum(case when actions.case_action = 'reopen' then 1 else 0 end) as reopen_count,
        max(case
            when
                actions.case_action = 'escalate'
                and actions.action_number > coalesce(last_reopen.reopened_at_number, 0)
                then 1
            else 0
        end) as escalated_since_open
    from actions
    left join last_reopen
        on actions.case_id = last_reopen.case_id
    group by actions.case_id
),

holder as (
    -- who has the case: the latest assign or escalate since it was last opened
    select
        case_id,
        assignee
    from (
        select
            case_id,
            case when case_action = 'reopen' then null else assignee end as assignee,
            row_number() over (partition by case_id order by action_number desc) as recency
        from actions
        where case_action in ('assign', 'escalate', 'reopen')
    ) as handovers
    where recency = 1
),

final as (
    select
        cast(cases.case_id as {{ dbt.type_string() }}) as case_id,
        cast(cases.customer_id as bigint) as customer_id,
        cast(cases.typology as {{ dbt.type_string() }}) as typology,
        cast(cases.risk_score as integer) as risk_score,
        cast(cases.recommended_action as {{ dbt.type_string() }}) as recommended_action,
        cast(case case_severity.severity_rank
            when 1 then 'critical' when 2 then 'high' when 3 then 'medium' else 'low'
        end as {{ dbt.type_string() }}) as severity,
        cast(coalesce(latest.status_after, 'open') as {{ dbt.type_string() }}) as case_status,
        cast(holder.assignee as {{ dbt.type_string() }}) as assignee,
        cast(coalesce(history.escalated_since_open, 0) = 1 as boolean) as is_escalated,
        cast(case when latest.case_action = 'close' then latest.outcome end as {{ dbt.type_string() }})
            as outcome,
        cast(cases.first_signal_at as timestamp) as opened_at,
        cast(history.first_action_at as timestamp) as first_action_at,
        cast(case when latest.case_action = 'close' then latest.acted_at end as timestamp) as closed_at,
        cast(latest.acted_at as timestamp) as last_action_at,
        cast(latest.actor as {{ dbt.type_string() }}) as last_actor,
        cast(coalesce(history.action_count, 0) as integer) as action_count,
        cast(coalesce(history.reopen_count, 0) as integer) as reopen_count,
        cast(clock.as_of as timestamp) as as_of,
        cast(
            {{ hours_between('cases.first_signal_at',
                             "case when latest.case_action = 'close' then latest.acted_at else clock.as_of end") }}
            as numeric(18, 2)
        ) as age_hours,
        cast(sla.hours_to_close as integer) as sla_hours,
        cast(
            {{ hours_between('cases.first_signal_at',
                             "case when latest.case_action = 'close' then latest.acted_at else clock.as_of end") }}
            > sla.hours_to_close as boolean
        ) as is_sla_breached
    from cases
    inner join case_severity
        on cases.case_id = case_severity.case_id
    cross join clock
    left join sla
        on case case_severity.severity_rank
            when 1 then 'critical' when 2 then 'high' when 3 then 'medium' else 'low'
        end = sla.severity
    left join latest
        on cases.case_id = latest.case_id and latest.recency = 1
    left join history
        on cases.case_id = history.case_id
    left join holder
        on cases.case_id = holder.case_id
)

select * from final

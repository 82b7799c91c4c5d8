{#-
    Every analyst action on a case, in order, with the status it left the case in. Status comes from
    actions alone: assign -> assigned, start -> in_review, escalate -> in_review (escalated), close ->
    closed, reopen -> open. An action on a case the warehouse does not hold (its signals no longer
    reach review, or another dataset's case) is kept and marked, never dropped.
-#}

with

actions as (
    select * from {{ ref('stg_workflow__case_actions') }}
),

cases as (
    select case_id from {{ ref('fct_fraud_cases') }}
),

sequenced as (
    select
        actions.*,
        row_number() over (partition by actions.case_id order by actions.acted_at, actions.action_id)
            as action_number,
        cases.case_id is not null as is_current_case
    from actions
    left join cases
        on actions.case_id = cases.case_id
),

final as (
    select
        cast(action_id as {{ dbt.type_string() }}) as action_id,
        cast(case_id as {{ dbt.type_string() }}) as case_id,
        cast(action_number as integer) as action_number,
        cast(case_action as {{ dbt.type_string() }}) as case_action,
        cast(case case_action
            when 'assign' then 'assigned'
            when 'start' then 'in_review'
            when 'escalate' then 'in_review'
            when 'close' then 'closed'
            when 'reopen' then 'open'
        end as {{ dbt.type_string() }}) as status_after,
        cast(outcome as {{ dbt.type_string() }}) as outcome,
        cast(assignee as {{ dbt.type_string() }}) as assignee,
        cast(actor as {{ dbt.type_string() }}) as actor,
        cast(acted_at as timestamp) as acted_at,
        cast(note as {{ dbt.type_string() }}) as note,
        cast(is_current_case as boolean) as is_current_case
    from sequenced
)

select * from final

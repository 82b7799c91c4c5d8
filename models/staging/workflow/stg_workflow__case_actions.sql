{#- The analysts' actions on cases, typed; the store is append-only (pipeline/workflow.py). -#}

{{ config(pre_hook="{{ refresh_external_source(source('workflow', 'case_actions')) }}") }}

with

source as (
    select * from {{ source('workflow', 'case_actions') }}
),

renamed as (
    select
        cast(action_id as {{ dbt.type_string() }}) as action_id,
        cast(case_id as {{ dbt.type_string() }}) as case_id,
        cast(lower(action) as {{ dbt.type_string() }}) as case_action,
        cast(lower(outcome) as {{ dbt.type_string() }}) as outcome,
        cast(assignee as {{ dbt.type_string() }}) as assignee,
        cast(actor as {{ dbt.type_string() }}) as actor,
        cast(acted_at as timestamp) as acted_at,
        cast(note as {{ dbt.type_string() }}) as note
    from source
)

select * from renamed

{#- Test results per dbt run and per table, over time (source: the on-run-end hook's audit table). -#}

with

results as (
    select * from {{ source('audit', 'dbt_test_results') }}
),

final as (
    select
        invocation_id,
        run_started_at,
        model_name,
        count(*) as test_count,
        sum(case when status = 'pass' then 1 else 0 end) as passed_count,
        sum(case when status = 'warn' then 1 else 0 end) as warned_count,
        sum(case when status = 'fail' then 1 else 0 end) as failed_count,
        sum(case when status = 'error' then 1 else 0 end) as errored_count,
        sum(case when test_type = 'unit_test' then 1 else 0 end) as unit_test_count,
        sum(failures) as failing_rows,
        sum(execution_seconds) as execution_seconds
    from results
    group by invocation_id, run_started_at, model_name
)

select * from final

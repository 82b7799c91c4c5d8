{#- Raw authentication logs rows that pass every data-quality check: what the rest of the project reads. -#}

with

validated as (
    select * from {{ ref('int_authentication_logs_validated') }}
),

final as (
    select
        auth_log_id,
        transaction_id,
        auth_method_id,
        auth_result,
        failure_reason,
        authenticated_at
    from validated
    where dq_reason is null
)

select * from final

{#- Raw authentication logs rows set aside, each with the reason code of the first rule it breaks. -#}

with

validated as (
    select * from {{ ref('int_authentication_logs_validated') }}
),

final as (
    select
        'authentication_logs' as raw_table,
        dq_reason,
        auth_log_id,
        transaction_id,
        auth_method_id,
        auth_result,
        failure_reason,
        authenticated_at
    from validated
    where dq_reason is not null
)

select * from final

with

source as (
    select * from {{ source('core_banking', 'authentication_logs') }}
),

renamed as (
    select
        log_id as auth_log_id,
        transaction_id,
        auth_method_id,
        lower(trim(auth_result)) as auth_result,
        nullif(trim(failure_reason), '') as failure_reason,
        auth_ts as authenticated_at
    from source
)

select * from renamed

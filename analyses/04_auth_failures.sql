-- Authentication failures by method and reason.
select
    method_code,
    auth_result,
    failure_reason,
    count(*) as attempt_count,
    count(distinct transaction_id) as transaction_count
from {{ ref('fct_authentication_events') }}
where not is_success
group by method_code, auth_result, failure_reason
order by attempt_count desc

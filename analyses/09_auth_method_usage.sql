-- Authentication method usage and success rate by customer type.
select
    customer_type,
    method_code,
    count(*) as attempt_count,
    avg(case when is_success then 1.0 else 0.0 end) as success_rate
from {{ ref('fct_authentication_events') }}
group by customer_type, method_code
order by customer_type asc, attempt_count desc

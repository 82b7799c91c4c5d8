-- Device usage: transactions and failure rates by device type, trust and status.
select
    device_type,
    is_device_trusted,
    device_status,
    count(*) as transaction_count,
    count(distinct device_id) as device_count,
    avg(case when auth_failed_count > 0 then 1.0 else 0.0 end) as share_with_failed_attempts
from {{ ref('fct_transactions') }}
group by device_type, is_device_trusted, device_status
order by transaction_count desc

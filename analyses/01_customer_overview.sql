-- Customer overview: customers by type, status and region with their accounts, devices and balances.
select
    customer_type,
    customer_status,
    region,
    count(*) as customers,
    sum(account_count) as account_count,
    sum(device_count) as device_count,
    sum(total_balance_vnd) as total_balance_vnd
from {{ ref('dim_customers') }}
group by customer_type, customer_status, region
order by customer_type, customer_status, region

{#- The customer's versions from snap_customers as intervals over all time (macros/states.sql). -#}
-- depends_on: {{ ref('snap_customers') }}
{{ point_in_time_versions('snap_customers', 'customer_id') }}

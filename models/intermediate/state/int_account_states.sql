{#- The account's versions from snap_accounts as intervals over all time (macros/states.sql). -#}
-- depends_on: {{ ref('snap_accounts') }}
{{ point_in_time_versions('snap_accounts', 'account_id') }}

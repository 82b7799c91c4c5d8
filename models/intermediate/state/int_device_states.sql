{#- The device's versions from snap_devices as intervals over all time (macros/states.sql). -#}
-- depends_on: {{ ref('snap_devices') }}
{{ point_in_time_versions('snap_devices', 'device_id') }}

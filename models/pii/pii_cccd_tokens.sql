{#-
    The CCCD token vault: one random token per identity number, issued the first time the number is
    seen and never changed (append-only; `full_refresh: false`, so even `dbt build --full-refresh`
    keeps every token). The marts carry the token, never the number nor anything computed from it:
    a token reveals nothing, and only this table (schema `pii`: the owner and the `pii_reader`
    role on PostgreSQL) maps it back. No secret appears in SQL, docs or artefacts.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='fail'
) }}

with

numbers as (
    select distinct cccd_number
    from {{ ref('int_customers_clean') }}
    where cccd_number is not null
),

new_numbers as (
    select numbers.cccd_number
    from numbers
    {% if is_incremental() -%}
    left join {{ this }} as issued
        on numbers.cccd_number = issued.cccd_number
    where issued.cccd_number is null
    {%- endif %}
),

final as (
    select
        cast(cccd_number as {{ dbt.type_string() }}) as cccd_number,
        cast({{ random_token('cccd') }} as {{ dbt.type_string() }}) as cccd_token,
        cast({{ dbt.current_timestamp() }} as timestamp) as issued_at
    from new_numbers
)

select * from final

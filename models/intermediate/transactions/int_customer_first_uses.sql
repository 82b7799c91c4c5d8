{{ config(materialized='incremental', unique_key='first_use_date') }}
{%- set cutoff = incremental_cutoff('first_use_date') %}

{#-
    The first transaction of each customer on each device and to each payee (counterparty key):
    one narrow row per pair, so that the daily run of int_transactions_enriched finds first uses
    here instead of scanning every transaction already built.

    Incremental by the day of first use: a run rebuilds the pairs first used on or after the cutoff,
    from the transactions of those days, leaving out pairs already used before it.
-#}

with

transactions as (
    select
        transaction_id,
        customer_id,
        device_id,
        to_internal_account_id,
        to_external_account_id,
        transacted_at,
        transaction_date
    from {{ ref('int_transactions_clean') }}
    where transaction_date >= {{ cutoff }}
),

uses as (
    select
        customer_id,
        'device' as use_kind,
        cast(device_id as {{ dbt.type_string() }}) as use_key,
        transaction_id,
        transacted_at,
        transaction_date
    from transactions
    union all
    select
        customer_id,
        'payee' as use_kind,
        {{ counterparty_key('to_internal_account_id', 'to_external_account_id') }} as use_key,
        transaction_id,
        transacted_at,
        transaction_date
    from transactions
    where to_internal_account_id is not null or to_external_account_id is not null
),

earlier_uses as (
    {%- if is_incremental() %}
        select
            customer_id,
            use_kind,
            use_key
        from {{ this }}
        where first_use_date < {{ cutoff }}
    {%- else %}
        select
            cast(null as bigint) as customer_id,
            cast(null as {{ dbt.type_string() }}) as use_kind,
            cast(null as {{ dbt.type_string() }}) as use_key
        where 1 = 0
    {%- endif %}
),

new_uses as (
    select
        uses.*,
        row_number() over (
            partition by uses.customer_id, uses.use_kind, uses.use_key
            order by uses.transacted_at, uses.transaction_id
        ) as use_number
    from uses
    left join earlier_uses
        on
            uses.customer_id = earlier_uses.customer_id
            and uses.use_kind = earlier_uses.use_kind
            and uses.use_key = earlier_uses.use_key
    where earlier_uses.customer_id is null
),

final as (
    select
        customer_id,
        use_kind,
        use_key,
        transaction_id as first_transaction_id,
        transacted_at as first_used_at,
        transaction_date as first_use_date
    from new_uses
    where use_number = 1
)

select * from final

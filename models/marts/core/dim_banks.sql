with

banks as (
    select * from {{ ref('banks') }}
),

counterparty_accounts as (
    select
        bank_code,
        count(*) as counterparty_account_count
    from {{ ref('int_counterparty_accounts_clean') }}
    group by bank_code
),

final as (
    select
        cast(banks.bank_code as {{ dbt.type_string() }}) as bank_code,
        cast(banks.napas_bin as {{ dbt.type_string() }}) as napas_bin,
        cast(banks.bank_name as {{ dbt.type_string() }}) as bank_name,
        cast(banks.short_name as {{ dbt.type_string() }}) as short_name,
        cast(banks.country_code as {{ dbt.type_string() }}) as country_code,
        cast(banks.is_domestic as boolean) as is_domestic,
        cast(banks.bank_code = 'TIMO' as boolean) as is_timo,
        cast(coalesce(counterparty_accounts.counterparty_account_count, 0) as integer) as counterparty_account_count
    from banks
    left join counterparty_accounts
        on banks.bank_code = counterparty_accounts.bank_code
)

select * from final

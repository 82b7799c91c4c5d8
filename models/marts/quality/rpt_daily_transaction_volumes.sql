{#- Transactions and their amount per day and type: the series the volume and amount anomaly standards
    watch (a sudden jump or drop against the week before warns). -#}

with

transactions as (
    select * from {{ ref('int_transactions_clean') }}
),

final as (
    select
        transaction_date,
        transaction_type,
        count(*) as transaction_count,
        sum(amount_vnd) as amount_vnd
    from transactions
    group by transaction_date, transaction_type
)

select * from final

{#-
    Every completed movement of money on a Timo account (docs/domain.md §4a), one row per account
    touched: a payment's debit on the account it leaves, its credit on the Timo account it reaches,
    and every credit from outside the bank. Failed, cancelled, pending and returned flows move no money.
    entry_source and source_id together name the row that caused the entry.
-#}

with

transactions as (
    select * from {{ ref('int_transactions_clean') }}
    where transaction_status = 'completed' and amount_vnd > 0
),

inbound as (
    select * from {{ ref('int_inbound_transfers_clean') }}
    where inbound_status = 'completed'
),

entries as (
    select
        from_account_id as account_id,
        'payment_debit' as entry_source,
        transaction_id as source_id,
        -amount_vnd as amount_vnd,
        transacted_at as booked_at,
        transaction_date as booking_date
    from transactions
    union all
    select
        to_internal_account_id as account_id,
        'payment_credit' as entry_source,
        transaction_id as source_id,
        amount_vnd,
        transacted_at as booked_at,
        transaction_date as booking_date
    from transactions
    where to_internal_account_id is not null
    union all
    select
        to_account_id as account_id,
        'inbound_credit' as entry_source,
        inbound_id as source_id,
        amount_vnd,
        received_at as booked_at,
        transaction_date as booking_date
    from inbound
)

select * from entries

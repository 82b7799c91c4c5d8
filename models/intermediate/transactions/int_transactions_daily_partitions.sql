{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}

{#-
    SBV partitions (docs/domain.md §5): source account x SBV group x calendar day, ordered by timestamp
    then transaction id. T (daily_total_before_vnd) is the sum of the partition's earlier completed
    transactions; a transaction resets Tksth for the ones after it when its achieved level is C or D.
-#}

with

enriched as (
    select * from {{ ref('int_transactions_enriched') }}
    where transaction_date >= {{ cutoff }}
),

authenticated as (
    select * from {{ ref('int_transactions_authenticated') }}
    where transaction_date >= {{ cutoff }}
),

joined as (
    select
        enriched.transaction_id,
        enriched.from_account_id,
        enriched.sbv_group,
        enriched.transaction_date,
        enriched.customer_type,
        enriched.is_own_linked_wallet,
        enriched.is_completed,
        authenticated.achieved_level,
        enriched.amount_vnd,
        enriched.transacted_at,
        coalesce(authenticated.achieved_level in ('C', 'D'), false) as resets_unverified_total
    from enriched
    inner join authenticated
        on enriched.transaction_id = authenticated.transaction_id
),

final as (
    select
        *,
        row_number() over (
            partition by from_account_id, sbv_group, transaction_date
            order by transacted_at, transaction_id
        ) as seq_in_partition,
        count(*) over (partition by from_account_id, sbv_group, transaction_date) as partition_size,
        coalesce(sum(case when is_completed then amount_vnd end) over (
            partition by from_account_id, sbv_group, transaction_date
            order by transacted_at, transaction_id
            rows between unbounded preceding and 1 preceding
        ), 0) as daily_total_before_vnd
    from joined
)

select * from final

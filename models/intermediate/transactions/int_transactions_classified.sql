{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}

{#-
    Required SBV level (docs/domain.md §5, rules read from the sbv_required_level_rules seed), the exact
    Tksth, and compliance.

    Tksth (unverified_total_before_vnd) is sequential: an earlier transaction counts only if its own
    class was A or B, which depends on its own Tksth. For each transaction the seed rules are first
    turned into intervals of Tksth: "for Tksth in (lower, upper] the first matching rule gives level
    L". Then:
    - partitions whose levels cannot depend on Tksth (one transaction, or a group with no Tksth limit)
      take the interval at Tksth = 0 and sum with window functions;
    - the others are walked one transaction per partition per step (macros/sequential.sql): a recursive
      CTE whose step is a range join on the intervals (no aggregate, so it is a legal recursive term),
      or on Spark one aggregate() fold per partition.
    Tksth restarts at 0 each day (partitions are per day) and after any transaction whose achieved
    level was C or D; only completed transactions add to it.
    The walk sits in a subquery so that dbt unit tests can inject their fixtures.
-#}

with

partitions as {{ inlined() }} (
    -- partitions are per day: the days being rebuilt are self-contained
    select * from {{ ref('int_transactions_daily_partitions') }}
    where transaction_date >= {{ cutoff }}
),

rules as (
    select
        sbv_group,
        customer_type,
        rule_order,
        required_level,
        only_own_linked_wallet,
        {{ seed_amount('max_amount_vnd') }} as max_amount_vnd,
        {{ seed_amount('max_amount_plus_daily_total_vnd') }} as max_amount_plus_daily_total_vnd,
        {{ seed_amount('max_amount_plus_unverified_total_vnd') }} as max_amount_plus_unverified_total_vnd
    from {{ ref('sbv_required_level_rules') }}
),

unverified_limited_groups as (
    select distinct
        sbv_group,
        customer_type
    from rules
    where max_amount_plus_unverified_total_vnd is not null
),

candidate_rules as (
    select
        partitions.transaction_id,
        rules.rule_order,
        rules.required_level,
        rules.max_amount_plus_unverified_total_vnd - partitions.amount_vnd as unverified_cap_vnd
    from partitions
    inner join rules
        on
            partitions.sbv_group = rules.sbv_group
            and partitions.customer_type = rules.customer_type
    where
        (rules.max_amount_vnd is null or partitions.amount_vnd <= rules.max_amount_vnd)
        and (
            rules.max_amount_plus_daily_total_vnd is null
            or partitions.amount_vnd + partitions.daily_total_before_vnd <= rules.max_amount_plus_daily_total_vnd
        )
        and (not rules.only_own_linked_wallet or partitions.is_own_linked_wallet)
),

rule_intervals as (
    select
        transaction_id,
        rule_order,
        required_level,
        unverified_cap_vnd as upper_inclusive_vnd,
        max(unverified_cap_vnd) over (
            partition by transaction_id order by rule_order
            rows between unbounded preceding and 1 preceding
        ) as lower_exclusive_vnd,
        sum(case when unverified_cap_vnd is null then 1 else 0 end) over (
            partition by transaction_id order by rule_order
            rows between unbounded preceding and 1 preceding
        ) as uncapped_rules_before
    from candidate_rules
),

level_intervals as (
    -- the Tksth ranges in which each rule is the first to match; rules that can never win are dropped
    select
        transaction_id,
        required_level,
        lower_exclusive_vnd,
        upper_inclusive_vnd
    from rule_intervals
    where
        coalesce(uncapped_rules_before, 0) = 0
        and (upper_inclusive_vnd is null or upper_inclusive_vnd >= 0)
        and (
            upper_inclusive_vnd is null
            or lower_exclusive_vnd is null
            or upper_inclusive_vnd > lower_exclusive_vnd
        )
),

flagged as {{ inlined() }} (
    select
        partitions.*,
        partitions.partition_size > 1 and unverified_limited_groups.sbv_group is not null as needs_walk
    from partitions
    left join unverified_limited_groups
        on
            partitions.sbv_group = unverified_limited_groups.sbv_group
            and partitions.customer_type = unverified_limited_groups.customer_type
),

-- Path 1: the level does not depend on Tksth, so window functions give Tksth exactly.
direct_levels as (
    select
        flagged.*,
        level_intervals.required_level
    from flagged
    inner join level_intervals
        on
            flagged.transaction_id = level_intervals.transaction_id
            and (level_intervals.lower_exclusive_vnd is null or level_intervals.lower_exclusive_vnd < 0)
            and (level_intervals.upper_inclusive_vnd is null or level_intervals.upper_inclusive_vnd >= 0)
    where not flagged.needs_walk
),

direct_reset_groups as (
    select
        *,
        coalesce(sum(case when resets_unverified_total then 1 else 0 end) over (
            partition by from_account_id, sbv_group, transaction_date
            order by seq_in_partition
            rows between unbounded preceding and 1 preceding
        ), 0) as resets_before
    from direct_levels
),

direct_totals as (
    select
        transaction_id,
        required_level,
        cast(coalesce(sum(
            case when is_completed and required_level in ('A', 'B') then amount_vnd end
        ) over (
            partition by from_account_id, sbv_group, transaction_date, resets_before
            order by seq_in_partition
            rows between unbounded preceding and 1 preceding
        ), 0) as numeric(24, 2)) as unverified_total_before_vnd
    from direct_reset_groups
),

-- Path 2: walk the partitions whose levels depend on Tksth, one transaction per step.
-- Each step row is a transaction paired with one of its Tksth intervals, so the recursive term is
-- a single equality join plus a range filter (no nested scan of a second CTE per row).
walk_steps as (
    select
        flagged.transaction_id,
        flagged.from_account_id,
        flagged.sbv_group,
        flagged.transaction_date,
        flagged.seq_in_partition,
        flagged.amount_vnd,
        flagged.is_completed,
        flagged.resets_unverified_total,
        level_intervals.required_level,
        level_intervals.lower_exclusive_vnd,
        level_intervals.upper_inclusive_vnd
    from flagged
    inner join level_intervals
        on flagged.transaction_id = level_intervals.transaction_id
    where flagged.needs_walk
),

walked_totals as (
    -- one transaction per partition at a time (macros/sequential.sql: a recursive CTE, a fold on Spark)
    {{ walk_unverified_totals('walk_steps') }}
),

levels as (
    select
        transaction_id,
        required_level,
        unverified_total_before_vnd
    from direct_totals
    union all
    select
        transaction_id,
        required_level,
        unverified_total_before_vnd
    from walked_totals
),

final as (
    select
        partitions.transaction_id,
        partitions.from_account_id,
        partitions.sbv_group,
        partitions.transaction_date,
        partitions.seq_in_partition,
        levels.required_level,
        partitions.achieved_level,
        coalesce(partitions.achieved_level >= levels.required_level, false) as is_compliant,
        partitions.amount_vnd,
        cast(partitions.daily_total_before_vnd as numeric(24, 2)) as daily_total_before_vnd,
        levels.unverified_total_before_vnd
    from partitions
    left join levels
        on partitions.transaction_id = levels.transaction_id
)

select * from final

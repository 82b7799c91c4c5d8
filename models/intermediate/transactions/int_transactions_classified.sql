{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}

{#-
    Required SBV level (docs/domain.md §5, rules read from the sbv_required_level_rules seed), the exact
    Tksth, and compliance.

    Tksth (unverified_total_before_vnd) is sequential: an earlier transaction counts only if its own
    class was A or B, which depends on its own Tksth. For each transaction the seed rules are first
    turned into intervals of Tksth: "for Tksth in (lower, upper] the first matching rule gives level
    L" (through a decision table compiled from the seed: see cells below). Then:
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

-- The rules are compiled once into a decision table (a few dozen rows), so that each transaction
-- only looks up its cell instead of ranking its candidate rules itself. Which rules are candidates
-- depends on the transaction only through where G and G+T fall among the seed's limits (the
-- bands below) and whether it tops up the customer's own wallet; and every Tksth bound is a seed
-- amount minus G, so the bounds can be ranked once per cell, on the seed amounts.
limit_kinds as (
    select 'amount' as limit_kind
    union all
    select 'total' as limit_kind
),

limit_edges as (
    -- each group's limits on G ('amount') and on G+T ('total'), plus a null edge (no limit) of each
    -- kind that closes the last band
    select
        sbv_group,
        customer_type,
        'amount' as limit_kind,
        max_amount_vnd as edge_vnd
    from rules
    union
    select
        sbv_group,
        customer_type,
        'total' as limit_kind,
        max_amount_plus_daily_total_vnd as edge_vnd
    from rules
    union
    select
        rules.sbv_group,
        rules.customer_type,
        limit_kinds.limit_kind,
        null as edge_vnd
    from rules
    cross join limit_kinds
),

limit_bands as (
    -- the value (G or G+T) in (lower_vnd, upper_vnd]; a null bound is open
    select
        sbv_group,
        customer_type,
        limit_kind,
        lag(edge_vnd) over (
            partition by sbv_group, customer_type, limit_kind
            order by case when edge_vnd is null then 1 else 0 end, edge_vnd
        ) as lower_vnd,
        edge_vnd as upper_vnd
    from limit_edges
),

own_wallet_cases as (
    select true as is_own_linked_wallet
    union all
    select false as is_own_linked_wallet
),

cells as (
    select
        amount_bands.sbv_group,
        amount_bands.customer_type,
        own_wallet_cases.is_own_linked_wallet,
        amount_bands.lower_vnd as amount_lower_vnd,
        amount_bands.upper_vnd as amount_upper_vnd,
        total_bands.lower_vnd as total_lower_vnd,
        total_bands.upper_vnd as total_upper_vnd,
        row_number() over (
            order by
                amount_bands.sbv_group, amount_bands.customer_type, own_wallet_cases.is_own_linked_wallet,
                amount_bands.upper_vnd, total_bands.upper_vnd
        ) as cell_id
    from limit_bands as amount_bands
    inner join limit_bands as total_bands
        on
            amount_bands.sbv_group = total_bands.sbv_group
            and amount_bands.customer_type = total_bands.customer_type
    cross join own_wallet_cases
    where amount_bands.limit_kind = 'amount' and total_bands.limit_kind = 'total'
),

cell_candidates as (
    -- a rule matches every transaction of a cell, or none: each limit is one of the cell's edges
    select
        cells.cell_id,
        rules.rule_order,
        rules.required_level,
        rules.max_amount_plus_unverified_total_vnd as unverified_limit_vnd
    from cells
    inner join rules
        on
            cells.sbv_group = rules.sbv_group
            and cells.customer_type = rules.customer_type
    where
        (
            rules.max_amount_vnd is null
            or (cells.amount_upper_vnd is not null and cells.amount_upper_vnd <= rules.max_amount_vnd)
        )
        and (
            rules.max_amount_plus_daily_total_vnd is null
            or (
                cells.total_upper_vnd is not null
                and cells.total_upper_vnd <= rules.max_amount_plus_daily_total_vnd
            )
        )
        and (not rules.only_own_linked_wallet or cells.is_own_linked_wallet)
),

cell_rule_limits as (
    -- each candidate with the largest limit before it and the count of earlier candidates without one
    select
        cell_id,
        rule_order,
        required_level,
        unverified_limit_vnd,
        max(unverified_limit_vnd) over (
            partition by cell_id order by rule_order
            rows between unbounded preceding and 1 preceding
        ) as earlier_limit_vnd,
        sum(case when unverified_limit_vnd is null then 1 else 0 end) over (
            partition by cell_id order by rule_order
            rows between unbounded preceding and 1 preceding
        ) as uncapped_rules_before
    from cell_candidates
),

cell_levels as {{ computed_once() }} (
    -- the rules that can be the first match for some Tksth: for Tksth in
    -- (earlier_limit - G, limit - G] the rule wins; rules that can never win are dropped
    select
        cells.sbv_group,
        cells.customer_type,
        cells.is_own_linked_wallet,
        cells.amount_lower_vnd,
        cells.amount_upper_vnd,
        cells.total_lower_vnd,
        cells.total_upper_vnd,
        cell_rule_limits.required_level,
        cell_rule_limits.earlier_limit_vnd,
        cell_rule_limits.unverified_limit_vnd
    from cell_rule_limits
    inner join cells
        on cell_rule_limits.cell_id = cells.cell_id
    where
        coalesce(cell_rule_limits.uncapped_rules_before, 0) = 0
        and (
            cell_rule_limits.unverified_limit_vnd is null
            or cell_rule_limits.earlier_limit_vnd is null
            or cell_rule_limits.unverified_limit_vnd > cell_rule_limits.earlier_limit_vnd
        )
),

level_intervals as (
    -- each transaction's Tksth intervals: its cell's levels, less those that need Tksth < 0
    select
        partitions.transaction_id,
        cell_levels.required_level,
        cell_levels.earlier_limit_vnd - partitions.amount_vnd as lower_exclusive_vnd,
        cell_levels.unverified_limit_vnd - partitions.amount_vnd as upper_inclusive_vnd
    from partitions
    inner join cell_levels
        on
            partitions.sbv_group = cell_levels.sbv_group
            and partitions.customer_type = cell_levels.customer_type
            and coalesce(partitions.is_own_linked_wallet, false) = cell_levels.is_own_linked_wallet
            and (cell_levels.amount_lower_vnd is null or partitions.amount_vnd > cell_levels.amount_lower_vnd)
            and (cell_levels.amount_upper_vnd is null or partitions.amount_vnd <= cell_levels.amount_upper_vnd)
            and (
                cell_levels.total_lower_vnd is null
                or partitions.amount_vnd + partitions.daily_total_before_vnd > cell_levels.total_lower_vnd
            )
            and (
                cell_levels.total_upper_vnd is null
                or partitions.amount_vnd + partitions.daily_total_before_vnd <= cell_levels.total_upper_vnd
            )
    where cell_levels.unverified_limit_vnd is null or cell_levels.unverified_limit_vnd >= partitions.amount_vnd
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

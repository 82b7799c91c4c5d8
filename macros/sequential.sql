{#-
    The exact sequential Tksth (docs/domain.md §5) for the partitions whose levels depend on it:
    `steps` names a relation (a CTE) with one row per transaction and candidate level interval
    (transaction_id, from_account_id, sbv_group, transaction_date, seq_in_partition, amount_vnd,
    is_completed, resets_unverified_total, required_level, lower_exclusive_vnd, upper_inclusive_vnd).
    Returns a select of (transaction_id, required_level, unverified_total_before_vnd), one row per
    transaction reached. Both implementations walk each partition in seq_in_partition order and stop a
    partition at a transaction no interval admits (never the case with the shipped rules, which end in an
    unbounded level).

    - default (DuckDB, PostgreSQL): a recursive CTE that advances one transaction per partition per step.
    - Spark: one fold per partition. The partition's steps are gathered in order into an array and
      `aggregate()` carries the running total through them, choosing each step's level from its
      intervals. One pass over the data, where a recursion on Spark runs one job per step.
-#}
{% macro walk_unverified_totals(steps) -%}
    {{ return(adapter.dispatch('walk_unverified_totals', 'timo_bank')(steps)) }}
{%- endmacro %}

{% macro default__walk_unverified_totals(steps) -%}
    select
        transaction_id,
        required_level,
        unverified_total_before_vnd
    from (
        with recursive walk as (
            select
                transaction_id,
                from_account_id,
                sbv_group,
                transaction_date,
                seq_in_partition,
                required_level,
                cast(0 as numeric(24, 2)) as unverified_total_before_vnd,
                cast(case
                    when resets_unverified_total then 0
                    when is_completed and required_level in ('A', 'B') then amount_vnd
                    else 0
                end as numeric(24, 2)) as unverified_total_after_vnd
            from {{ steps }}
            where
                seq_in_partition = 1
                and (lower_exclusive_vnd is null or lower_exclusive_vnd < 0)
                and (upper_inclusive_vnd is null or upper_inclusive_vnd >= 0)

            union all

            select
                next_step.transaction_id,
                next_step.from_account_id,
                next_step.sbv_group,
                next_step.transaction_date,
                next_step.seq_in_partition,
                next_step.required_level,
                previous_step.unverified_total_after_vnd as unverified_total_before_vnd,
                cast(case
                    when next_step.resets_unverified_total then 0
                    when next_step.is_completed and next_step.required_level in ('A', 'B')
                        then previous_step.unverified_total_after_vnd + next_step.amount_vnd
                    else previous_step.unverified_total_after_vnd
                end as numeric(24, 2)) as unverified_total_after_vnd
            from walk as previous_step
            inner join {{ steps }} as next_step
                on
                    previous_step.from_account_id = next_step.from_account_id
                    and previous_step.sbv_group = next_step.sbv_group
                    and previous_step.transaction_date = next_step.transaction_date
                    and previous_step.seq_in_partition + 1 = next_step.seq_in_partition
            where
                (
                    next_step.lower_exclusive_vnd is null
                    or previous_step.unverified_total_after_vnd > next_step.lower_exclusive_vnd
                )
                and (
                    next_step.upper_inclusive_vnd is null
                    or previous_step.unverified_total_after_vnd <= next_step.upper_inclusive_vnd
                )
        )

        select * from walk
    ) as walk_result
{%- endmacro %}

{% macro spark__walk_unverified_totals(steps) -%}
    {#- the level a step takes at the running total carried so far (null: no interval admits it) -#}
    {%- set level -%}
        try_element_at(filter(step.intervals, i ->
            (i.lower_exclusive_vnd is null or acc.total > i.lower_exclusive_vnd)
            and (i.upper_inclusive_vnd is null or acc.total <= i.upper_inclusive_vnd)
        ), 1).required_level
    {%- endset -%}
    select
        walked.transaction_id,
        walked.required_level,
        walked.unverified_total_before_vnd
    from (
        select
            inline(aggregate(
                array_sort(steps),
                named_struct(
                    'total', cast(0 as decimal(24, 2)),
                    'stopped', false,
                    'out', cast(array() as array<struct<
                        transaction_id: bigint, required_level: string, unverified_total_before_vnd: decimal(24, 2)
                    >>)
                ),
                (acc, step) -> case
                    when acc.stopped or ({{ level }}) is null
                        then named_struct('total', acc.total, 'stopped', true, 'out', acc.out)
                    else named_struct(
                        'total', cast(case
                            when step.resets_unverified_total then 0
                            when step.is_completed and ({{ level }}) in ('A', 'B') then acc.total + step.amount_vnd
                            else acc.total
                        end as decimal(24, 2)),
                        'stopped', false,
                        'out', concat(acc.out, array(named_struct(
                            'transaction_id', step.transaction_id,
                            'required_level', {{ level }},
                            'unverified_total_before_vnd', acc.total
                        )))
                    )
                end,
                acc -> acc.out
            ))
        from (
            select collect_list(struct(
                seq_in_partition, transaction_id, amount_vnd, is_completed, resets_unverified_total, intervals
            )) as steps
            from (
                select
                    transaction_id,
                    from_account_id,
                    sbv_group,
                    transaction_date,
                    seq_in_partition,
                    amount_vnd,
                    is_completed,
                    resets_unverified_total,
                    collect_list(struct(required_level, lower_exclusive_vnd, upper_inclusive_vnd)) as intervals
                from {{ steps }}
                group by
                    transaction_id, from_account_id, sbv_group, transaction_date, seq_in_partition,
                    amount_vnd, is_completed, resets_unverified_total
            ) as step_rows
            group by from_account_id, sbv_group, transaction_date
        ) as partition_steps
    ) as walked
{%- endmacro %}

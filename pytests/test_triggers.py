"""The case study's trigger design (benchmarks/triggers.py) beside the dbt path: where their rules
agree they classify every transaction alike, and their daily summaries match."""

from __future__ import annotations

import pytest

from benchmarks.triggers import agreement, run_triggers

from .conftest import throwaway_database

pytestmark = pytest.mark.postgres


def test_triggers_and_dbt_classify_alike_where_their_rules_agree(parquet_dataset, built_postgres):
    built_postgres.assert_green()
    with throwaway_database(template=built_postgres.settings.dbname) as settings:
        fed = run_triggers(parquet_dataset, settings)
        result = agreement(settings)
    plain, tksth = result["groups_without_tksth_rules"], result["groups_with_tksth_rules"]
    assert fed["transactions"] == plain["transactions"] + tksth["transactions"] > 10_000
    # same rules (no Tksth limit): the same level and the same T for every transaction
    assert plain["same_required_level"] == plain["same_t"] == plain["transactions"] > 0
    # Tksth groups: the trigger uses T (>= Tksth), so it may ask for more, never for less
    assert tksth["same_t"] == tksth["transactions"] and tksth["trigger_more_lenient"] == 0
    assert 0.8 <= tksth["share_same_level"] < 1.0
    summaries = result["daily_summaries"]
    assert summaries["same_count_and_amount"] == summaries["account_days"] > 0

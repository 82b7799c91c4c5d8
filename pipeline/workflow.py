"""The fraud team's case workflow: an append-only record of what analysts did to each case.

Every action is one row: case_id, action (assign, start, escalate, close, reopen), outcome on close
(confirmed_fraud, false_positive, inconclusive), assignee (for assign and escalate), actor, acted_at
(the bank's local time, like every timestamp here) and a note. Nothing is ever updated or deleted: a
case's status is what its latest action says (models/marts/workflow), so a mistake is corrected by a
later action, and the trail keeps both.

The store lives outside the warehouse, so a build never overwrites it and the dashboard can write
while dbt builds:

- DuckDB (and Spark, which reads the same files): a folder, $TIMO_WORKFLOW_DIR (default
  warehouse/workflow), of Parquet files under case_actions/. Each write is a new file, written under a
  temporary name and renamed into place, never changed afterwards. A DuckDB database file was the
  other choice; it admits one writer process and no reader beside it, so the dashboard could not
  record an action for as long as a build had the file open. Files need no lock: a build reads the
  files that exist when it starts, and a file written meanwhile is read by the next build.
- PostgreSQL: the table workflow.case_actions, in the warehouse's database. The `fraud_analyst` role
  may read it and insert into it, nothing else; a trigger refuses UPDATE, DELETE and TRUNCATE from
  anyone, the owner included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from generators.reference import PROJECT_ROOT

from .settings import PostgresSettings, SettingsError

DEFAULT_WORKFLOW_DIR = "warehouse/workflow"
BANK_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ACTIONS = ("assign", "start", "escalate", "close", "reopen")
OUTCOMES = ("confirmed_fraud", "false_positive", "inconclusive")
ANALYST_ROLE = "fraud_analyst"
COLUMNS = ("action_id", "case_id", "action", "outcome", "assignee", "actor", "acted_at", "note")
MAX_TEXT = {"case_id": 64, "assignee": 100, "actor": 100, "note": 2000}
# What each action may follow (the status the latest action gave the case; open = no action yet or
# reopened). The store enforces nothing of this: it records what was done. The dashboard offers only
# these, and `record_action(..., check_status=...)` refuses the rest.
ALLOWED_FROM = {
    "open": ("assign", "start", "close"),
    "assigned": ("assign", "start", "escalate", "close"),
    "in_review": ("assign", "escalate", "close"),
    "closed": ("reopen",),
}


class WorkflowError(SettingsError):
    """An action that cannot be recorded: one line, exit status 2 on the command line."""


def workflow_dir(env: Mapping[str, str] | None = None) -> Path:
    """$TIMO_WORKFLOW_DIR, or warehouse/workflow; relative paths are taken from the project (as dbt's are)."""
    env = os.environ if env is None else env
    path = Path(env.get("TIMO_WORKFLOW_DIR") or DEFAULT_WORKFLOW_DIR)
    return path if path.is_absolute() else PROJECT_ROOT / path


def bank_now() -> dt.datetime:
    """Now on the bank's clock, without a zone (as every timestamp in the warehouse)."""
    return dt.datetime.now(BANK_TIME_ZONE).replace(tzinfo=None)


@dataclass(frozen=True)
class Action:
    case_id: str
    action: str
    actor: str
    outcome: str | None = None
    assignee: str | None = None
    note: str | None = None
    acted_at: dt.datetime = field(default_factory=bank_now)

    def checked(self) -> Action:
        """The action with its text trimmed, or WorkflowError naming the field that is wrong."""
        values = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in asdict(self).items()}
        for name in ("case_id", "actor"):
            if not values[name]:
                raise WorkflowError(f"{name} is required")
        if values["action"] not in ACTIONS:
            raise WorkflowError(f"action must be one of {', '.join(ACTIONS)}, not {self.action!r}")
        if values["action"] == "close" and values["outcome"] not in OUTCOMES:
            raise WorkflowError(f"outcome must be one of {', '.join(OUTCOMES)} when closing a case, "
                                f"not {self.outcome!r}")
        if values["action"] != "close" and values["outcome"] is not None:
            raise WorkflowError(f"outcome is given only when closing a case, not on {values['action']}")
        if values["action"] in ("assign", "escalate") and not values["assignee"]:
            raise WorkflowError(f"assignee is required to {values['action']} a case")
        if values["action"] not in ("assign", "escalate") and values["assignee"] is not None:
            raise WorkflowError(f"assignee is given only to assign or escalate, not on {values['action']}")
        for name, limit in MAX_TEXT.items():
            if values[name] is not None and len(values[name]) > limit:
                raise WorkflowError(f"{name} is longer than {limit} characters")
        if not isinstance(values["acted_at"], dt.datetime):
            raise WorkflowError("acted_at must be a date and time")
        return Action(**values)


def _row(action: Action, action_id: str) -> dict:
    return {"action_id": action_id, **{k: getattr(action, k) for k in COLUMNS if k != "action_id"}}


def _action_id(action: Action) -> str:
    """Sorts by time; the suffix is a digest of what was done, so the same action always has the same key."""
    digest = hashlib.sha1("|".join(str(v) for v in asdict(action).values()).encode()).hexdigest()[:12]
    return f"{action.acted_at:%Y%m%d%H%M%S%f}-{digest}"


# --- the file store (DuckDB and Spark) ---------------------------------------------------------------

def _schema():
    import pyarrow as pa

    return pa.schema([("action_id", pa.string()), ("case_id", pa.string()), ("action", pa.string()),
                      ("outcome", pa.string()), ("assignee", pa.string()), ("actor", pa.string()),
                      ("acted_at", pa.timestamp("us")), ("note", pa.string())])


def ensure_file_store(folder: Path | None = None) -> Path:
    """The store's folder with its empty first file (so a build over no actions reads a typed, empty
    table); creates nothing that exists already."""
    import pyarrow.parquet as pq

    actions = (folder or workflow_dir()) / "case_actions"
    actions.mkdir(parents=True, exist_ok=True)
    empty = actions / "00000000-empty.parquet"
    if not empty.exists():
        _publish(actions, empty.name, _schema().empty_table(), pq)
    return actions


def _publish(folder: Path, name: str, table, pq) -> None:
    temporary = folder / f".{name}.{uuid.uuid4().hex}.tmp"
    pq.write_table(table, temporary)
    os.replace(temporary, folder / name)


def append_files(actions: Iterable[Action], folder: Path | None = None) -> int:
    """Record the actions as one new file (all or none of them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    checked = [a.checked() for a in actions]
    if not checked:
        return 0
    target = ensure_file_store(folder)
    rows = [_row(a, _action_id(a)) for a in checked]
    table = pa.Table.from_pylist(rows, schema=_schema())
    _publish(target, f"{rows[0]['action_id']}-{len(rows)}.parquet", table, pq)
    return len(rows)


def read_files(folder: Path | None = None) -> list[dict]:
    import pyarrow.parquet as pq

    target = (folder or workflow_dir()) / "case_actions"
    rows = []
    for path in sorted(target.glob("*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return sorted(rows, key=lambda r: (r["acted_at"], r["action_id"]))


# --- the PostgreSQL store ------------------------------------------------------------------------------

POSTGRES_DDL = """
create schema if not exists workflow;
create table if not exists workflow.case_actions (
    action_id text primary key,
    case_id text not null,
    action text not null check (action in ('assign', 'start', 'escalate', 'close', 'reopen')),
    outcome text check (outcome in ('confirmed_fraud', 'false_positive', 'inconclusive')),
    assignee text,
    actor text not null,
    acted_at timestamp not null,
    note text,
    check ((action = 'close') = (outcome is not null))
);
create or replace function workflow.refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'workflow.case_actions is append-only: % is not allowed', tg_op;
end $$;
drop trigger if exists case_actions_append_only on workflow.case_actions;
create trigger case_actions_append_only before update or delete on workflow.case_actions
    for each row execute function workflow.refuse_change();
drop trigger if exists case_actions_no_truncate on workflow.case_actions;
create trigger case_actions_no_truncate before truncate on workflow.case_actions
    for each statement execute function workflow.refuse_change();
do $$ begin create role fraud_analyst login nosuperuser nocreatedb nocreaterole;
exception when duplicate_object then null; end $$;
revoke all on schema workflow from public;
revoke all on workflow.case_actions from public;
grant usage on schema workflow to fraud_analyst;
grant select, insert on workflow.case_actions to fraud_analyst;
"""


def ensure_postgres_store(conn) -> None:
    """Schema, table, trigger and role (idempotent; never drops or changes a recorded action). The
    transformer role, which dbt may run as, may read the actions."""
    with conn.cursor() as cur:
        cur.execute(POSTGRES_DDL)
        cur.execute("select 1 from pg_roles where rolname = 'transformer'")
        if cur.fetchone():
            cur.execute("grant usage on schema workflow to transformer; "
                        "grant select on workflow.case_actions to transformer")
        cur.execute("select current_database()")
        (database,) = cur.fetchone()
        cur.execute(f'grant connect on database "{database}" to fraud_analyst')
    conn.commit()


def analyst_settings(env: Mapping[str, str] | None = None) -> PostgresSettings:
    """Where the warehouse is (PG* as for dbt), connecting as the fraud analysts' role
    ($TIMO_ANALYST_PGUSER, default fraud_analyst; password $TIMO_ANALYST_PGPASSWORD)."""
    env = os.environ if env is None else env
    server = PostgresSettings.from_env(env=env)
    return PostgresSettings(host=server.host, port=server.port, dbname=server.dbname,
                            user=env.get("TIMO_ANALYST_PGUSER", ANALYST_ROLE),
                            password=env.get("TIMO_ANALYST_PGPASSWORD", ""))


def append_postgres(actions: Iterable[Action], settings: PostgresSettings | None = None) -> int:
    """Record the actions in one transaction, as the analysts' role."""
    checked = [a.checked() for a in actions]
    if not checked:
        return 0
    conn = (settings or analyst_settings()).connect()
    try:
        with conn.cursor() as cur:
            for action in checked:
                row = _row(action, _action_id(action))
                cur.execute(f"insert into workflow.case_actions ({', '.join(COLUMNS)}) values "
                            f"({', '.join('%(' + c + ')s' for c in COLUMNS)})", row)
        conn.commit()
    finally:
        conn.close()
    return len(checked)


def read_postgres(settings: PostgresSettings | None = None) -> list[dict]:
    conn = (settings or analyst_settings()).connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"select {', '.join(COLUMNS)} from workflow.case_actions order by acted_at, action_id")
            return [dict(zip(COLUMNS, row, strict=True)) for row in cur.fetchall()]
    finally:
        conn.close()


# --- either store ------------------------------------------------------------------------------------

def record(actions: Iterable[Action], target: str, folder: Path | None = None,
           settings: PostgresSettings | None = None) -> int:
    """Record actions in the store of `target` (duckdb or postgres)."""
    if target == "postgres":
        return append_postgres(actions, settings)
    if target == "duckdb":
        return append_files(actions, folder)
    raise WorkflowError(f"the case workflow is kept for duckdb or postgres, not {target!r}")


def status_after(actions: Iterable[Mapping]) -> str:
    """The status a case's actions (in order) leave it in; the same rule as the marts."""
    status = "open"
    for row in actions:
        status = {"assign": "assigned", "start": "in_review", "escalate": "in_review", "close": "closed",
                  "reopen": "open"}[row["action"]]
    return status


def check_allowed(status: str, action: str) -> None:
    if action not in ALLOWED_FROM.get(status, ()):
        raise WorkflowError(f"a case that is {status.replace('_', ' ')} cannot be given {action!r}; "
                            f"allowed: {', '.join(ALLOWED_FROM.get(status, ())) or 'nothing'}")


# --- a plausible history for a generated dataset --------------------------------------------------

ANALYSTS = ("analyst.linh", "analyst.minh", "analyst.trang", "analyst.quang")
LEAD = "lead.hoa"


@dataclass(frozen=True)
class CaseFacts:
    """What the history needs of a built case: its key, when it opened, and whether it holds a planted
    fraud transaction (the labels, which only generated data have)."""
    case_id: str
    opened_at: dt.datetime
    holds_fraud: bool


def plausible_history(cases: Iterable[CaseFacts], as_of: dt.datetime, seed: int = 42) -> list[Action]:
    """Actions a small fraud team would have taken on these cases by `as_of`: most are assigned within
    hours and started within a day; some are escalated; older ones are closed, as confirmed fraud
    mostly where the labels say fraud and as false positives mostly where they do not (analysts are
    not always right); a few closed cases are reopened. Deterministic for a seed; no action is later
    than as_of; a case younger than a day has none."""
    import random

    out = []
    for case in sorted(cases, key=lambda c: c.case_id):
        rng = random.Random(f"{seed}:{case.case_id}")
        if case.opened_at > as_of - dt.timedelta(days=1) or rng.random() > 0.9:
            continue
        at = case.opened_at + dt.timedelta(hours=rng.uniform(0.5, 6))
        analyst = rng.choice(ANALYSTS)
        steps = [Action(case.case_id, "assign", "lead.hoa", assignee=analyst, acted_at=at,
                        note="triage: assigned by the duty lead")]
        if rng.random() < 0.85:
            at += dt.timedelta(hours=rng.uniform(0.5, 12))
            steps.append(Action(case.case_id, "start", analyst, acted_at=at, note="reviewing the transactions"))
            if rng.random() < 0.1:
                at += dt.timedelta(hours=rng.uniform(1, 24))
                steps.append(Action(case.case_id, "escalate", analyst, assignee=LEAD, acted_at=at,
                                    note="needs a second opinion"))
                analyst = LEAD
            if case.opened_at < as_of - dt.timedelta(days=3) and rng.random() < 0.8:
                at += dt.timedelta(hours=rng.uniform(2, 48))
                draw = rng.random()
                if case.holds_fraud:
                    outcome = "confirmed_fraud" if draw < 0.9 else "inconclusive"
                else:
                    outcome = "false_positive" if draw < 0.8 else "inconclusive" if draw < 0.95 else "confirmed_fraud"
                steps.append(Action(case.case_id, "close", analyst, outcome=outcome, acted_at=at,
                                    note=f"closed: {outcome.replace('_', ' ')}"))
                if rng.random() < 0.05:
                    at += dt.timedelta(hours=rng.uniform(6, 72))
                    steps.append(Action(case.case_id, "reopen", LEAD, acted_at=at,
                                        note="reopened: new information from the customer"))
        out.extend(step for step in steps if step.acted_at <= as_of)
    return out


CASE_FACTS_SQL = """
    select cases.case_id, cases.first_signal_at,
           exists (select 1 from marts.fct_fraud_case_transactions as ct
                   inner join staging.stg_ground_truth__fraud_labels as labels
                       on ct.transaction_id = labels.transaction_id
                   where ct.case_id = cases.case_id) as holds_fraud
    from marts.fct_fraud_cases as cases
"""
AS_OF_SQL = "select max(transacted_at) from marts.fct_transactions"


def write_history(target: str, seed: int = 42, quiet: bool = False) -> int:
    """Read the built cases, write the history of those nobody has acted on yet (so running it again
    adds nothing), and return how many actions were recorded."""
    if target == "duckdb":
        from pipeline.loader import connect_duckdb

        from .settings import duckdb_path

        if not duckdb_path().exists():
            raise WorkflowError(f"no warehouse at {duckdb_path()}: build it first (make run)")
        con = connect_duckdb(duckdb_path(), read_only=True)
        try:
            facts = con.execute(CASE_FACTS_SQL).fetchall()
            (as_of,) = con.execute(AS_OF_SQL).fetchone()
        finally:
            con.close()
        acted = {row["case_id"] for row in read_files()}
    elif target == "postgres":
        conn = PostgresSettings.from_env().connect()
        try:
            with conn.cursor() as cur:
                cur.execute(CASE_FACTS_SQL)
                facts = cur.fetchall()
                cur.execute(AS_OF_SQL)
                (as_of,) = cur.fetchone()
                cur.execute("select distinct case_id from workflow.case_actions")
                acted = {case_id for (case_id,) in cur.fetchall()}
        finally:
            conn.close()
    else:
        raise WorkflowError(f"the case workflow is kept for duckdb or postgres, not {target!r}")
    if as_of is None:
        return 0
    cases = [CaseFacts(case_id, opened_at, bool(holds)) for case_id, opened_at, holds in facts
             if case_id not in acted]
    actions = plausible_history(cases, as_of, seed)
    count = record(actions, target) if target == "duckdb" else append_postgres(
        actions, PostgresSettings.from_env())
    if not quiet:
        print(f"case workflow: {count:,} actions on {len({a.case_id for a in actions}):,} of "
              f"{len(facts):,} cases, up to {as_of:%Y-%m-%d %H:%M}")
    return count


def check_action(action: Action, target: str) -> None:
    """For the command line and the dashboard: the case is one the warehouse holds, and the action may
    follow the case's status as its recorded actions leave it (which may be ahead of the last build)."""
    action = action.checked()
    if target == "duckdb":
        from pipeline.loader import connect_duckdb

        from .settings import duckdb_path

        if not duckdb_path().exists():
            raise WorkflowError(f"no warehouse at {duckdb_path()}: build it first (make run)")
        con = connect_duckdb(duckdb_path(), read_only=True)
        try:
            known = con.execute("select count(*) from marts.fct_fraud_cases where case_id = ?",
                                [action.case_id]).fetchone()[0]
        finally:
            con.close()
        history = [r for r in read_files() if r["case_id"] == action.case_id]
    else:
        history = [r for r in read_postgres() if r["case_id"] == action.case_id]
        server = PostgresSettings.from_env().connect()
        try:
            with server.cursor() as cur:
                cur.execute("select count(*) from marts.fct_fraud_cases where case_id = %s", (action.case_id,))
                known = cur.fetchone()[0]
        finally:
            server.close()
    if not known:
        raise WorkflowError(f"case_id {action.case_id!r} is not a case of the warehouse (marts.fct_fraud_cases)")
    check_allowed(status_after(history), action.action)

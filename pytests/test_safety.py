"""Safety and honest failure of the command line (docs/safety.md lists each case):
no command destroys a folder it did not write, no timestamp lies after the moment of generation,
no value is rounded on load, every bad input is one line with exit status 2, killed runs leave
nothing that is not cleaned at the next run, and hidden files are never data."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from generators.config import GenerateConfig, last_allowed_day
from generators.generate import generate
from generators.schema import TABLES
from pipeline.loader import LoadError, load_duckdb, load_postgres
from pipeline.settings import profiles_dir

from .conftest import BIN, ROOT, run_bankgen


def _one_line_exit_2(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("safety") / "data"
    generate(GenerateConfig(customers=60, days=3, seed=3), out, quiet=True)
    return out


def _copy(dataset: Path, where: Path) -> Path:
    shutil.copytree(dataset, where)
    return where


# ---- 1. replacing folders --------------------------------------------------------------------------

@pytest.mark.parametrize("out", [".", "", "./"])
def test_generate_refuses_to_replace_the_current_folder(tmp_path, out):
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    (clone / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (clone / "README.md").write_text("my work\n")
    before = _tree(clone)
    result = run_bankgen("generate", "--customers", "20", "--days", "1", "--out", out, cwd=clone)
    _one_line_exit_2(result, "refusing")
    assert _tree(clone) == before
    assert sorted(p.name for p in clone.iterdir()) == [".git", "README.md"]


def test_generate_refuses_a_folder_that_is_not_a_dataset(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.docx").write_text("years of work")
    result = run_bankgen("generate", "--customers", "20", "--days", "1", "--out", str(home))
    _one_line_exit_2(result, "not a bankgen dataset")
    assert (home / "thesis.docx").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_generate_refuses_a_dataset_holding_other_files(tmp_path, small):
    data = _copy(small, tmp_path / "data")
    (data / "notes.txt").write_text("mine")
    result = run_bankgen("generate", "--customers", "20", "--days", "1", "--out", str(data))
    _one_line_exit_2(result, "notes.txt")
    assert (data / "notes.txt").read_text() == "mine" and (data / "_manifest.json").exists()


def test_generate_refuses_a_manifest_that_is_not_bankgen(tmp_path):
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "_manifest.json").write_text("{}")
    (fake / "customers.parquet").write_text("not ours")
    result = run_bankgen("generate", "--customers", "20", "--days", "1", "--out", str(fake))
    _one_line_exit_2(result, "not a bankgen dataset")
    assert (fake / "customers.parquet").read_text() == "not ours"


def test_generate_replaces_an_empty_folder_and_a_dataset(tmp_path, small):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_bankgen("generate", "--customers", "20", "--days", "1", "--out", str(empty), "--quiet").returncode == 0
    assert (empty / "_manifest.json").exists()
    data = _copy(small, tmp_path / "data")
    result = run_bankgen("generate", "--customers", "20", "--days", "1", "--out", str(data), "--quiet")
    assert result.returncode == 0, result.stderr
    assert json.loads((data / "_manifest.json").read_text())["config"]["customers"] == 20


def test_generate_over_root_is_refused_and_leaves_nothing_beside_it():
    before = set(os.listdir("/"))
    result = run_bankgen("generate", "--customers", "20", "--days", "1", "--out", "/")
    _one_line_exit_2(result, "refusing")
    assert set(os.listdir("/")) == before


def test_generate_into_proc_is_one_line(tmp_path):
    _one_line_exit_2(run_bankgen("generate", "--customers", "20", "--days", "1", "--out", "/proc/foo"), "/proc")


# ---- 5. no timestamp after the moment of generation ------------------------------------------------

def _max_timestamp(data: Path) -> dt.datetime:
    latest = dt.datetime.min
    for table in TABLES.values():
        columns = [c for c, t in table.columns if t in ("timestamp", "date")]
        files = sorted((data / table.name).glob("*.parquet")) if table.daily else [data / f"{table.name}.parquet"]
        for path in files:
            frame = pq.read_table(path, columns=columns)
            for name in columns:
                value = frame.column(name).to_pylist()
                value = max((v for v in value if v is not None), default=None)
                if value is not None:
                    value = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
                    latest = max(latest, value)
    return latest


def test_a_dataset_ending_yesterday_has_no_future_timestamp(tmp_path):
    yesterday = last_allowed_day()
    out = tmp_path / "recent"
    result = run_bankgen("generate", "--customers", "80", "--days", "2", "--start-date",
                         (yesterday - dt.timedelta(days=1)).isoformat(), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    started = dt.datetime.now()
    assert _max_timestamp(out) <= started
    # today is not a whole day yet: generating it, or advancing into it, is refused before any day
    today = run_bankgen("generate", "--customers", "80", "--days", "1", "--start-date",
                        dt.date.today().isoformat(), "--out", str(tmp_path / "today"))
    _one_line_exit_2(today, "yesterday")
    before = _tree(out)
    _one_line_exit_2(run_bankgen("advance", "--data", str(out), "--days", "1"), "yesterday")
    assert _tree(out) == before


def test_advance_checks_the_whole_range_before_the_first_day(tmp_path):
    start = last_allowed_day() - dt.timedelta(days=3)
    out = tmp_path / "data"
    generate(GenerateConfig(customers=60, days=2, start_date=start, seed=2), out, quiet=True)
    before = _tree(out)
    _one_line_exit_2(run_bankgen("advance", "--data", str(out), "--days", "5"), "yesterday")
    assert _tree(out) == before  # not even the days that would have fitted were written
    result = run_bankgen("advance", "--data", str(out), "--days", "2", "--quiet")
    assert result.returncode == 0, result.stderr
    assert _max_timestamp(out) <= dt.datetime.now()


# ---- 6. no silent conversion on load ---------------------------------------------------------------

def _replace_column(path: Path, column: str, array: pa.Array) -> None:
    table = pq.read_table(path)
    pq.write_table(table.set_column(table.schema.get_field_index(column), column, array), path)


def test_a_float_id_is_refused_not_rounded(tmp_path, small):
    data = _copy(small, tmp_path / "data")
    path = data / "customers.parquet"
    ids = pq.read_table(path).column("customer_id").to_pylist()
    _replace_column(path, "customer_id", pa.array([18.7] + [float(i) for i in ids[1:]], pa.float64()))
    with pytest.raises(LoadError, match=r"customers\.parquet: row 1, column customer_id: 18\.7"):
        load_duckdb(data, tmp_path / "w.duckdb", quiet=True)
    # whole floats fit exactly and load
    _replace_column(path, "customer_id", pa.array([float(i) for i in ids], pa.float64()))
    load_duckdb(data, tmp_path / "w.duckdb", quiet=True)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert sorted(r[0] for r in con.execute("select customer_id from raw.customers").fetchall()) == sorted(ids)


@pytest.mark.postgres
def test_an_amount_with_three_decimals_is_refused_on_both_engines(tmp_path, small, pg_database):
    data = _copy(small, tmp_path / "data")
    path = sorted((data / "payment_transactions").glob("*.parquet"))[1]
    amounts = pq.read_table(path).column("amount").to_pylist()
    values = [Decimal("1234567.899")] + [Decimal(a) for a in amounts[1:]]
    _replace_column(path, "amount", pa.array(values, pa.decimal128(18, 3)))
    for load in (lambda: load_duckdb(data, tmp_path / "w.duckdb", quiet=True),
                 lambda: load_postgres(data, pg_database, quiet=True)):
        with pytest.raises(LoadError, match=rf"{path.name}: row 1, column amount: Decimal\('1234567\.899'\)"):
            load()


def test_csv_values_must_fit_exactly(tmp_path):
    data = tmp_path / "csv"
    generate(GenerateConfig(customers=40, days=2, seed=4, fmt="csv"), data, quiet=True)
    path = sorted((data / "payment_transactions").glob("*.csv"))[0]
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={c: pa.string() for c in TABLES["payment_transactions"].column_names}))
    original = path.read_bytes()
    for column, bad in (("amount", "1234567.899"), ("customer_id", "18.7"), ("transaction_ts", "2026-10-01 25:00:00")):
        values = table.column(column).to_pylist()
        values[2] = bad
        changed = table.set_column(table.schema.get_field_index(column), column, pa.array(values, pa.string()))
        pacsv.write_csv(changed, path)
        result = run_bankgen("load", "--data", str(data), "--duckdb-path", str(tmp_path / "w.duckdb"))
        _one_line_exit_2(result, path.name, "row 3", f"column {column}", bad)
        path.write_bytes(original)
    assert not (tmp_path / "w.duckdb").exists()  # refused before the warehouse was opened


# ---- 8. one line and exit 2 for every bad input ----------------------------------------------------

def test_load_bad_paths_and_settings_are_one_line(tmp_path, small):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    _one_line_exit_2(run_bankgen("load", "--data", str(small), "--duckdb-path", str(blocker / "x.duckdb")), "file.txt")
    _one_line_exit_2(run_bankgen("load", "--data", str(blocker), "--duckdb-path", str(tmp_path / "w.duckdb")),
                     "is a file")
    _one_line_exit_2(run_bankgen("load", "--target", "postgres", "--data", str(small), env={"PGPORT": "abc"}),
                     "PGPORT", "'abc'")
    _one_line_exit_2(run_bankgen("load", "--data", str(small), "--duckdb-path", str(tmp_path)), "is a folder")


def test_a_corrupt_file_is_one_line_naming_it(tmp_path, small):
    data = _copy(small, tmp_path / "data")
    victim = sorted((data / "authentication_logs").glob("*.parquet"))[1]
    victim.write_bytes(b"PAR1 this is not parquet")
    _one_line_exit_2(run_bankgen("load", "--data", str(data), "--duckdb-path", str(tmp_path / "w.duckdb")),
                     victim.name)


def test_advance_bad_input_is_one_line(tmp_path, small):
    data = _copy(small, tmp_path / "data")
    before = _tree(data)
    _one_line_exit_2(run_bankgen("advance", "--data", str(data), "--days", "1000000000000"), "--days")
    assert _tree(data) == before
    (data / "_manifest.json").write_text("{}")
    _one_line_exit_2(run_bankgen("advance", "--data", str(data), "--days", "1"), "not a bankgen manifest")
    (data / "_manifest.json").write_text(json.dumps({"generator": "bankgen"}))
    _one_line_exit_2(run_bankgen("advance", "--data", str(data), "--days", "1"), "config")
    data2 = _copy(small, tmp_path / "data2")
    (data2 / "customers.parquet").unlink()
    _one_line_exit_2(run_bankgen("advance", "--data", str(data2), "--days", "1"), "customers.parquet")
    _one_line_exit_2(run_bankgen("advance", "--data", str(tmp_path / "nothing"), "--days", "1"), "does not exist")


def test_summary_bad_input_is_one_line(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n" * 100)
    _one_line_exit_2(run_bankgen("summary", "--duckdb-path", str(text)), "notes.txt")
    _one_line_exit_2(run_bankgen("summary", "--duckdb-path", str(tmp_path)), "is a folder")
    _one_line_exit_2(run_bankgen("summary", "--duckdb-path", str(tmp_path / "none.duckdb")), "make run")
    _one_line_exit_2(run_bankgen("summary", env={"TIMO_DUCKDB_PATH": str(tmp_path / "default.duckdb")}), "make run")
    db = tmp_path / "locked.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('locked', flush=True); sys.stdin.read()", str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        _one_line_exit_2(run_bankgen("summary", "--duckdb-path", str(db), env={"TIMO_LOCK_ATTEMPTS": "2"}), "lock")
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


# ---- 9. leftovers of killed runs, hidden files -----------------------------------------------------

def _kill_when(process: subprocess.Popen, predicate, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.slow
def test_a_killed_generate_is_cleaned_at_the_next_run(tmp_path):
    out = tmp_path / "ds"
    process = subprocess.Popen([str(BIN / "bankgen"), "generate", "--customers", "20000", "--days", "30",
                                "--out", str(out), "--quiet"], cwd=ROOT)
    _kill_when(process, lambda: any((p / "payment_transactions").is_dir() for p in tmp_path.glob(".ds.tmp-*")))
    assert [p.name for p in tmp_path.glob(".ds.tmp-*")], "the killed run left its temporary folder"
    result = run_bankgen("generate", "--customers", "30", "--days", "1", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]


@pytest.mark.slow
def test_a_killed_advance_is_cleaned_at_the_next_run(tmp_path):
    out = tmp_path / "ds"
    generate(GenerateConfig(customers=20000, days=1, seed=9), out, quiet=True)
    manifest = (out / "_manifest.json").read_bytes()
    process = subprocess.Popen([str(BIN / "bankgen"), "advance", "--data", str(out), "--days", "20", "--quiet"],
                               cwd=ROOT)
    _kill_when(process, lambda: any(out.rglob(".*.tmp-*")))
    assert (out / "_manifest.json").read_bytes() == manifest  # nothing was moved into place
    result = run_bankgen("advance", "--data", str(out), "--days", "1", "--quiet")
    assert result.returncode == 0, result.stderr
    assert not list(out.rglob(".*tmp*")), list(out.rglob(".*tmp*"))


def test_the_loader_ignores_hidden_files(tmp_path, small):
    data = _copy(small, tmp_path / "data")
    db = tmp_path / "w.duckdb"
    load_duckdb(data, db, quiet=True)
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute("select count(*) from raw.payment_transactions").fetchone()[0]
    first = sorted((data / "payment_transactions").glob("*.parquet"))[0]
    shutil.copy(first, first.with_name("._" + first.name))  # a macOS resource fork beside it
    (data / "payment_transactions" / ".~lock.parquet").write_text("editor")
    load_duckdb(data, db, quiet=True)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from raw.payment_transactions").fetchone()[0] == before
        files = [r[0] for r in con.execute("select file_name from raw._load_files").fetchall()]
    assert not any(Path(f).name.startswith(".") for f in files)


# ---- 11. the dbt profile is found as dbt finds it --------------------------------------------------

def test_profiles_are_found_as_dbt_finds_them(tmp_path, monkeypatch):
    import pipeline.settings as settings_module

    project, home, elsewhere = tmp_path / "project", tmp_path / "home", tmp_path / "elsewhere"
    for folder in (project, home / ".dbt", elsewhere):
        folder.mkdir(parents=True)
    monkeypatch.setattr(settings_module, "PROJECT_ROOT", project)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    with pytest.raises(Exception, match="no dbt profile found"):
        profiles_dir()
    (home / ".dbt" / "profiles.yml").write_text("x: 1\n")
    assert profiles_dir() == home / ".dbt"
    (project / "profiles.yml").write_text("x: 1\n")
    assert profiles_dir() == project
    monkeypatch.setenv("DBT_PROFILES_DIR", str(elsewhere))
    with pytest.raises(Exception, match="DBT_PROFILES_DIR points at"):
        profiles_dir()
    (elsewhere / "profiles.yml").write_text("x: 1\n")
    assert profiles_dir() == elsewhere
    assert profiles_dir(explicit=project) == project


@pytest.mark.slow
def test_simulate_uses_dbt_profiles_dir(tmp_path, small):
    """The project has no say here: DBT_PROFILES_DIR names a folder whose profile sends dbt to a DuckDB
    file of its own, and the simulated day is built there."""
    data = tmp_path / "data"
    start = last_allowed_day() - dt.timedelta(days=4)
    generate(GenerateConfig(customers=60, days=2, start_date=start, seed=5), data, quiet=True)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    db = tmp_path / "elsewhere.duckdb"
    text = (ROOT / "profiles.yml.example").read_text()
    duckdb_threads = "threads: \"{{ env_var('TIMO_DUCKDB_THREADS', '1') | as_number }}\""
    assert duckdb_threads in text
    (profiles / "profiles.yml").write_text(text.replace(duckdb_threads, "threads: 3"))  # tells the profiles apart
    env = {"DBT_PROFILES_DIR": str(profiles), "DBT_LOG_PATH": str(tmp_path / "logs")}
    load_duckdb(data, db, quiet=True)
    result = run_bankgen("simulate", "--data", str(data), "--days", "1", "--duckdb-path", str(db), env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(distinct transaction_date) from marts.fct_transactions").fetchone()[0] == 3
    assert "Concurrency: 3 threads" in (tmp_path / "logs" / "dbt.log").read_text()
    missing = run_bankgen("simulate", "--data", str(data), "--days", "1", env={"DBT_PROFILES_DIR": str(tmp_path)})
    _one_line_exit_2(missing, "DBT_PROFILES_DIR")


# ---- make clean and make run delete only what the tools wrote --------------------------------------

def test_clean_deletes_warehouses_and_datasets_and_refuses_anything_else(tmp_path, small):
    data = _copy(small, tmp_path / "data")
    db = tmp_path / "w.duckdb"
    load_duckdb(data, db, quiet=True)
    precious = tmp_path / "precious.db"
    precious.write_text("not a warehouse")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    _one_line_exit_2(run_bankgen("clean", "--duckdb-path", str(precious)), "not a DuckDB database file")
    _one_line_exit_2(run_bankgen("clean", "--data", str(data), "--data", str(folder)), "not a bankgen dataset")
    assert data.exists() and precious.exists() and (folder / "notes.txt").exists()  # nothing at all was deleted
    result = run_bankgen("clean", "--duckdb-path", str(db), "--data", str(data))
    assert result.returncode == 0, result.stderr
    assert not db.exists() and not data.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "precious.db"]

"""`bankgen stream`: transactions as they happen, written into the dataset folder as small batch files
(the analogue of the BDT2023 project's Kafka streamers).

Every `interval` seconds a stream writes one batch for the time since its previous batch:

- `payment_transactions/<day>.stream-<name>-<seq>.<fmt>`: `rate x interval` transactions (on average)
  of the dataset's own customers, accounts and devices, with timestamps in that window;
- `authentication_logs/<day>.stream-<name>-<seq>.<fmt>`: their authentication attempts. An attempt
  that has not happened yet when the batch is written (its timestamp is after the batch's end), and a
  `late_share` of the others, arrive with the next batch, like logs that reach the core late;
- `fraud_labels/<day>.stream-<name>-<seq>.<fmt>`: empty (streams carry ordinary activity; planted
  fraud comes from `generate` and `advance`).

Each file is written under a hidden name and renamed into place, so a reader never sees half a
batch. Identifiers come from `.streams/next_ids.json` under a lock, so several streams can run side
by side. They start far above the manifest's next ids (STREAM_ID_GAP), so `bankgen advance` never
collides with them.
A stream writes only days after the dataset's last day and never a timestamp after the moment it
writes. `bankgen advance` refuses a day that already holds streamed batches.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from .activity import DeviceSwitch, fill_descriptions, normal_activity
from .auth import auth_log_table, simulate_attempts
from .batch import make_batch, take
from .config import ConfigError, config_from_manifest, manifest_last_day
from .dataset import STREAMS, parse_manifest
from .day import channels, labels_table, settle_day, statuses, transactions_table
from .ledger import balances_from, merge_inbound
from .population import build_population, make_pools
from .reference import load_reference
from .schema import TABLES
from .writers import publish_table, read_table

STREAM_ID_GAP = 1_000_000_000
NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,31}$")
EVENT_TABLES = ("payment_transactions", "authentication_logs", "fraud_labels")
EPOCH = datetime(1970, 1, 1)


def stream_files(folder: Path, day: date) -> list[Path]:
    """The streamed batch files of one day (any table)."""
    return sorted(p for t in EVENT_TABLES for p in (Path(folder) / t).glob(f"{day.isoformat()}.stream-*"))


def _seconds(moment: datetime) -> int:
    return int((moment - EPOCH).total_seconds())


def reserve_ids(folder: Path, manifest: dict, transactions: int, logs: int) -> tuple[int, int]:
    """The first transaction id and log id of a block, taken under a lock shared by every stream."""
    path = Path(folder) / STREAMS / "next_ids.json"
    path.parent.mkdir(exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            ids = json.loads(path.read_text())
        else:
            ids = {"transaction_id": manifest["next_ids"]["transaction_id"] + STREAM_ID_GAP,
                   "log_id": manifest["next_ids"]["log_id"] + STREAM_ID_GAP}
        first = ids["transaction_id"], ids["log_id"]
        ids = {"transaction_id": first[0] + transactions, "log_id": first[1] + logs}
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(ids) + "\n")
        tmp.replace(path)
    return first


@dataclass
class BatchResult:
    seq: int
    window_start: datetime
    window_end: datetime
    transactions: int
    auth_logs: int
    logs_held: int
    files: list[Path] = field(default_factory=list)


class Stream:
    """One stream over a dataset folder; `write_batch(now)` writes the batch for (last end, now]."""

    def __init__(self, folder: Path, name: str = "s1", rate: float = 50.0, late_share: float = 0.02,
                 started_at: datetime | None = None):
        if not NAME.match(name):
            raise ConfigError(f"--name must be 1-32 lower-case letters, digits or _, got {name!r}")
        if not rate > 0 or rate > 10_000:
            raise ConfigError(f"--rate must be more than 0 and at most 10000 transactions per second, got {rate}")
        if not 0 <= late_share < 1:
            raise ConfigError(f"--late-share must be from 0 to less than 1, got {late_share}")
        self.folder = Path(folder)
        self.manifest = parse_manifest(self.folder)
        self.cfg = config_from_manifest(self.manifest)
        self.name, self.rate, self.late_share = name, rate, late_share
        self.window_end = (started_at or datetime.now()).replace(microsecond=0)
        first_allowed = manifest_last_day(self.manifest) + timedelta(days=1)
        if self.window_end.date() < first_allowed:
            raise ConfigError(f"the dataset already holds {first_allowed - timedelta(days=1)}: a stream writes only "
                              "days after the dataset's last day")
        ref = load_reference()
        self.method_ids = ref.auth_method_ids
        self.method_codes = {v: k for k, v in self.method_ids.items()}
        self.pop = build_population(self.cfg, ref, make_pools(self.cfg.seed))
        accounts_file = self.folder / f"bank_accounts.{self.cfg.fmt}"
        if accounts_file.is_file():  # the core's balances at the dataset's end: where this stream's money starts
            balances_from(read_table(accounts_file, self.cfg.fmt, TABLES["bank_accounts"].arrow_schema),
                          self.pop.account_balance)
        self.switch = DeviceSwitch(self.pop.n_customers)
        self.rng = self.cfg.rng(30, sum(name.encode()))
        self.held: pa.Table | None = None
        self.seq = self._next_seq()

    def _next_seq(self) -> int:
        pattern = re.compile(rf"\.stream-{re.escape(self.name)}-(\d+)\.")
        seen = [int(m.group(1)) for t in EVENT_TABLES for p in (self.folder / t).glob("*.stream-*")
                if (m := pattern.search(p.name))]
        return max(seen, default=0) + 1

    def _activity(self, count: int, start: int, end: int) -> dict[str, np.ndarray]:
        """`count` ordinary transactions with timestamps in (start, end]: drawn from simulated days of
        the population (who pays whom, how much, from which device) and placed in the window."""
        parts, have = [], 0
        day = (EPOCH + timedelta(seconds=start)).date()
        day_start = _seconds(datetime.combine(day, datetime.min.time()))
        while have < count:
            part = normal_activity(self.rng, self.pop, day, day_start, self.switch)
            parts.append(part)
            have += len(part["ts"])
        batch = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        batch = take(batch, self.rng.choice(len(batch["ts"]), count, replace=False))
        batch["ts"] = np.sort(self.rng.integers(start + 1, end + 1, count))
        fill_descriptions(self.rng, batch)
        return take(batch, np.lexsort((batch["customer"], batch["ts"])))

    def write_batch(self, now: datetime | None = None) -> BatchResult:
        now = (now or datetime.now()).replace(microsecond=0)
        if now <= self.window_end:
            raise ConfigError(f"batch end {now} is not after the previous batch end {self.window_end}")
        start, end = _seconds(self.window_end), _seconds(now)
        count = int(self.rng.poisson(self.rate * (end - start)))
        batch = self._activity(count, start, end) if count else make_batch(0)
        attempts = simulate_attempts(self.rng, batch, self.pop.customer_type[batch["customer"]], self.method_ids,
                                     self.method_codes)
        n_logs = len(attempts["txn"])
        first_txn, first_log = reserve_ids(self.folder, self.manifest, count, n_logs)
        txn_ids = np.arange(first_txn, first_txn + count, dtype=np.int64)
        status, reason = statuses(self.rng, batch, attempts, self.pop)
        # funds are checked against the balances this stream has seen (it carries no credits from outside)
        status, reason = settle_day(self.pop, batch, status, reason, merge_inbound([]))
        txns = transactions_table(batch, txn_ids, status, channels(batch, self.pop), reason)
        logs = auth_log_table(attempts, txn_ids, batch["ts"], first_log, self.rng)
        labels = labels_table(batch, txn_ids)
        # attempts after the batch's end have not happened yet; a share of the rest reach the core late
        auth_seconds = logs.column("auth_ts").cast(pa.int64()).to_numpy(zero_copy_only=False) // 1_000_000
        later = (auth_seconds > end) | (self.rng.random(logs.num_rows) < self.late_share)
        delivered = logs.filter(pa.array(~later))
        if self.held is not None:
            held_seconds = self.held.column("auth_ts").cast(pa.int64()).to_numpy(zero_copy_only=False) // 1_000_000
            due = held_seconds <= end
            delivered = pa.concat_tables([self.held.filter(pa.array(due)), delivered])
            still = self.held.filter(pa.array(~due))
        else:
            still = logs.slice(0, 0)
        self.held = pa.concat_tables([still, logs.filter(pa.array(later))])
        result = BatchResult(self.seq, self.window_end, now, txns.num_rows, delivered.num_rows, self.held.num_rows)
        day = now.date().isoformat()
        for table_name, table in (("fraud_labels", labels), ("authentication_logs", delivered),
                                  ("payment_transactions", txns)):
            final = self.folder / table_name / f"{day}.stream-{self.name}-{self.seq:06d}.{self.cfg.fmt}"
            publish_table(table, final, self.cfg.fmt)
            result.files.append(final)
        self.window_end, self.seq = now, self.seq + 1
        return result


    def close(self, now: datetime | None = None) -> BatchResult | None:
        """Deliver the logs still held back, as one last authentication-log file. In real time (no
        `now`), first wait for the moment of the latest held attempt (about a minute at most), so that
        stopping a stream loses nothing and writes nothing in the future."""
        if self.held is None or self.held.num_rows == 0:
            return None
        latest = self.held.column("auth_ts").cast(pa.int64()).to_numpy(zero_copy_only=False).max() // 1_000_000
        if now is None:
            time.sleep(max(0.0, latest + 1 - _seconds(datetime.now())))
            now = datetime.now().replace(microsecond=0)
        if _seconds(now) < latest:
            raise ConfigError(f"held attempts run to {EPOCH + timedelta(seconds=int(latest))}, after {now}")
        final = (self.folder / "authentication_logs"
                 / f"{now.date().isoformat()}.stream-{self.name}-{self.seq:06d}.{self.cfg.fmt}")
        publish_table(self.held, final, self.cfg.fmt)
        result = BatchResult(self.seq, self.window_end, now, 0, self.held.num_rows, 0, [final])
        self.held, self.seq = self.held.slice(0, 0), self.seq + 1
        return result


def run(folder: Path, name: str, rate: float, interval: float, duration: float | None = None,
        late_share: float = 0.02, out=print) -> list[BatchResult]:
    """Write a batch every `interval` seconds until SIGTERM/SIGINT or `duration` seconds have passed."""
    if not 0.5 <= interval <= 3_600:
        raise ConfigError(f"--interval must be from 0.5 to 3600 seconds, got {interval}")
    stream = Stream(folder, name, rate, late_share)
    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.append(True))
    started = time.monotonic()
    results = []
    while not stopping:
        wake = started + interval * (len(results) + 1)
        while not stopping and time.monotonic() < wake:
            time.sleep(min(0.2, max(0.0, wake - time.monotonic())))
        if stopping:
            break
        result = stream.write_batch()
        results.append(result)
        out(f"[stream {name}] batch {result.seq}: {result.transactions} transactions, {result.auth_logs} auth logs "
            f"({result.logs_held} held back) for {result.window_start:%H:%M:%S}-{result.window_end:%H:%M:%S}")
        if duration is not None and time.monotonic() - started >= duration:
            break
    last = stream.close()
    if last is not None:
        results.append(last)
        out(f"[stream {name}] stopped: {last.auth_logs} held-back auth logs delivered")
    return results

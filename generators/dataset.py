"""What a bankgen dataset folder is, and the only ways bankgen replaces or removes one.

A dataset folder holds `_manifest.json` (written last by `generate`), the state tables as
`<table>.<fmt>`, the event tables as `<table>/<day>.<fmt>` (and `<day>.late.<fmt>` from `advance`),
`_expected_rejections.csv` when dirty rows were planted, and `_pending/` for late logs held back.

Safety rules, shared by every command that writes datasets:
- a folder is replaced only when it is empty or is a bankgen dataset holding nothing else;
  anything else (the current folder of a clone, a home folder, `/`) is refused with exit 2 and
  left untouched;
- temporary folders and files carry the writer's process id; ones left by a process that no longer
  runs (a killed `generate` or `advance`) are removed at the next run, and never anything else.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from .config import ConfigError
from .schema import FORMATS, TABLES

MANIFEST = "_manifest.json"
EXPECTED_REJECTIONS = "_expected_rejections.csv"
PENDING = "_pending"
STREAMS = ".streams"  # bankgen stream's pid files, logs and id reservations (generators/stream.py)

_TEMP = re.compile(r"^\.(?P<name>.+)\.(?:tmp|old)-(?P<pid>\d+)$")
_TEMP_FILE = re.compile(r"^\..+\.tmp-(?P<pid>\d+)$")


def _dataset_entry_names() -> set[str]:
    names = {MANIFEST, EXPECTED_REJECTIONS, PENDING, STREAMS}
    for table in TABLES.values():
        names.add(table.name) if table.daily else names.update(f"{table.name}.{fmt}" for fmt in FORMATS)
    return names


DATASET_ENTRIES = frozenset(_dataset_entry_names())


def parse_manifest(folder: Path) -> dict:
    """The folder's bankgen manifest; ConfigError (one line) when it is missing, unreadable, not JSON or
    not bankgen's."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise ConfigError(f"{folder} is not a generated dataset (no {MANIFEST}): run `bankgen generate` first")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("generator") != "bankgen":
        raise ConfigError(f'{path} is not a bankgen manifest (no "generator": "bankgen")')
    return manifest


def read_manifest(folder: Path) -> dict | None:
    """The folder's bankgen manifest, or None when it has none (or one that is not bankgen's)."""
    try:
        return parse_manifest(folder)
    except ConfigError:
        return None


def check_replaceable(target: Path) -> None:
    """Raise ConfigError unless `target` is absent, an empty folder, or a bankgen dataset and nothing else."""
    target = Path(target).resolve()
    if target == Path(target.anchor):
        raise ConfigError(f"refusing to write a dataset over {target}: choose a new or empty folder")
    if not target.exists():
        return
    if not target.is_dir():
        raise ConfigError(f"output path {target} exists and is not a folder; choose a new or empty folder")
    here = Path.cwd().resolve()
    if target == target.anchor or target in (here, *here.parents):
        raise ConfigError(f"refusing to replace {target}: it holds the current folder; choose a new or empty folder")
    try:
        entries = sorted(p.name for p in target.iterdir())
    except OSError as exc:
        raise ConfigError(f"output folder {target} cannot be read: {exc.strerror}") from None
    entries = [e for e in entries if not _TEMP.match(e) and not _TEMP_FILE.match(e) and not e.endswith(".tmp")]
    if not entries:
        return
    if read_manifest(target) is None:
        raise ConfigError(f"refusing to replace {target}: it is not empty and not a bankgen dataset "
                          f"(no {MANIFEST}); choose a new or empty folder")
    live = [p.stem for p in sorted((target / STREAMS).glob("*.pid")) if _pid_alive(p)]
    if live:
        raise ConfigError(f"refusing to replace {target}: stream {live[0]} is writing into it; "
                          "run `bankgen stream stop` first")
    foreign = [e for e in entries if e not in DATASET_ENTRIES]
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise ConfigError(f"refusing to replace {target}: besides a bankgen dataset it holds {shown}; "
                          "move them away or choose another folder")


def _pid_alive(pid_file: Path) -> bool:
    try:
        return pid_alive(int(pid_file.read_text().strip()))
    except (OSError, ValueError):
        return False


def remove_dataset(folder: Path) -> None:
    """Delete a folder that bankgen wrote (checked as for replacing it); absent is fine."""
    folder = Path(folder).resolve()
    check_replaceable(folder)
    if folder.exists():
        shutil.rmtree(folder)


def pid_alive(pid: int) -> bool:
    """The process is running (this process counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_temp(parent: Path, name: str | None = None) -> list[Path]:
    """Remove `.NAME.tmp-PID` / `.NAME.old-PID` folders and `.FILE.tmp-PID` files in `parent` whose
    process has ended (left by a killed run). Returns what was removed."""
    removed: list[Path] = []
    parent = Path(parent)
    if not parent.is_dir():
        return removed
    for entry in parent.iterdir():
        match = _TEMP.match(entry.name) or _TEMP_FILE.match(entry.name)
        if not match or (name is not None and match.groupdict().get("name", name) != name):
            continue
        if pid_alive(int(match.group("pid"))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def file_day(path: Path) -> str | None:
    """The day an event file holds, from its name (`2026-10-05.parquet`, `2026-10-05.late.parquet`)."""
    match = re.match(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\.", Path(path).name)
    return match.group(1) if match else None


def is_hidden(path: Path) -> bool:
    """Dot-files (editor backups, macOS `._x` resource forks, our own temporary files) are never data."""
    return Path(path).name.startswith(".")


def is_duckdb_file(path: Path) -> bool:
    """A DuckDB database file (its header carries the magic bytes "DUCK" at offset 8)."""
    try:
        with Path(path).open("rb") as handle:
            return handle.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def remove_warehouse_file(path: Path) -> bool:
    """Delete a DuckDB warehouse file (and its write-ahead log); refuse anything that is not one."""
    path = Path(path)
    if not path.exists():
        return False
    if not path.is_file() or not is_duckdb_file(path):
        raise ConfigError(f"refusing to delete {path}: it is not a DuckDB database file")
    path.unlink()
    Path(f"{path}.wal").unlink(missing_ok=True)
    return True

"""Writing tables as CSV or Parquet into a dataset folder that appears only when complete."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .config import ConfigError
from .dataset import check_replaceable, clean_stale_temp


def write_table(table: pa.Table, path: Path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd", write_statistics=True)
    else:
        pacsv.write_csv(table, path, pacsv.WriteOptions(include_header=True, quoting_style="needed"))


def publish_table(table: pa.Table, path: Path, fmt: str) -> None:
    """Write under a hidden temporary name beside `path`, then rename: a reader sees the whole file or none."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write_table(table, tmp, fmt)
    tmp.replace(path)


def read_table(path: Path, fmt: str, schema: pa.Schema) -> pa.Table:
    """A table written by write_table, with its declared types."""
    if fmt == "parquet":
        return pq.read_table(path, schema=schema)
    options = pacsv.ConvertOptions(column_types=schema, strings_can_be_null=True)
    return pacsv.read_csv(path, convert_options=options).select(schema.names).cast(schema)


@contextlib.contextmanager
def atomic_directory(target: Path):
    """Yield a temporary folder beside `target`; on success it replaces `target` in one rename.

    `target` must be absent, empty, or a bankgen dataset and nothing else (dataset.check_replaceable):
    checked before anything is written and again just before the swap. On any error, or Ctrl-C, the
    temporary folder is removed and `target` is left as it was. Temporary folders left by a killed
    run are removed first.
    """
    target = Path(target).resolve()
    check_replaceable(target)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create output folder {parent}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise ConfigError(f"output folder {target} cannot be written")
    clean_stale_temp(parent, target.name)
    tmp = parent / f".{target.name}.tmp-{os.getpid()}"
    try:
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
    except OSError as exc:
        raise ConfigError(f"cannot write into {parent}: {exc.strerror}") from None
    try:
        yield tmp
        check_replaceable(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)

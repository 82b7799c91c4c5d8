"""`bankgen stream start|stop|run`: streams as background processes, one pid file each in the
dataset's `.streams/` folder (generators/stream.py writes the batches)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from generators.config import ConfigError
from generators.dataset import pid_alive
from generators.stream import NAME, STREAMS, Stream, run


def _pid_file(folder: Path, name: str) -> Path:
    return Path(folder) / STREAMS / f"{name}.pid"


def running(folder: Path) -> dict[str, int]:
    """The streams of this dataset that are running, by name (stale pid files are ignored)."""
    out = {}
    for path in sorted((Path(folder) / STREAMS).glob("*.pid")):
        try:
            pid = int(path.read_text().strip())
        except ValueError:
            continue
        if pid_alive(pid):
            out[path.stem] = pid
    return out


def start(folder: Path, name: str, rate: float, interval: float, streams: int = 1, late_share: float = 0.02,
          out=print) -> dict[str, int]:
    """Start `streams` background streams sharing `rate` (s1, s2, ... when more than one)."""
    folder = Path(folder)
    if not 1 <= streams <= 16:
        raise ConfigError(f"--streams must be from 1 to 16, got {streams}")
    if not 0.5 <= interval <= 3_600:
        raise ConfigError(f"--interval must be from 0.5 to 3600 seconds, got {interval}")
    names = [name] if streams == 1 else [f"{name}{k + 1}" for k in range(streams)]
    if not all(NAME.match(n) for n in names):
        raise ConfigError(f"--name must be 1-32 lower-case letters, digits or _, got {name!r}")
    already = sorted(set(names) & set(running(folder)))
    if already:
        raise ConfigError(f"stream {already[0]} is already running on {folder}: `bankgen stream stop` first")
    Stream(folder, names[0], rate / streams, late_share)  # every check, before any process starts
    started = {}
    for n in names:
        log = folder / STREAMS / f"{n}.log"
        log.parent.mkdir(exist_ok=True)
        with log.open("a") as handle:
            proc = subprocess.Popen(
                [sys.executable, "-m", "pipeline.cli", "stream", "run", "--data", str(folder), "--name", n,
                 "--rate", str(rate / streams), "--interval", str(interval), "--late-share", str(late_share)],
                stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        _pid_file(folder, n).write_text(f"{proc.pid}\n")
        started[n] = proc.pid
    time.sleep(1.0)
    for n, pid in started.items():
        if not pid_alive(pid) or subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True,
                                             text=True).stdout.strip().startswith("Z"):
            tail = (folder / STREAMS / f"{n}.log").read_text().strip().splitlines()[-1:]
            raise ConfigError(f"stream {n} stopped at once: {tail[0] if tail else 'no output'}")
        out(f"stream {n}: started (pid {pid}), {rate / streams:g} transactions/s, a batch every {interval:g} s, "
            f"log {folder / STREAMS / f'{n}.log'}")
    return started


def stop(folder: Path, name: str | None = None, out=print) -> list[str]:
    """Stop the named stream, or every stream of the dataset; each finishes the batch it is writing."""
    streams = running(folder)
    chosen = {n: p for n, p in streams.items() if name is None or n == name}
    if name is not None and not chosen:
        raise ConfigError(f"no stream named {name} is running on {folder}")
    for pid in chosen.values():
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 120  # a stream delivers its held logs first (a minute at most)
    for n, pid in chosen.items():
        while pid_alive(pid) and time.monotonic() < deadline:
            try:  # our own child when started in this process; otherwise just wait
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.1)
        _pid_file(folder, n).unlink(missing_ok=True)
        out(f"stream {n}: stopped")
    if not chosen:
        out("no stream is running")
    return sorted(chosen)


def run_foreground(folder: Path, name: str, rate: float, interval: float, late_share: float,
                   duration: float | None = None) -> None:
    try:
        run(folder, name, rate, interval, duration, late_share, out=lambda line: print(line, flush=True))
    finally:
        pid_file = _pid_file(folder, name)
        if pid_file.exists() and pid_file.read_text().strip() == str(os.getpid()):
            pid_file.unlink(missing_ok=True)

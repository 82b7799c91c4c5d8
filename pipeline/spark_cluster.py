"""A standalone Spark cluster on this machine: one master and N workers, started and stopped with the
daemon script pyspark ships (sbin/spark-daemon.sh), every port bound to 127.0.0.1.

`bankgen spark-cluster start` starts it, `stop` stops it, `status` says what runs; `make spark-cluster`
starts it, loads and builds the warehouse against spark://127.0.0.1:7077, and stops it. The pid files,
the daemons' logs and the workers' scratch folders live under $TIMO_SPARK_DIR/cluster.

The workers run on this machine, so they read the dataset's files and write the tables' Parquet files
in the same folders as the driver (the dbt or bankgen process, which keeps the catalog). A real cluster
shares them through HDFS or object storage instead (docs/spark.md).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .settings import SettingsError
from .spark import SparkSettings

MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
HOST = "127.0.0.1"


def spark_home() -> Path:
    try:
        import pyspark
    except ImportError:
        raise SettingsError("Spark is not installed in this environment: pip install -e '.[spark]' "
                            "(make install does)") from None
    return Path(pyspark.__file__).parent


@dataclass(frozen=True)
class Cluster:
    folder: Path
    workers: int = 2
    cores: int = 1
    memory: str = "3g"
    port: int = 7077
    webui_port: int = 8090

    @classmethod
    def from_settings(cls, settings: SparkSettings | None = None, **kwargs) -> Cluster:
        settings = settings or SparkSettings.from_env()
        return cls(folder=settings.home / "cluster", **kwargs)

    @property
    def master_url(self) -> str:
        return f"spark://{HOST}:{self.port}"

    def _env(self) -> dict[str, str]:
        return {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_PID_DIR": str(self.folder),
                "SPARK_LOG_DIR": str(self.folder / "logs"), "SPARK_LOCAL_IP": HOST,
                # no REST submission endpoint: jobs come from this machine's drivers only
                "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",
                "SPARK_WORKER_OPTS": "-Dspark.worker.cleanup.enabled=true"}

    def _daemon(self, action: str, klass: str, instance: int, *args: str) -> subprocess.CompletedProcess:
        script = spark_home() / "sbin" / "spark-daemon.sh"
        return subprocess.run(["bash", str(script), action, klass, str(instance), *args], env=self._env(),
                              capture_output=True, text=True, timeout=120)

    def _pid_file(self, klass: str, instance: int) -> Path:
        user = os.environ.get("USER") or os.environ.get("LOGNAME") or _whoami()
        return self.folder / f"spark-{user}-{klass}-{instance}.pid"

    def running(self) -> dict[str, bool]:
        """Which daemons run: the master and each worker, by their pid files."""
        from generators.dataset import pid_alive

        def alive(klass, instance):
            path = self._pid_file(klass, instance)
            try:
                return pid_alive(int(path.read_text().strip()))
            except (OSError, ValueError):
                return False
        out = {"master": alive(MASTER_CLASS, 1)}
        for i in range(1, self.workers + 1):
            out[f"worker {i}"] = alive(WORKER_CLASS, i)
        return out

    def _workers_registered(self) -> int:
        log = self.folder / "logs"
        return sum(1 for p in log.glob(f"*{WORKER_CLASS}-*.out")
                   if "Successfully registered with master" in p.read_text(errors="replace"))

    def start(self, timeout: float = 90) -> None:
        if any(self.running().values()):
            raise SettingsError(f"a Spark cluster already runs from {self.folder}: "
                                "`bankgen spark-cluster stop` first")
        with socket.socket() as probe:
            if probe.connect_ex((HOST, self.port)) == 0:
                raise SettingsError(f"port {HOST}:{self.port} is taken by another program; "
                                    "stop it or start the cluster elsewhere")
        (self.folder / "logs").mkdir(parents=True, exist_ok=True)
        for old in (self.folder / "logs").glob("*.out*"):
            old.unlink()
        work = self.folder / "work"
        steps = [(MASTER_CLASS, 1, ["--host", HOST, "--port", str(self.port),
                                    "--webui-port", str(self.webui_port)])]
        steps += [(WORKER_CLASS, i, ["--host", HOST, "--cores", str(self.cores), "--memory", self.memory,
                                     "--webui-port", str(self.webui_port + i), "--work-dir", str(work / str(i)),
                                     self.master_url]) for i in range(1, self.workers + 1)]
        for klass, instance, args in steps:
            result = self._daemon("start", klass, instance, *args)
            if result.returncode != 0:
                self.stop()
                raise SettingsError(f"cannot start {klass.rsplit('.', 1)[-1]} {instance}: "
                                    f"{(result.stderr or result.stdout).strip().splitlines()[-1:]}")
        deadline = time.monotonic() + timeout
        while self._workers_registered() < self.workers:
            if time.monotonic() > deadline or not all(self.running().values()):
                self.stop()
                raise SettingsError(f"the Spark cluster did not come up within {timeout:.0f}s; "
                                    f"see the logs in {self.folder / 'logs'}")
            time.sleep(0.5)

    def daemon_pids(self) -> list[int]:
        """The pids of the master and the workers (their executors are their children)."""
        pids = []
        for path in self.folder.glob("spark-*.pid"):
            try:
                pids.append(int(path.read_text().strip()))
            except (OSError, ValueError):
                continue
        return pids

    def stop(self, timeout: float = 30) -> None:
        """Stop the workers, then the master, and wait until their processes are gone (killed after
        `timeout` seconds): when this returns, nothing of the cluster listens any more."""
        from generators.dataset import pid_alive

        pids = self.daemon_pids()
        for i in range(self.workers, 0, -1):
            self._daemon("stop", WORKER_CLASS, i)
        self._daemon("stop", MASTER_CLASS, 1)
        deadline = time.monotonic() + timeout
        while any(pid_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in pids:
            if pid_alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _whoami() -> str:
    import getpass

    return getpass.getuser()

"""Spark, the scale-out engine: one description of the Spark session that `bankgen load --target spark`,
the tests and the benchmarks open, the same one dbt opens from the `spark` target of
`profiles.yml.example` (dbt-spark's session method: Spark runs inside the dbt process).

Where things live (all under $TIMO_SPARK_DIR, default warehouse/spark):
- `metastore_db/`: the catalog (an embedded Derby database): which databases and tables exist.
- `tables/`: the tables' Parquet files (Spark's warehouse folder), one folder per table.

The embedded catalog admits one Spark process at a time: a load and a build run one after the other.
`spark.master` is local[2] by default; `make spark-cluster` points it at a standalone master
(spark://127.0.0.1:7077) whose workers read and write the same folders, as they run on this machine.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generators.reference import PROJECT_ROOT

from .settings import SettingsError

DEFAULT_SPARK_DIR = "warehouse/spark"
DEFAULT_MASTER = "local[2]"
LOG_CONFIG = Path(__file__).with_name("spark-log4j2.properties")


def _java_major() -> int | None:
    """The major version of the `java` that Spark will start, or None when there is none."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    for token in out.replace('"', " ").split():
        head = token.split(".")[0]
        if head.isdigit() and "." in token:
            return int(head)
    return None


@dataclass(frozen=True)
class SparkSettings:
    master: str
    home: Path
    driver_memory: str
    shuffle_partitions: int
    executor_memory: str = "2g"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SparkSettings:
        """The settings of the `spark` target: the same variables and defaults as profiles.yml.example."""
        env = os.environ if env is None else env
        home = Path(env.get("TIMO_SPARK_DIR") or DEFAULT_SPARK_DIR)
        partitions = env.get("TIMO_SPARK_SHUFFLE_PARTITIONS") or "4"
        if not partitions.isdigit() or int(partitions) < 1:
            raise SettingsError(f"TIMO_SPARK_SHUFFLE_PARTITIONS must be a whole number above 0, got {partitions!r}")
        return cls(master=env.get("TIMO_SPARK_MASTER") or DEFAULT_MASTER,
                   home=home if home.is_absolute() else PROJECT_ROOT / home,
                   driver_memory=env.get("TIMO_SPARK_DRIVER_MEMORY") or "4g",
                   shuffle_partitions=int(partitions),
                   executor_memory=env.get("TIMO_SPARK_EXECUTOR_MEMORY") or "2g")

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "tables"

    @property
    def metastore_dir(self) -> Path:
        return self.home / "metastore_db"

    def env(self) -> dict[str, str]:
        """The TIMO_SPARK_* variables that point dbt's `spark` target at these settings."""
        return {"TIMO_SPARK_MASTER": self.master, "TIMO_SPARK_DIR": str(self.home),
                "TIMO_SPARK_DRIVER_MEMORY": self.driver_memory,
                "TIMO_SPARK_EXECUTOR_MEMORY": self.executor_memory,
                "TIMO_SPARK_SHUFFLE_PARTITIONS": str(self.shuffle_partitions)}

    def conf(self) -> dict[str, str]:
        """The session's configuration (profiles.yml.example lists the same under server_side_parameters)."""
        return {
            "spark.master": self.master,
            "spark.app.name": "timo_bank",
            "spark.driver.memory": self.driver_memory,
            "spark.executor.memory": self.executor_memory,
            "spark.sql.warehouse.dir": str(self.warehouse_dir),
            "spark.hadoop.javax.jdo.option.ConnectionURL":
                f"jdbc:derby:;databaseName={self.metastore_dir};create=true",
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={self.home} "
                                             f"-Dlog4j2.configurationFile={LOG_CONFIG}",
            "spark.log.structuredLogging.enabled": "false",
            "spark.sql.shuffle.partitions": str(self.shuffle_partitions),
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.sources.partitionOverwriteMode": "dynamic",
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
        }


def spark_session(settings: SparkSettings | None = None):
    """The process's Spark session with the `spark` target's settings (started once, then shared: dbt
    run in the same process finds it)."""
    settings = settings or SparkSettings.from_env()
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SettingsError("Spark is not installed in this environment: pip install -e '.[spark]' "
                            "(make install does)") from None
    major = _java_major()
    if major is None or major < 17:
        raise SettingsError("Spark needs Java 17 or newer and found " + (f"Java {major}" if major else "none")
                            + ": install openjdk-17-jre-headless (scripts/ensure_java.sh does, as root)")
    settings.home.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    from pyspark.logger import PySparkLogger

    # pyspark logs every failed statement with its Java stack trace as one JSON line; the caller reports
    # the error itself, with its message
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL + 10)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in settings.conf().items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session

# Two commands from a fresh clone:  `make run` (build everything) and `make test` (run the tests).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CUSTOMERS ?= 2000
DAYS ?= 30
SEED ?= 42
FORMAT ?= parquet
DATA ?= data/raw
TARGET ?= duckdb
DUCKDB_PATH ?= $(or $(TIMO_DUCKDB_PATH),warehouse/timo_bank.duckdb)
DBT := $(BIN)/dbt
DBT_FLAGS := --profiles-dir .
PORT ?= 8501
# The dashboard has no login: it listens on this machine only unless ADDRESS says otherwise.
ADDRESS ?= 127.0.0.1
SIM_DAYS ?= 3
# pytest processes for make test (pytest-xdist; a module's tests stay in one process, so its
# shared warehouse is built once): one per core of the 2-core machines it is sized for
TEST_WORKERS ?= 2

.PHONY: bench-models spark-cluster bench-spark run install generate load build docs dashboard orchestrate simulate test lint bench bench-quick bench-generator bench-stream clean help

help:
	@echo "make run     - venv, generate $(CUSTOMERS) customers x $(DAYS) days, load into DuckDB, dbt build, docs"
	@echo "make test    - venv, then pytest (generator, loader and dbt on DuckDB and PostgreSQL, sqlfluff, ruff)"
	@echo "make bench-stream - stream latency: 50 transactions/s for 10 min, alert latency p50/p95, cost per micro-batch"
	@echo "make bench   - the benchmark suite: 100k/1M/10M end to end, incremental, triggers (bench/results/bench.{json,md})"
	@echo "make docs    - dbt docs generate --static (one HTML file: target/static_index.html)"
	@echo "make simulate - after make run: SIM_DAYS more days, each advanced, loaded and built incrementally"
	@echo "make dashboard - the Streamlit dashboard on http://$(ADDRESS):$(PORT), this machine only (TARGET=postgres: as the dashboard role)"
	@echo "make lint    - sqlfluff, ruff and dbt-score (the project's conventions on the dbt manifest)"
	@echo "make bench-models BEFORE=<checkout> - each model's time before and after a change, 1M and 10M, marts compared"
	@echo "make bench-spark - DuckDB, Spark local[2] and a two-worker Spark cluster at 1M and 10M transactions (bench/results/spark.{json,md})"
	@echo "make spark-cluster - start a Spark master and two workers on 127.0.0.1, load and build against them, stop them"
	@echo "make orchestrate - the Dagster UI on http://127.0.0.1:3000: schedules, sensor, daily partitions, backfills"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required (python3.11 or python3 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,orchestration,spark]"
	@touch $(STAMP)

install: $(STAMP) profiles.yml

profiles.yml:
	cp profiles.yml.example profiles.yml

generate: install
	$(BIN)/bankgen generate --customers $(CUSTOMERS) --days $(DAYS) --seed $(SEED) --format $(FORMAT) --out $(DATA)

load: install
	$(BIN)/bankgen load --target $(TARGET) --data $(DATA)

build: install
	$(DBT) build $(DBT_FLAGS) --target $(TARGET)
	@cp target/run_results.json target/build_results.json  # docs generate overwrites run_results.json

docs: install
	$(DBT) docs generate --static $(DBT_FLAGS) --target $(TARGET)
	@echo "dbt docs: open $(CURDIR)/target/static_index.html in a browser"

run: generate
	@# a new dataset: start the DuckDB warehouse afresh (incremental tables and snapshot history included)
	$(BIN)/bankgen clean --duckdb-path $(DUCKDB_PATH)
	$(MAKE) --no-print-directory load build TARGET=duckdb
	@# the fraud team's history on the older cases (pipeline/workflow.py; kept across runs), then the case marts
	$(BIN)/bankgen workflow history --target duckdb --seed $(SEED)
	$(DBT) build $(DBT_FLAGS) --target duckdb --select stg_workflow__case_actions+ --quiet
	$(MAKE) --no-print-directory docs TARGET=duckdb
	@echo
	@$(BIN)/bankgen summary

simulate: install
	$(BIN)/bankgen simulate --data $(DATA) --days $(SIM_DAYS) --target $(TARGET)

dashboard: install
	TIMO_TARGET=$(TARGET) $(BIN)/streamlit run dashboard/app.py --server.headless true --server.port $(PORT) \
		--server.address $(ADDRESS) --browser.gatherUsageStats false --client.toolbarMode viewer

# The Dagster UI and daemon on http://127.0.0.1:3000: the case study's schedules and the raw-arrival
# sensor over this project's assets (orchestration/definitions.py). History is kept in .dagster/.
orchestrate: install
	@mkdir -p .dagster
	@cp orchestration/dagster.yaml .dagster/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster TIMO_TARGET=$(TARGET) TIMO_DATA_DIR=$(DATA) $(BIN)/dagster dev -h 127.0.0.1 -p 3000

# The same load and build on a standalone Spark cluster (a master and two one-core workers on 127.0.0.1,
# started with pyspark's own daemon script), then the cluster is stopped, whether the build passed or not.
# The dataset is $(DATA) (make generate writes it); the Spark catalog and tables are under warehouse/spark.
SPARK_MASTER_URL := spark://127.0.0.1:7077
spark-cluster: install
	@bash scripts/ensure_java.sh
	@test -d $(DATA) || $(MAKE) --no-print-directory generate
	$(BIN)/bankgen spark-cluster start
	@status=0; \
	TIMO_SPARK_MASTER=$(SPARK_MASTER_URL) $(BIN)/bankgen load --target spark --data $(DATA) && \
	TIMO_SPARK_MASTER=$(SPARK_MASTER_URL) $(DBT) build $(DBT_FLAGS) --target spark || status=$$?; \
	$(BIN)/bankgen spark-cluster stop; exit $$status

test: install
	@bash scripts/ensure_postgres.sh
	@bash scripts/ensure_chromium.sh
	@bash scripts/ensure_java.sh
	@# the tests' warehouses are small: two dbt threads build them faster (profiles.yml.example says why 1 is the default)
	TIMO_DUCKDB_THREADS=$${TIMO_DUCKDB_THREADS:-2} $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

lint: install
	TIMO_DUCKDB_PATH=target/lint.duckdb $(BIN)/sqlfluff lint models analyses tests
	$(BIN)/ruff check generators pipeline benchmarks dashboard orchestration pytests dbt_score_rules scripts
	$(DBT) parse $(DBT_FLAGS) --target-path target/lint --quiet
	$(BIN)/dbt-score lint --manifest target/lint/manifest.json

bench: install
	@bash scripts/ensure_postgres.sh
	$(BIN)/bankgen bench --suite --out bench/results/bench.json

# Streaming latency: 50 transactions/s for 10 minutes, a batch every 10 s, each micro-batch loaded and
# built as the orchestration's sensor does; DuckDB, then PostgreSQL (bench/results/stream-<target>.{json,md})
bench-stream: install
	@bash scripts/ensure_postgres.sh
	$(BIN)/python -m benchmarks.stream --target duckdb --rate 50 --interval 10 --duration 600
	$(BIN)/python -m benchmarks.stream --target postgres --rate 50 --interval 10 --duration 600

# Model by model, before and after a change: BEFORE is another checkout (git worktree add ../before <commit>).
# 1M and 10M transactions on DuckDB, 1M on PostgreSQL, marts compared row for row (bench/results/models.{json,md})
BEFORE ?= ../before
bench-models: install
	@bash scripts/ensure_postgres.sh
	@test -d $(BEFORE) || { echo "BEFORE=$(BEFORE) is not a checkout: git worktree add $(BEFORE) <commit>"; exit 2; }
	$(BIN)/python -m benchmarks.models --before $(BEFORE) --after . --out bench/results/models.json

bench-quick: install
	@bash scripts/ensure_postgres.sh
	$(BIN)/bankgen bench --suite --sizes 100000 --postgres-sizes 100000 --incremental 300000 --incremental-postgres 300000 --triggers 20000 \
		--tuning 100000 --out bench/results/bench-quick.json

# Spark beside DuckDB at 1M and 10M transactions: local[2] and a two-worker standalone cluster, load, models,
# tests and peak memory, then a 1-billion-transaction year on paper (bench/results/spark.{json,md})
bench-spark: install
	@bash scripts/ensure_java.sh
	$(BIN)/python -m benchmarks.spark_bench --sizes 1000000,10000000 --out bench/results/spark.json

bench-generator: install
	$(BIN)/bankgen bench --sizes 1000000,10000000 --out bench/results/generator.json

# Deletes only what the tools wrote: dbt's folders, the DuckDB warehouse file (checked to be one) and the
# generated datasets (checked to be bankgen datasets holding nothing else).
clean:
	rm -rf target logs dbt_packages
	@if [ -x $(BIN)/bankgen ]; then $(BIN)/bankgen clean --duckdb-path $(DUCKDB_PATH) --data $(DATA) --data data/bench; fi

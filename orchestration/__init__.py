"""Dagster code location (orchestration/definitions.py): `make orchestrate` starts the UI."""

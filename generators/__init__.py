"""bankgen: synthetic raw data for the Timo digital-bank dbt project."""

__version__ = "0.1.0"

"""The project's conventions as dbt-score rules (`make lint`): see docs/contributing.md."""

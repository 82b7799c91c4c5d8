"""Conventions checked on the dbt manifest by dbt-score (`make lint`, and `make test` through
pytests/test_dbt_build.py). Thresholds are in pyproject.toml ([tool.dbt-score]); docs/contributing.md
explains each convention."""


from dbt_score import Model, RuleViolation, Severity, rule

# folder under models/ -> the name prefixes a model there may have
LAYER_PREFIXES = {
    "staging": ("stg_",),
    "intermediate": ("int_",),
    "quarantine": ("quarantine_",),
    "pii": ("pii_",),
    "marts": ("fct_", "dim_", "rpt_", "mart_", "eval_"),
}
KEY_TESTS = {"unique", "expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}


def _layer(model: Model) -> str:
    parts = model.original_file_path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "models" else ""


def _holds_raw_rows(model: Model) -> bool:
    """int_<entity>_validated and quarantine_<entity> keep every raw row as it arrived, duplicate keys
    included (that is what the quarantine reports): they have no key by design."""
    return model.name.endswith("_validated") or _layer(model) == "quarantine"


@rule(severity=Severity.HIGH)
def has_a_primary_key_test(model: Model) -> RuleViolation | None:
    """Every model has a key test: unique (or a compound-key test) on its grain."""
    if _holds_raw_rows(model):
        return None
    tests = {t.type for t in model.tests} | {t.type for c in model.columns for t in c.tests}
    if not tests & KEY_TESTS:
        return RuleViolation("No unique or compound-key test on the model's grain.")


@rule(severity=Severity.HIGH)
def named_for_its_layer(model: Model) -> RuleViolation | None:
    """A model's name starts with its layer's prefix (stg_, int_, fct_/dim_/rpt_/mart_/eval_, ...)."""
    prefixes = LAYER_PREFIXES.get(_layer(model))
    if prefixes is None:
        return RuleViolation(f"Model lives outside the known layers: {model.original_file_path}.")
    if not model.name.startswith(prefixes):
        return RuleViolation(f"A {_layer(model)} model's name starts with {' or '.join(prefixes)}.")


@rule(severity=Severity.CRITICAL)
def sources_only_in_staging(model: Model) -> RuleViolation | None:
    """Only staging models read sources (the audit sources of the quality marts excepted)."""
    sources = [s for s in model.depends_on.get("nodes", []) if s.startswith("source.")]
    allowed = _layer(model) == "staging" or all(s.split(".")[2] == "audit" for s in sources)
    if sources and not allowed:
        return RuleViolation(f"Reads {', '.join(s.split('.', 2)[2] for s in sources)} outside staging.")


@rule(severity=Severity.HIGH)
def marts_never_feed_intermediates(model: Model) -> RuleViolation | None:
    """An intermediate model never reads a mart (marts read intermediates, not the reverse)."""
    if _layer(model) != "intermediate":
        return None
    marts = [n for n in model.depends_on.get("nodes", []) if ".marts." in n or n.split(".")[-1].startswith(
        ("fct_", "dim_", "rpt_", "mart_", "eval_"))]
    if marts:
        return RuleViolation(f"Reads the mart(s) {', '.join(m.split('.')[-1] for m in marts)}.")


@rule(severity=Severity.HIGH)
def public_marts_have_contracts(model: Model) -> RuleViolation | None:
    """fct_ and dim_ marts enforce a contract: their columns and types are promised to readers."""
    if _layer(model) == "marts" and model.name.startswith(("fct_", "dim_")):
        if not (model.config.get("contract") or {}).get("enforced"):
            return RuleViolation("A public mart without an enforced contract.")

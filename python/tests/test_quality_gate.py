"""The project's conventions, checked by dbt-bouncer (dbt-bouncer.yml) on the artifacts of the sample build.

The same check as ``make gate``: documentation of every model, column, source, seed, macro and exposure,
a primary-key test on every model, the layers' names and folders, source freshness, lineage rules (only
staging reads sources, no hard-coded relations), access and contracts. A second test breaks a copy of the
artifacts on purpose and checks that the gate names each broken rule.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from dbt_project import BIN_DIR, PROJECT_ROOT, DbtProject

CONFIG = PROJECT_ROOT / "dbt-bouncer.yml"
# Every data test's default `where` (dbt_project.yml): the whole table on a full build.
PROJECT_WHERE = "__incremental_scope__"


def bouncer(artifacts_parent: Path, report: Path) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    """Run dbt-bouncer on ``artifacts_parent/target``; return the process and the failed checks."""
    completed = subprocess.run(
        [
            str(BIN_DIR / "dbt-bouncer"),
            "run",
            "--config-file",
            str(CONFIG),
            "--output-file",
            str(report),
            "--output-format",
            "json",
            "--output-only-failures",
        ],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DBT_PROJECT_DIR": str(artifacts_parent),  # dbt-bouncer reads $DBT_PROJECT_DIR/target
            "DBT_BOUNCER_DISABLE_CONF_CACHE": "1",
            "NO_COLOR": "1",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    failures = json.loads(report.read_text()) if report.exists() else []
    return completed, failures


def test_the_project_passes_its_quality_gate(sample_docs: DbtProject, tmp_path: Path) -> None:
    completed, failures = bouncer(sample_docs.work_dir, tmp_path / "report.json")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0 and not failures, f"dbt-bouncer failed:\n{output}\n{failures}"
    assert "All checks passed" in output
    assert "catalog.json" in output, "the column checks need the catalog"


def test_the_gate_names_each_broken_convention(sample_docs: DbtProject, tmp_path: Path) -> None:
    target = tmp_path / "project" / "target"
    target.mkdir(parents=True)
    for artifact in ("manifest.json", "catalog.json"):
        shutil.copy(sample_docs.work_dir / "target" / artifact, target / artifact)
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = manifest["nodes"]
    # An undocumented model and an undocumented column.
    nodes["model.orders_warehouse.fct_order_items"]["description"] = ""
    nodes["model.orders_warehouse.dim_items"]["columns"]["brand"]["description"] = ""
    # A mart without its primary key constraint.
    nodes["model.orders_warehouse.dim_items"]["constraints"] = []
    # A mart that reads the raw source directly.
    nodes["model.orders_warehouse.dim_stores"]["depends_on"]["nodes"].append(
        "source.orders_warehouse.orders_export.orders_export"
    )
    # A model without its primary-key test.
    int_items = "model.orders_warehouse.int_items"
    int_items_tests = [key for key, node in nodes.items() if node.get("attached_node") == int_items]
    for unique_id in int_items_tests:
        del nodes[unique_id]
    # A mart that is not public.
    nodes["model.orders_warehouse.rpt_daily_revenue"]["access"] = "protected"
    (target / "manifest.json").write_text(json.dumps(manifest))

    completed, failures = bouncer(tmp_path / "project", tmp_path / "report.json")
    assert completed.returncode != 0
    failed = {(failure["check_run_id"].split(":")[0], failure["check_run_id"].split(":")[-1]) for failure in failures}
    expected = {
        ("check_model_description_populated", "fct_order_items"),
        ("check_model_column_description_populated", "dim_items"),
        ("check_lineage_source_cannot_be_used", "dim_stores"),
        ("check_model_has_unique_test", "int_items"),
        ("check_model_has_constraints", "dim_items"),
        ("check_model_access", "rpt_daily_revenue"),
    }
    assert expected <= failed, f"not reported: {expected - failed}; reported: {sorted(failed)}"


def test_no_data_test_repeats_a_constraint_postgres_enforces(sample_docs: DbtProject) -> None:
    """A unique or not_null test on a column PostgreSQL already keeps unique or not null, or a relationships
    test on a foreign key it enforces, cannot fail there: it only costs a scan of the table."""
    manifest = json.loads((sample_docs.work_dir / "target" / "manifest.json").read_text())
    nodes = manifest["nodes"]
    foreign_keys = {
        (node["name"], column)
        for node in nodes.values()
        if node["resource_type"] == "model"
        for hook in node["config"].get("post-hook", [])
        for column in re.findall(r"ensure_foreign_key\('(\w+)'", hook["sql"])
    }
    assert ("fct_order_items", "store_version_key") in foreign_keys
    repeated = []
    for test in nodes.values():
        metadata = test.get("test_metadata") or {}
        where = test["config"].get("where")
        if (
            test["resource_type"] != "test"
            or not test.get("attached_node")
            or not test.get("column_name")
            or where not in (None, PROJECT_WHERE)
        ):
            continue
        model = nodes[test["attached_node"]]
        column = test["column_name"]
        kept = {constraint["type"] for constraint in model["columns"].get(column, {}).get("constraints", [])}
        kept |= {
            constraint["type"] for constraint in model.get("constraints", []) if constraint.get("columns") == [column]
        }
        if "primary_key" in kept:
            kept |= {"unique", "not_null"}
        if metadata.get("name") in kept or (
            metadata.get("name") == "relationships" and (model["name"], column) in foreign_keys
        ):
            repeated.append(test["unique_id"])
    assert not repeated, f"data tests that repeat an enforced constraint: {repeated}"


def test_every_break_of_the_structure_rules_is_justified_beside_its_model(sample_docs: DbtProject) -> None:
    """dbt-project-evaluator's DAG rules: staging never reads staging, no model has 3 or more leaf children or 7
    or more parents, no model reads a grandparent directly when its parent has no other child. Each break is written
    down as a "Justified exception" in the model's description."""
    manifest = json.loads((sample_docs.work_dir / "target" / "manifest.json").read_text())
    models = {key: node for key, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    children: dict[str, set[str]] = {key: set() for key in models}
    for key, node in models.items():
        for parent in node["depends_on"]["nodes"]:
            children.setdefault(parent, set()).add(key)
    breaks = {}
    for key, node in models.items():
        parents = set(node["depends_on"]["nodes"]) & models.keys()
        if node["name"].startswith("stg_") and any(models[parent]["name"].startswith("stg_") for parent in parents):
            breaks[key] = "staging reads staging"
        if len([child for child in children[key] if not children[child]]) >= 3:
            breaks[key] = "fan-out"
        if len(parents) >= 7:
            breaks[key] = "7 or more parents"
        for parent in parents:
            if children[parent] == {key} and parents & set(models[parent]["depends_on"]["nodes"]):
                breaks[key] = "rejoining of upstream concepts"
    assert len(breaks) >= 5
    unjustified = {
        models[key]["name"]: rule
        for key, rule in breaks.items()
        if "Justified exception" not in models[key]["description"]
    }
    assert not unjustified, f"breaks of the structure rules without a justification beside the model: {unjustified}"


def test_pre_commit_config_is_valid() -> None:
    completed = subprocess.run(
        [str(BIN_DIR / "pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    hooks = (PROJECT_ROOT / ".pre-commit-config.yaml").read_text()
    for hook in ("id: check-yaml", "id: ruff", "id: ruff-format", "id: sqlfluff-lint"):
        assert hook in hooks

"""Slim CI (`make ci-slim`): after one staging model changes, `state:modified+` against the last full build's
manifest selects exactly that model and everything downstream of it.

The change is made in a copy of the project in a temporary folder; the real files are never touched. The state
is the manifest of the sample's build (``sample_docs``, generated from the same project on the same database).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dbt_project import PROJECT_ROOT, DbtProject

MODEL = "stg_orders_export__orders"
MODEL_FILE = Path("models/staging/orders_export") / f"{MODEL}.sql"
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "target", "logs", ".state", ".warehouse", "reports", "data", "python", "profiles.yml", ".*_cache"
)


def selected(project: DbtProject, project_dir: Path, *selection: str) -> set[str]:
    """The unique_ids ``dbt ls`` selects in the project at ``project_dir``."""
    listed = project.run(
        "--quiet", "ls", "--project-dir", str(project_dir), "--output", "json", "--output-keys", "unique_id", *selection
    )
    assert listed.returncode == 0, listed.tail()
    return {json.loads(line)["unique_id"] for line in listed.output.splitlines() if line.startswith("{")}


def test_slim_ci_selects_the_changed_staging_model_and_its_descendants_only(
    sample_docs: DbtProject, tmp_path: Path
) -> None:
    state = sample_docs.work_dir / "target"
    assert (state / "manifest.json").exists()
    copy = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT, copy, ignore=NOT_COPIED)
    project = DbtProject(sample_docs.settings, tmp_path / "dbt")
    modified = ("--select", "state:modified+", "--state", str(state))

    with (copy / MODEL_FILE).open("a") as model:
        model.write("\n-- a change to the model: slim CI must rebuild it and its descendants\n")
    rebuilt = selected(project, copy, *modified)
    descendants = selected(project, copy, "--select", f"{MODEL}+")

    assert rebuilt == descendants
    assert f"model.orders_warehouse.{MODEL}" in rebuilt
    assert {"model.orders_warehouse.int_orders", "model.orders_warehouse.fct_order_items"} <= rebuilt
    untouched = {
        "model.orders_warehouse.base_orders_export__submissions_triaged",  # its parent
        "model.orders_warehouse.stg_orders_export__order_items",  # a sibling
        "model.orders_warehouse.stg_orders_export__quarantined_submissions",
    }
    assert not rebuilt & untouched


def test_make_ci_slim_defers_to_the_last_full_build() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "dbt build --select state:modified+ --defer --state $(STATE_DIR)" in makefile
    assert "cp target/manifest.json $(STATE_DIR)/manifest.json" in makefile

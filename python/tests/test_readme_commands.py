"""The README's commands keep working: each one runs on the built sample, or is named here with the test that
covers it instead (a slow build, an interactive prompt, a command that changes the shared sample).

A command added to the README, or changed, that this module does not know fails the first test: decide whether
it runs here or which test covers it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from dbt_project import BIN_DIR, PROJECT_ROOT, DbtProject

US_REVENUE = (
    ".venv/bin/mf query --metrics net_revenue --group-by metric_time__month"
    " --where \"{{ Dimension('customer__country_code') }} = 'US'\" --csv net_revenue_us.csv"
)

# Commands run by the test below as they are, in the shadow project of the built sample (its profile, target/ and
# database); and one run in a form that leaves the shared sample as it is.
RUN_HERE = {
    "make help",
    ".venv/bin/mf query --metrics net_revenue --group-by metric_time__month,item__category --order metric_time__month",
    US_REVENUE,
    ".venv/bin/mf query --saved-query revenue_by_store_and_fiscal_quarter",
    ".venv/bin/mf query --metrics net_revenue --group-by metric_time__month --explain",
    "dbt compile --select path:analyses",
    ".venv/bin/orders-warehouse features --rows all --out features.csv",
}
INSTEAD = {"dbt build --select +exposure:daily_revenue_dashboard": "dbt ls --select +exposure:daily_revenue_dashboard"}

# Commands covered elsewhere, each with the reason it does not run here.
COVERED_ELSEWHERE = {
    "make build": "CI's own run; test_warehouse_build.py builds the sample the same way",
    "make test": "this run",
    "dbt build": "every test session builds the sample (conftest.py)",
    "make build WAREHOUSE_PORT=5440": "a second warehouse; the port setting is what every test server uses",
    "make build TARGET=duckdb": "test_engines.py builds the sample on DuckDB",
    "make build TARGET=spark": "make test-spark (slow, not in make test)",
    "make test-spark": "slow, not in make test",
    "make psql": "an interactive prompt",
    "make docs": "a server that runs until stopped; test_docs_site.py opens the site in a browser",
    "make stop": "stops the development warehouse",
    "make clean": "deletes the development warehouse",
    'make build EXPORTS="exports/2024-06-01.csv exports/2024-06-02.csv"': "example paths; test_loader.py",
    ".venv/bin/orders-warehouse load exports/2024-06-03.csv && make transform": "example paths; test_loader.py",
    ".venv/bin/orders-warehouse train-churn-example": "test_churn_features.py runs it",
    ".venv/bin/orders-warehouse generate --orders 100000 --files 10 --out data/generated": "test_generator.py",
    ".venv/bin/orders-warehouse erase-customer CUS-000123": "changes the data; test_erasure.py",
    "dbt build --full-refresh": "rebuilds the shared sample; test_incremental_builds.py compares both",
    "make ci-slim": "test_slim_ci.py",
    "dbt build --select state:modified+ --defer --state .state": "test_slim_ci.py",
    "make gate": "test_quality_gate.py runs the same dbt-bouncer check",
    "make lint": "test_warehouse_build.py runs sqlfluff",
    "make bench": "minutes at a million orders; test_benchmark.py runs it small",
    "make load transform": "another PostgreSQL",
}

_COMMAND_START = re.compile(r"^(make |\.venv/bin/|dbt )")


def readme_commands() -> list[str]:
    """Every command of the README: the lines of its ```bash blocks (a trailing `# comment` dropped, backslash
    continuations joined) and every inline `code` that starts like a command."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", readme, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command and not command.startswith("#"):
                commands.append(re.sub(r"\s+", " ", command))
    commands += [span for span in re.findall(r"`([^`\n]+)`", readme) if _COMMAND_START.match(span)]
    return list(dict.fromkeys(commands))


def test_every_readme_command_runs_here_or_names_its_test() -> None:
    commands = readme_commands()
    assert len(commands) > 20
    unknown = [command for command in commands if command not in RUN_HERE | INSTEAD.keys() | COVERED_ELSEWHERE.keys()]
    assert not unknown, f"README commands this module does not know: {unknown}"
    gone = sorted((RUN_HERE | INSTEAD.keys() | COVERED_ELSEWHERE.keys()) - set(commands))
    assert not gone, f"commands no longer in the README: {gone}"


@pytest.mark.parametrize("command", sorted(RUN_HERE | INSTEAD.keys()))
def test_readme_command_runs_on_the_sample(command: str, sample_docs: DbtProject, tmp_path: Path) -> None:
    executable = shlex.split(INSTEAD.get(command, command))
    if executable[0] == "dbt":
        executable[0] = str(BIN_DIR / "dbt")
    elif executable[0].startswith(".venv/bin/"):
        executable[0] = str(BIN_DIR / executable[0].removeprefix(".venv/bin/"))
    cwd = PROJECT_ROOT if executable[0] == "make" else sample_docs.work_dir
    completed = subprocess.run(
        executable,
        cwd=cwd,
        env={
            **sample_docs.environment(),
            "DBT_PROJECT_DIR": str(sample_docs.work_dir),
            # dbt's own artifacts go elsewhere: the sample's target/ is what mf and the other tests read
            **({"DBT_TARGET_PATH": str(tmp_path / "target")} if executable[0].endswith("/dbt") else {}),
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"{command} failed:\n{output[-3000:]}"
    assert output.strip(), f"{command} printed nothing"

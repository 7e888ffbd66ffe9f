"""The benchmark's code path (``make bench``), end to end on a few hundred orders. It checks that every step
runs and is reported, never how fast anything is."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from orders_warehouse import bench, bench_steps
from orders_warehouse.bench_measure import Step

ORDERS = 300
# Models, snapshots and seeds only: the data tests and unit tests run in `make test` already, and take most of
# a build's time on a few hundred orders.
BUILD_ARGS = ("--exclude", "resource_type:test", "resource_type:unit_test")
STEPS = {"generate", "load", "floor_copy", "floor_unnest", "full_build", "load_increment", "incremental_build"}
DUCKDB_STEPS = {f"duckdb_{name}" for name in bench_steps.PEER_STEPS}
TARGETS = {"load", "full_build", "incremental_build", bench.bench_report.TEXTBOOK_QUERY, "memory"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def report_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("benchmark")
    bench.run_benchmark(orders=ORDERS, port=free_port(), out=out, build_args=BUILD_ARGS)
    return out


def test_the_report_files_are_written(report_folder: Path) -> None:
    for name in ("benchmark.json", "benchmark.md", "benchmark.svg"):
        assert (report_folder / name).stat().st_size > 0, name
    assert (report_folder / "benchmark.svg").read_text().startswith("<svg")


def test_every_step_is_timed_and_compared_to_the_floor(report_folder: Path) -> None:
    report = json.loads((report_folder / "benchmark.json").read_text())
    steps = {step["name"]: step for step in report["steps"]}
    queries = {name for name in steps if name.startswith("query:")}
    assert STEPS | {"feature_pull", "unit_tests"} <= set(steps)  # unit_tests: none run here (BUILD_ARGS)
    assert bench.bench_report.TEXTBOOK_QUERY in queries
    assert report["floor_seconds"] > 0
    for name in STEPS | queries:
        assert steps[name]["seconds"] > 0, name
        assert steps[name]["ratio_to_floor"] > 0, name
        assert steps[name]["rows"] > 0, name
        assert steps[name]["client_peak_bytes"] > 0 and steps[name]["server_peak_bytes"] > 0, name
    assert steps["load"]["rows"] + steps["load_increment"]["rows"] == report["facts"]["raw_rows"]


def test_the_builds_are_profiled_and_the_targets_evaluated(report_folder: Path) -> None:
    report = json.loads((report_folder / "benchmark.json").read_text())
    for build in ("full_build", "incremental_build"):
        statuses = {node["status"] for node in report["builds"][build]}
        assert statuses and statuses <= {"success", "pass", "no-op"}, build  # no-op: the exposure
    assert {target["step"] for target in report["targets"]} == TARGETS
    markdown = (report_folder / "benchmark.md").read_text()
    assert "## Profile: full dbt build" in markdown and "| met? |" in markdown


def test_duckdb_builds_the_same_exports_side_by_side(report_folder: Path) -> None:
    report = json.loads((report_folder / "benchmark.json").read_text())
    steps = {step["name"]: step for step in report["steps"]}
    assert set(steps) >= DUCKDB_STEPS
    for name in DUCKDB_STEPS:
        assert steps[name]["engine"] == "duckdb", name
        assert steps[name]["seconds"] > 0 and steps[name]["ratio_to_floor"] > 0, name
        assert steps[name]["rows"] > 0 and steps[name]["client_peak_bytes"] > 0, name
    for name in bench_steps.PEER_STEPS:
        assert steps[f"duckdb_{name}"]["rows"] == steps[name]["rows"], name  # the same exports, the same rows
    assert report["facts"]["duckdb_raw_rows"] == report["facts"]["raw_rows"]
    for build in ("duckdb_full_build", "duckdb_incremental_build"):
        statuses = {node["status"] for node in report["builds"][build]}
        assert statuses and statuses <= {"success", "pass", "no-op"}, build
    markdown = (report_folder / "benchmark.md").read_text()
    side_by_side = markdown.split("## PostgreSQL and DuckDB side by side", 1)[1].split("\n## ", 1)[0]
    for label in bench.bench_report.PEER_LABELS.values():
        [row] = [line for line in side_by_side.splitlines() if line.startswith(f"| {label} |")]
        assert row.count("|") == 7 and "|  |" not in row, row  # both engines timed, both ratios, their quotient
    assert "## Profile: DuckDB: full dbt build" in markdown


def test_the_benchmark_builds_as_make_build_does() -> None:
    transform = (bench.project_root() / "Makefile").read_text().split("\ntransform:", 1)[1].split("\n\n", 1)[0]
    assert "/dbt build " + " ".join(bench_steps.PRODUCTION_BUILD_ARGS) + "\n" in transform + "\n"


def test_the_memory_target_leaves_the_duckdb_peer_out() -> None:
    benchmark = bench.Benchmark(orders=1, started_at="", machine={})
    benchmark.steps = [
        Step("full_build", "full dbt build", 1.0, client_peak_bytes=2**20, server_peak_bytes=2**21),
        Step("duckdb_full_build", "DuckDB: full dbt build", 1.0, engine="duckdb", client_peak_bytes=2**31),
    ]
    [memory] = [target for target in bench.bench_report.targets(benchmark) if target.step == "memory"]
    assert memory.met and memory.measured == "2 MiB (full dbt build)"

"""The benchmark's report: ``benchmark.json``, ``benchmark.md`` and ``benchmark.svg`` (see ``bench``).

Every time is shown as a ratio to the floor (one ``CREATE TABLE AS`` copy of the raw table plus one plain
unnest of its JSON lines, measured in the same run), and checked against the issue's targets.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from html import escape
from math import log10
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orders_warehouse.bench_measure import Benchmark, NodeTiming, Step

GIB = 2**30
MEMORY_LIMIT_BYTES = 1 * GIB
TEXTBOOK_QUERY = "query:net_revenue_by_category_and_month_for_one_country"
PROFILE_TOP = 15
BUILD_LABELS = {
    "full_build": "full dbt build",
    "incremental_build": "incremental dbt build",
    "duckdb_full_build": "DuckDB: full dbt build",
    "duckdb_incremental_build": "DuckDB: incremental dbt build",
}
#: The steps run on both engines (the DuckDB step is ``duckdb_`` + the name), as the side-by-side table shows them.
PEER_LABELS = {
    "load": "load the exports",
    "full_build": "full dbt build",
    "load_increment": "load the 1% follow-up export",
    "incremental_build": "incremental dbt build",
}


@dataclass(frozen=True)
class Target:
    """One target of the issue: what is compared, the limit, the measured value and whether it is met."""

    step: str
    description: str
    measured: str
    met: bool
    limit_in_floors: float | None  # the limit expressed in floor units, for the chart


# --------------------------------------------------------------------------- figures


def floor_seconds(benchmark: Benchmark) -> float:
    """The floor: the raw copy's time plus the plain unnest's time."""
    return sum(_seconds(benchmark, name) for name in ("floor_copy", "floor_unnest"))


def _seconds(benchmark: Benchmark, name: str) -> float:
    step = benchmark.step(name)
    return step.seconds if step is not None else 0.0


def ratio_to_floor(benchmark: Benchmark, step: Step) -> float | None:
    """The step's wall time in floor units (None when the floor was not measured or the step not timed)."""
    floor = floor_seconds(benchmark)
    if floor <= 0 or "not timed" in step.note:
        return None
    return step.seconds / floor


def targets(benchmark: Benchmark) -> list[Target]:
    """Each target of the issue, evaluated on the benchmark's figures (those whose steps ran and succeeded)."""
    floor, copy = floor_seconds(benchmark), _seconds(benchmark, "floor_copy")
    load, full = _seconds(benchmark, "load"), _seconds(benchmark, "full_build")
    incremental, query = _seconds(benchmark, "incremental_build"), _seconds(benchmark, TEXTBOOK_QUERY)
    full = full if _succeeded(benchmark, "full_build") else 0.0
    incremental = incremental if _succeeded(benchmark, "incremental_build") else 0.0
    found: list[Target] = []
    if copy and load:
        found.append(
            Target("load", "load <= 2x the floor's raw copy", f"{load / copy:.2f}x", load <= 2 * copy, 2 * copy / floor)
        )
    if floor and full:
        found.append(Target("full_build", "full build <= 6x the floor", f"{full / floor:.2f}x", full <= 6 * floor, 6.0))
    if full and incremental:
        limit = 0.1 * full / floor if floor else None
        measured = f"{100 * incremental / full:.1f}% of the full build"
        found.append(
            Target(
                "incremental_build", "incremental <= 10% of the full build", measured, incremental <= 0.1 * full, limit
            )
        )
    if query:
        measured = f"median {query * 1000:.1f} ms"
        found.append(Target(TEXTBOOK_QUERY, "median < 100 ms", measured, query < 0.1, 0.1 / floor if floor else None))
    found.append(_memory_target(benchmark))
    return found


def _succeeded(benchmark: Benchmark, name: str) -> bool:
    step = benchmark.step(name)
    return step is not None and "FAILED" not in step.note


def _memory_target(benchmark: Benchmark) -> Target:
    # The target is the PostgreSQL warehouse's; the DuckDB peer's memory is in its own rows.
    steps = [step for step in benchmark.steps if step.engine == "postgresql"]
    peak = max((max(step.client_peak_bytes, step.server_peak_bytes) for step in steps), default=0)
    worst = max(steps, key=lambda step: max(step.client_peak_bytes, step.server_peak_bytes), default=None)
    where = f" ({worst.label})" if worst is not None else ""
    return Target("memory", "peak RSS of any process < 1 GiB", _mib(peak) + where, peak < MEMORY_LIMIT_BYTES, None)


# --------------------------------------------------------------------------- writing


def write_reports(benchmark: Benchmark, out: Path) -> list[Path]:
    """Write benchmark.json, benchmark.md and benchmark.svg into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "benchmark.json", out / "benchmark.md", out / "benchmark.svg"]
    paths[0].write_text(json.dumps(report_json(benchmark), indent=2) + "\n")
    paths[1].write_text(markdown(benchmark))
    paths[2].write_text(svg_chart(benchmark))
    return paths


def report_json(benchmark: Benchmark) -> dict[str, Any]:
    """The benchmark's data with the floor, each step's ratio and rate, and the targets."""
    data = benchmark.to_json()
    data["floor_seconds"] = floor_seconds(benchmark)
    for step, entry in zip(benchmark.steps, data["steps"], strict=True):
        entry["rows_per_second"] = step.rows_per_second
        entry["ratio_to_floor"] = ratio_to_floor(benchmark, step)
    data["targets"] = [asdict(target) for target in targets(benchmark)]
    return data


def markdown(benchmark: Benchmark) -> str:
    """The report as markdown: parameters, steps, targets, queries and the build profiles."""
    sections = [
        _header(benchmark),
        _steps_table(benchmark),
        _engines_table(benchmark),
        _targets_table(benchmark),
        _queries_table(benchmark),
        *(_profile(benchmark, name) for name in BUILD_LABELS if benchmark.builds.get(name)),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _header(benchmark: Benchmark) -> str:
    machine, facts = benchmark.machine, benchmark.facts
    settings = machine.get("postgresql_settings", {})
    setting_text = ", ".join(f"{name}={value}" for name, value in sorted(dict(settings).items()))
    lines = [
        f"# Benchmark: {benchmark.orders:,} orders",
        "",
        f"Run {benchmark.started_at} on {machine.get('cpu_count')} cores, {_gib(machine.get('memory_bytes'))} memory "
        f"(load average at start {machine.get('load_average_at_start')}); PostgreSQL {machine.get('postgresql')} "
        f"({setting_text}); dbt-core {machine.get('dbt_core')}, dbt-postgres {machine.get('dbt_postgres')}, "
        f"dbt-duckdb {machine.get('dbt_duckdb')} on DuckDB {machine.get('duckdb')}; "
        f"{machine.get('dbt_threads')} dbt threads; Python {machine.get('python')}.",
    ]
    if facts:
        lines += [
            "",
            f"Warehouse after the run: {facts.get('raw_rows', 0):,} raw export rows, {facts.get('orders', 0):,} "
            f"orders, {facts.get('fact_rows', 0):,} order lines in the fact, {facts.get('customers', 0):,} customers.",
        ]
    lines += [
        "",
        f"Floor: {floor_seconds(benchmark):.2f} s (raw copy {_seconds(benchmark, 'floor_copy'):.2f} s + JSON unnest "
        f"{_seconds(benchmark, 'floor_unnest'):.2f} s). Peak RSS: the largest single process, client (bench, "
        "loader, dbt, pandas) and PostgreSQL (a backend's RSS includes the shared buffers it touched). "
        "Load avg: the machine's 1-minute load average at the end of the step (above the core count, other "
        "work competed for the cores).",
    ]
    return "\n".join(lines)


def _steps_table(benchmark: Benchmark) -> str:
    by_step = {target.step: target for target in targets(benchmark)}
    rows = [
        "## Steps",
        "",
        "| step | wall time | rows | rows/s | peak RSS client | peak RSS server | load avg | x floor | target | met? |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for step in benchmark.steps:
        target = by_step.get(step.name)
        ratio = ratio_to_floor(benchmark, step)
        rate = step.rows_per_second
        rows.append(
            f"| {step.label} | {_duration(step.seconds)} | {_count(step.rows)} | {_count(rate)} "
            f"| {_mib(step.client_peak_bytes)} | {_server_mib(step)} | {step.load_average:.1f} "
            f"| {_ratio(ratio)} "
            f"| {target.description if target else ''} | {_met(target) if target else ''} |"
        )
    notes = [f"- {step.label}: {step.note}" for step in benchmark.steps if step.note]
    return "\n".join(rows + (["", *notes] if notes else []))


def _server_mib(step: Step) -> str:
    return _mib(step.server_peak_bytes) if step.engine == "postgresql" else "(embedded)"


def _engines_table(benchmark: Benchmark) -> str:
    """The steps run on both engines, PostgreSQL and DuckDB side by side, each as a ratio to the same floor."""
    pairs = [(label, benchmark.step(name), benchmark.step(f"duckdb_{name}")) for name, label in PEER_LABELS.items()]
    rows = [
        "## PostgreSQL and DuckDB side by side",
        "",
        "The same exports loaded and built on each engine (DuckDB: a fresh file, the profile's `duckdb` target), "
        "each step as a ratio to the floor of this run.",
        "",
        "| step | PostgreSQL | x floor | DuckDB | x floor | DuckDB / PostgreSQL |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, postgres, duck in pairs:
        if postgres is None and duck is None:
            continue
        relative = duck.seconds / postgres.seconds if postgres and duck and postgres.seconds > 0 else None
        rows.append(
            f"| {label} | {_step_duration(postgres)} | {_step_ratio(benchmark, postgres)} "
            f"| {_step_duration(duck)} | {_step_ratio(benchmark, duck)} | {_ratio(relative)} |"
        )
    return "\n".join(rows) if len(rows) > 7 else ""


def _step_duration(step: Step | None) -> str:
    return "" if step is None else _duration(step.seconds)


def _step_ratio(benchmark: Benchmark, step: Step | None) -> str:
    return "" if step is None else _ratio(ratio_to_floor(benchmark, step))


def _targets_table(benchmark: Benchmark) -> str:
    rows = ["## Targets", "", "| target | measured | met? |", "|---|---|---|"]
    rows += [f"| {target.description} | {target.measured} | {_met(target)} |" for target in targets(benchmark)]
    return "\n".join(rows)


def _queries_table(benchmark: Benchmark) -> str:
    if not benchmark.queries:
        return ""
    rows = ["## BI queries (`analyses/`)", "", "| query | rows | median | min | max |", "|---|---:|---:|---:|---:|"]
    for query in benchmark.queries:
        runs = query.runs
        rows.append(
            f"| {query.name} | {query.rows:,} | {_duration(query.median)} | {_duration(min(runs))} "
            f"| {_duration(max(runs))} |"
        )
    return "\n".join(rows)


def _profile(benchmark: Benchmark, build: str) -> str:
    nodes = benchmark.builds[build]
    rows = [f"## Profile: {BUILD_LABELS[build]}", "", _totals_line(nodes), ""]
    rows += [f"Top {PROFILE_TOP} nodes by time:", "", "| node | type | status | time |", "|---|---|---|---:|"]
    slowest = sorted(nodes, key=lambda node: node.seconds, reverse=True)[:PROFILE_TOP]
    rows += [f"| {node.name} | {node.resource_type} | {node.status} | {_duration(node.seconds)} |" for node in slowest]
    return "\n".join(rows)


def _totals_line(nodes: list[NodeTiming]) -> str:
    totals: dict[str, tuple[int, float]] = {}
    for node in nodes:
        count, seconds = totals.get(node.resource_type, (0, 0.0))
        totals[node.resource_type] = (count + 1, seconds + node.seconds)
    parts = [f"{count} {kind}s {_duration(seconds)}" for kind, (count, seconds) in sorted(totals.items())]
    return "Time per node type (summed over dbt's threads): " + ", ".join(parts) + "."


# --------------------------------------------------------------------------- chart

_BAR_HEIGHT, _ROW, _LEFT, _WIDTH, _TOP = 16, 26, 300, 520, 44
_DECADES = (-4, -3, -2, -1, 0, 1, 2)


def svg_chart(benchmark: Benchmark) -> str:
    """Bars of each timed step as a ratio to the floor (log scale), with each step's target as a red tick."""
    limits = {target.step: target.limit_in_floors for target in targets(benchmark)}
    ratios = [(step, ratio_to_floor(benchmark, step)) for step in benchmark.steps]
    bars = [(step, ratio) for step, ratio in ratios if ratio is not None and ratio > 0]
    height = _TOP + _ROW * len(bars) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_LEFT + _WIDTH + 90}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(_chart_title(benchmark))}</text>',
        *_axis(height),
    ]
    for index, (step, ratio) in enumerate(bars):
        parts += _bar(index, step, ratio, limits.get(step.name))
    parts.append(
        f'<text x="{_LEFT}" y="{height - 8}" fill="#555">x floor, log scale; red tick: the step\'s target</text>'
    )
    return "\n".join([*parts, "</svg>"]) + "\n"


def _chart_title(benchmark: Benchmark) -> str:
    return f"Each step as a ratio to the floor ({floor_seconds(benchmark):.1f} s), {benchmark.orders:,} orders"


def _x(ratio: float) -> float:
    low, high = _DECADES[0], _DECADES[-1]
    clamped = min(max(log10(ratio), low), high)
    return _LEFT + (clamped - low) / (high - low) * _WIDTH


def _axis(height: int) -> list[str]:
    lines = []
    for decade in _DECADES:
        x = _x(10.0**decade)
        lines.append(f'<line x1="{x:.1f}" y1="{_TOP - 6}" x2="{x:.1f}" y2="{height - 30}" stroke="#ddd"/>')
        lines.append(f'<text x="{x:.1f}" y="{_TOP - 10}" text-anchor="middle" fill="#555">{10.0**decade:g}</text>')
    return lines


def _bar(index: int, step: Step, ratio: float, limit: float | None) -> list[str]:
    y = _TOP + index * _ROW
    met = limit is None or ratio <= limit
    colour = "#4c78a8" if met else "#e45756"
    parts = [
        f'<text x="{_LEFT - 8}" y="{y + 12}" text-anchor="end">{escape(step.label)}</text>',
        f'<rect x="{_LEFT}" y="{y}" width="{max(_x(ratio) - _LEFT, 1):.1f}" height="{_BAR_HEIGHT}" fill="{colour}"/>',
        f'<text x="{_x(ratio) + 4:.1f}" y="{y + 12}">{_ratio(ratio)}</text>',
    ]
    if limit is not None:
        x = _x(limit)
        parts.append(
            f'<line x1="{x:.1f}" y1="{y - 3}" x2="{x:.1f}" y2="{y + _BAR_HEIGHT + 3}" stroke="red" stroke-width="2"/>'
        )
    return parts


# --------------------------------------------------------------------------- formatting


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def _count(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _mib(value: float | None) -> str:
    return f"{int(value or 0) / 2**20:,.0f} MiB"


def _gib(value: float | None) -> str:
    return f"{int(value or 0) / GIB:.0f} GiB"


def _ratio(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if value >= 0.01 else f"{value:.2g}"


def _met(target: Target) -> str:
    return "yes" if target.met else "**no**"

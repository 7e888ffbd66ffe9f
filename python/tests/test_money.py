"""The money rules (macros/utils/money.sql) compute exact decimals on PostgreSQL and DuckDB: on 200,000 synthetic
lines with prices up to 99,999.99 (where a DOUBLE quotient has fewer digits than the 10 decimals kept), every
line's net amount is the exact quotient to 10 decimals, and the sum of the nets is the exact sum.
"""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from dbt_project import BIN_DIR, PROJECT_ROOT, DbtProject

LINES = 200_000
TEN_PLACES = Decimal("0.0000000001")
RATES = [Decimal("0.0725"), Decimal("0.19"), Decimal("0.08875"), Decimal("0.2")]

# Line i: quantity 1 + i % 50, unit price (i * 7919 % 9999999) cents, tax rate RATES[i % 4], prices with tax.
LINES_QUERY = f"""
with lines as (
    select
        cast(1 + i % 50 as integer) as quantity,
        cast(cast(i * 7919 % 9999999 as {{{{ exact_numeric_type() }}}}) * 0.01 as {{{{ exact_numeric_type() }}}})
            as unit_price,
        cast(case i % 4 {" ".join(f"when {n} then {rate}" for n, rate in enumerate(RATES))} end
            as {{{{ exact_numeric_type() }}}}) as tax_rate
    from {{% if target.type == 'duckdb' %}} range(1, {LINES + 1}) as series (i)
        {{% else %}} generate_series(1, {LINES}) as series (i) {{% endif %}}
)
select
    {{{{ line_net_amount('quantity', 'unit_price', 'tax_rate', 'true') }}}} as net_amount,
    {{{{ net_unit_price('unit_price', 'tax_rate', 'true') }}}} as net_unit_price
from lines
"""


def expected_lines() -> list[tuple[Decimal, Decimal]]:
    rows = []
    for i in range(1, LINES + 1):
        quantity, price, rate = 1 + i % 50, Decimal(i * 7919 % 9999999) / 100, RATES[i % 4]
        rows.append((quantity * price / (1 + rate), price / (1 + rate)))
    return rows


def compiled(project: DbtProject, inline: str) -> str:
    completed = subprocess.run(
        [str(BIN_DIR / "dbt"), "--quiet", "compile", "--inline", inline],
        cwd=PROJECT_ROOT,
        env=project.environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


@pytest.fixture(params=["postgres", "duckdb"])
def engine(request: pytest.FixtureRequest) -> DbtProject:
    return request.getfixturevalue("sample_warehouse" if request.param == "postgres" else "duckdb_sample_warehouse")


def test_money_rules_are_exact(engine: DbtProject) -> None:
    rows = engine.query(compiled(engine, LINES_QUERY))
    expected = expected_lines()
    assert len(rows) == LINES
    # within half a unit of the 10th decimal of the exact quotient: DuckDB rounds to it, PostgreSQL keeps more
    wrong = [
        (index, got, exact)
        for index, (got, exact) in enumerate(zip(rows, expected, strict=True))
        if any(abs(Decimal(value) - right) > TEN_PLACES / 2 for value, right in zip(got, exact, strict=True))
    ]
    assert not wrong, f"{len(wrong)} lines off the exact quotient, e.g. {wrong[:3]}"
    total = sum((Decimal(net) for net, _ in rows), Decimal(0))
    assert abs(total - sum((net for net, _ in expected), Decimal(0))) <= LINES * TEN_PLACES / 2

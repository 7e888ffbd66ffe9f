"""PostgreSQL's try_cast functions (macros/utils/try_cast.sql): the direct cast of text that a pattern vouches
for gives exactly what the exception block gives, for valid and invalid text alike."""

from __future__ import annotations

import pytest
from conftest import query
from dbt_project import DbtProject

VALUES: dict[str, list[str | None]] = {
    "numeric": [
        *("0", "12", "-3.50", "+7", "1.", ".5", "+.5", "-.25", "0.0725", "007", "1e5", "1E-3", "NaN", "Infinity"),
        *(" 12 ", "12,50", "abc", "", "-", ".", "1.2.3", "5%", "--1", "0x1F", "1" * 1000, "9" * 140000, None),
    ],
    "integer": ["1", "-12", "+999999999", "2147483647", "2147483648", "9999999999", "1.0", "", "x", None],
    "bigint": ["1", "-9223372036854775808", "9223372036854775808", "123456789012345678", "1e3", None],
    "date": ["2021-03-05", "2024-02-29", "2023-02-29", "2022-02-30", "2023-13-45", "0000-01-01", "05/03/2021", None],
    "timestamp": [
        *("2021-03-05 14:03:11", "2021-03-05T14:03:11.123456", "2021-03-05 14:03", "2021-03-05", "2021-03-31 23:59:59"),
        *("2021-03-05 24:00:00", "2021-03-05 14:60:00", "2021-03-05 14:03:61", "2022-02-30 10:00:00", "yesterday"),
        *("2021-03-05 14:03:11+05:30", "not a date", "", None),
    ],
    "timestamptz": [
        *("2021-03-05 14:03:11+05:30", "2021-03-05T14:03:11Z", "2021-03-05 14:03:11-0800", "2021-03-05 14:03+09"),
        *("2021-03-05 14:03:11+14:59", "2021-03-05 14:03:11+15:00", "2021-03-05 14:03:11+16:00", "2021-03-05"),
        *("2021-03-05 14:03:11", "2023-13-45 10:00:00", "2021-03-05 14:03:11 +05:30", "2021-03-05 14:03:11z", None),
    ],
    "jsonb": ['[{"sku": "SKU-1001", "quantity": 2}]', "[]", '{"a": 1}', "[{", "SKU-1 x2", '"\\u0000"', "", None],
}


@pytest.mark.parametrize("type_name", sorted(VALUES))
def test_try_cast_equals_the_exception_block(sample_warehouse: DbtProject, type_name: str) -> None:
    rows = query(
        sample_warehouse.settings,
        f"""
        select value, staging.try_cast_{type_name}(value)::text, staging.try_cast_{type_name}_by_exception(value)::text
        from unnest(%s::text[]) as value
        """,
        (VALUES[type_name],),
    )
    differing = [(value, fast, slow) for value, fast, slow in rows if fast != slow]
    assert not differing, f"try_cast_{type_name} differs from its exception block: {differing}"
    assert any(fast is not None for _, fast, _ in rows) and any(fast is None for _, fast, _ in rows)


def test_try_cast_is_inlined_with_its_fast_path(sample_warehouse: DbtProject) -> None:
    plan = query(
        sample_warehouse.settings,
        "explain (verbose, costs off) select staging.try_cast_numeric(value) from unnest(array['1.5']) as value",
    )
    text = "\n".join(line for (line,) in plan)
    assert "CASE WHEN" in text and "try_cast_numeric_by_exception" in text, text

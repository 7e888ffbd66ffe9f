"""PostgreSQL's try_cast functions (macros/utils/try_cast.sql): the direct cast of text that a pattern vouches
for gives exactly what the exception block gives, for valid and invalid text alike."""

from __future__ import annotations

import psycopg2
import pytest
from conftest import query
from dbt_project import DbtProject

VALUES: dict[str, list[str | None]] = {
    "numeric": [
        *("0", "12", "-3.50", "+7", "1.", ".5", "+.5", "-.25", "0.0725", "007", "1e5", "1E-3", "NaN", "Infinity"),
        *(" 12 ", "12,50", "abc", "", "-", ".", "1.2.3", "5%", "--1", "0x1F", "1" * 1000, "9" * 140000, None),
        *("1e999", "1.5E+3", "-2e-5", ".5e-3", "1.e5", "1e1001", "1e", "e5", "1e+", "9" * 1000 + "e999"),
        *("\t12", "12\n"),
    ],
    "integer": ["1", "-12", "+999999999", "2147483647", "2147483648", "9999999999", "1.0", "", "x", None],
    "bigint": ["1", "-9223372036854775808", "9223372036854775808", "123456789012345678", "1e3", None],
    "date": [
        *("2021-03-05", "2024-02-29", "2023-02-29", "2022-02-30", "2023-13-45", "0000-01-01", "05/03/2021", None),
        *("2023-02-28", "1900-02-29", "2000-02-29", "2100-02-29", "1600-02-29", "2023-04-30", "2023-04-31"),
        *("2023-06-31", "2023-01-31", "2023-12-31", "2023-11-31", "9999-12-31", "0999-01-01", "2023-1-05"),
        *(" 2021-03-05", "2021-03-05\n"),
    ],
    "timestamp": [
        *("2021-03-05 14:03:11", "2021-03-05T14:03:11.123456", "2021-03-05 14:03", "2021-03-05", "2021-03-31 23:59:59"),
        *("2021-03-05 24:00:00", "2021-03-05 14:60:00", "2021-03-05 14:03:61", "2022-02-30 10:00:00", "yesterday"),
        *("2021-03-05 14:03:11+05:30", "not a date", "", None),
        *("2023-02-29 10:00:00", "2024-02-29T23:59:59.999999", "2021-03-05 14:03:11.1234567", "2021-03-05\t14:03:11"),
    ],
    "timestamptz": [
        *("2021-03-05 14:03:11+05:30", "2021-03-05T14:03:11Z", "2021-03-05 14:03:11-0800", "2021-03-05 14:03+09"),
        *("2021-03-05 14:03:11+14:59", "2021-03-05 14:03:11+15:00", "2021-03-05 14:03:11+16:00", "2021-03-05"),
        *("2021-03-05 14:03:11", "2023-13-45 10:00:00", "2021-03-05 14:03:11 +05:30", "2021-03-05 14:03:11z", None),
        *("2024-02-29T10:00:00z", "2023-02-29T10:00:00Z", "2021-04-31T10:00:00+02:00", "2000-02-29 00:00:00-12"),
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


# Valid text in the export's shapes: every value must take the direct cast, none the exception block.
EXPORT_SHAPED: dict[str, list[str]] = {
    "numeric": ["12.50", "-3", ".5", "1e5", "2.5E-3", "0.0725"],
    "date": ["2024-02-29", "2000-02-29", "2023-01-31", "2023-04-30", "2023-12-31"],
    "timestamp": ["2023-03-31 23:59:59", "2024-02-29T10:00:00.5", "2023-08-30"],
    "timestamptz": ["2023-03-31T10:00:00Z", "2024-02-29T10:00:00z", "2023-10-31 10:00:00-04:00", "2023-05-31"],
}


@pytest.mark.parametrize("type_name", sorted(EXPORT_SHAPED))
def test_valid_export_values_never_reach_the_exception_block(sample_warehouse: DbtProject, type_name: str) -> None:
    connection = psycopg2.connect(sample_warehouse.settings.dsn())
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("set local track_functions = 'pl'")
            cursor.execute(
                f"select count(staging.try_cast_{type_name}(value)) from unnest(%s::text[]) as value",
                (EXPORT_SHAPED[type_name],),
            )
            assert cursor.fetchone() == (len(EXPORT_SHAPED[type_name]),)
            cursor.execute(
                "select coalesce(sum(calls), 0) from pg_stat_xact_user_functions where funcname = %s",
                (f"try_cast_{type_name}_by_exception",),
            )
            assert cursor.fetchone() == (0,)
    finally:
        connection.close()

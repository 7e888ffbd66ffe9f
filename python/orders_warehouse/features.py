"""Read the churn feature table, ``ml.customer_churn_features``, into a pandas DataFrame.

One row per (customer_id, as_of_date). Training rows have a label: ``churned`` is true or false and
``is_label_censored`` false. Scoring rows are censored (their label window runs past the data): ``churned`` is
missing. Every feature uses only what was known before ``as_of_date`` (see the model's documentation).

    from orders_warehouse.features import load_churn_features
    training = load_churn_features("training")   # connection settings from the WAREHOUSE_* variables
    scoring = load_churn_features("scoring")
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
import psycopg2

from orders_warehouse.settings import ConnectionSettings

FEATURE_TABLE = "ml.customer_churn_features"
Rows = Literal["training", "scoring", "all"]
ROW_FILTERS: dict[str, str] = {
    "training": "where not is_label_censored",
    "scoring": "where is_label_censored",
    "all": "",
}
LABEL_COLUMN = "churned"
#: Columns of the table that say when a row was computed, not what it says: left out of the DataFrame.
AUDIT_COLUMNS = frozenset({"processed_at"})
SPLITS = pd.CategoricalDtype(["train", "validation", "test"], ordered=True)

#: The numeric features, in the table's order (the columns a model is trained on).
NUMERIC_FEATURES: tuple[str, ...] = (
    "days_since_last_order",
    "days_since_first_order",
    "order_count_30d",
    "order_count_90d",
    "order_count_365d",
    "order_count_lifetime",
    "order_count_prior_90d",
    "order_count_trend_90d",
    "net_revenue_30d",
    "net_revenue_90d",
    "net_revenue_365d",
    "net_revenue_lifetime",
    "net_revenue_prior_90d",
    "net_revenue_trend_90d",
    "average_order_value",
    "average_basket_size",
    "distinct_category_count",
    "top_category_revenue_share",
    "cancelled_order_ratio",
    "returned_order_ratio",
    "mean_days_between_orders",
)

# PostgreSQL type codes (pg_type oids) of the table's columns.
_BOOLEAN = 16
_INTEGERS = frozenset({20, 21, 23})
_DECIMALS = frozenset({700, 701, 1700})
_DATE = 1082
_TYPED = frozenset({_BOOLEAN, _DATE, *_INTEGERS, *_DECIMALS})

_NUMERIC_AS_FLOAT = psycopg2.extensions.new_type(
    (1700,), "NUMERIC_AS_FLOAT", lambda value, _cursor: None if value is None else float(value)
)

#: Rows fetched from the server per chunk: each chunk's tuples are typed into columns, then dropped.
CHUNK_ROWS = 10_000


def load_churn_features(
    rows: Rows = "training", settings: ConnectionSettings | None = None, *, chunk_rows: int = CHUNK_ROWS
) -> pd.DataFrame:
    """The churn feature table as a DataFrame, ordered by as_of_date and customer_id.

    ``rows``: ``"training"`` (labelled rows, is_label_censored false), ``"scoring"`` (censored rows, no label)
    or ``"all"``. ``settings`` default to the WAREHOUSE_* environment variables. Dates become datetime64,
    exact numerics float64, counts int64, ``split`` an ordered category (train < validation < test) and
    ``churned`` a bool (a nullable boolean when some rows have no label).

    The rows stream from a server-side cursor, ``chunk_rows`` at a time; each chunk is typed column by column
    as it arrives, so memory stays near the final DataFrame's size whatever the table's.
    """
    if rows not in ROW_FILTERS:
        raise ValueError(f"rows must be one of {sorted(ROW_FILTERS)}, not {rows!r}")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be positive, not {chunk_rows}")
    statement = f"select * from {FEATURE_TABLE} {ROW_FILTERS[rows]} order by as_of_date, customer_id"
    connection = psycopg2.connect((settings or ConnectionSettings.from_env()).dsn())
    # Exact numerics arrive as floats, parsed from their text (no Decimal objects): the value astype gave.
    psycopg2.extensions.register_type(_NUMERIC_AS_FLOAT, connection)
    try:
        with connection, connection.cursor(name="churn_features") as cursor:
            cursor.itersize = chunk_rows
            cursor.execute(statement)
            batch = cursor.fetchmany(chunk_rows)
            # A named cursor describes its columns once the first rows are fetched.
            kept = [
                (position, column.name, column.type_code)
                for position, column in enumerate(cursor.description or ())
                if column.name not in AUDIT_COLUMNS
            ]
            type_codes = {name: type_code for _, name, type_code in kept}
            pieces: dict[str, list[pd.Series]] = {name: [] for name in type_codes}
            # One string object per distinct text value (customer ids and countries repeat on every month).
            texts: dict[str, dict[object, object]] = {name: {} for name in type_codes}
            while batch:
                values_by_position = list(zip(*batch, strict=True))
                for position, name, type_code in kept:
                    values = values_by_position[position]
                    if type_code not in _TYPED:
                        values = tuple(texts[name].setdefault(value, value) for value in values)
                    pieces[name].append(_typed_values(name, type_code, values))
                batch = cursor.fetchmany(chunk_rows)
    finally:
        connection.close()
    return _assembled(pieces, type_codes)


def split_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows, labelled rows and the churn rate (share of labelled rows that churned) per split."""
    return frame.groupby("split", observed=False).agg(
        rows=("customer_id", "size"), labelled_rows=(LABEL_COLUMN, "count"), churn_rate=(LABEL_COLUMN, "mean")
    )


def _typed_values(column: str, type_code: int, values: tuple) -> pd.Series:
    """One chunk of one column with the pandas dtype that fits its PostgreSQL type (nullable for now)."""
    if type_code == _DATE:
        return pd.to_datetime(pd.Series(values, dtype=object))
    if type_code in _DECIMALS:
        return pd.Series(values, dtype=object).astype("float64")
    if type_code in _INTEGERS:
        return pd.Series(values, dtype="Int64")
    if type_code == _BOOLEAN:
        return pd.Series(values, dtype="boolean")
    if column == "split":
        return pd.Series(values, dtype=SPLITS)
    return pd.Series(values)


def _assembled(pieces: dict[str, list[pd.Series]], type_codes: dict[str, int]) -> pd.DataFrame:
    """The chunks joined column by column (each column's chunks freed once joined); counts and booleans
    without a missing value become plain int64 and bool."""
    columns: dict[str, pd.Series] = {}
    for column, type_code in type_codes.items():
        chunks = pieces.pop(column) or [_typed_values(column, type_code, ())]
        values = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
        del chunks
        if type_code in _INTEGERS and not values.isna().any():
            values = values.astype("int64")
        elif type_code == _BOOLEAN and not values.isna().any():
            values = values.astype("bool")
        columns[column] = values
    return pd.DataFrame(columns, copy=False)

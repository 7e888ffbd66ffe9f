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


def load_churn_features(rows: Rows = "training", settings: ConnectionSettings | None = None) -> pd.DataFrame:
    """The churn feature table as a DataFrame, ordered by as_of_date and customer_id.

    ``rows``: ``"training"`` (labelled rows, is_label_censored false), ``"scoring"`` (censored rows, no label)
    or ``"all"``. ``settings`` default to the WAREHOUSE_* environment variables. Dates become datetime64,
    exact numerics float64, counts int64, ``split`` an ordered category (train < validation < test) and
    ``churned`` a bool (a nullable boolean when some rows have no label).
    """
    if rows not in ROW_FILTERS:
        raise ValueError(f"rows must be one of {sorted(ROW_FILTERS)}, not {rows!r}")
    statement = f"select * from {FEATURE_TABLE} {ROW_FILTERS[rows]} order by as_of_date, customer_id"
    connection = psycopg2.connect((settings or ConnectionSettings.from_env()).dsn())
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(statement)
            type_codes = {column.name: column.type_code for column in cursor.description}
            frame = pd.DataFrame.from_records(cursor.fetchall(), columns=list(type_codes))
    finally:
        connection.close()
    return _typed(frame, type_codes)


def split_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows, labelled rows and the churn rate (share of labelled rows that churned) per split."""
    return frame.groupby("split", observed=False).agg(
        rows=("customer_id", "size"), labelled_rows=(LABEL_COLUMN, "count"), churn_rate=(LABEL_COLUMN, "mean")
    )


def _typed(frame: pd.DataFrame, type_codes: dict[str, int]) -> pd.DataFrame:
    """Give each column the pandas dtype that fits its PostgreSQL type."""
    for column, type_code in type_codes.items():
        values = frame[column]
        if type_code == _DATE:
            frame[column] = pd.to_datetime(values)
        elif type_code in _DECIMALS:
            frame[column] = values.astype("float64")
        elif type_code in _INTEGERS:
            frame[column] = values.astype("Int64" if values.isna().any() else "int64")
        elif type_code == _BOOLEAN:
            frame[column] = values.astype("boolean" if values.isna().any() else "bool")
    if "split" in frame:
        frame["split"] = frame["split"].astype(SPLITS)
    return frame

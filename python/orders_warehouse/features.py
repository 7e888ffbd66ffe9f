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

import numpy as np
import numpy.typing as npt
import pandas as pd
import psycopg2
from psycopg2 import sql

from orders_warehouse.settings import ConnectionSettings, one_row

FEATURE_TABLE = "ml.customer_churn_features"
Rows = Literal["training", "scoring", "all"]
ROW_FILTERS: dict[str, str] = {
    "training": "where not is_label_censored",
    "scoring": "where is_label_censored",
    "all": "",
}
#: ``"compact"``: float32, int32 and categories (about a third of the memory); ``"wide"``: float64, int64 and str.
Dtypes = Literal["compact", "wide"]
DTYPES: tuple[str, ...] = ("compact", "wide")
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
_INTEGERS = {21: (np.int16, np.int64), 23: (np.int32, np.int64), 20: (np.int64, np.int64)}  # compact, wide
_DECIMALS = frozenset({700, 701, 1700})
_DATE = 1082
_TEXTS = frozenset({25, 1042, 1043})  # text, character, character varying
_SECONDS_PER_DAY = 86_400

#: Rows fetched from the server per chunk: each chunk's values are written into the columns, then dropped.
CHUNK_ROWS = 10_000


def load_churn_features(
    rows: Rows = "training",
    settings: ConnectionSettings | None = None,
    *,
    dtypes: Dtypes = "compact",
    chunk_rows: int = CHUNK_ROWS,
) -> pd.DataFrame:
    """The churn feature table as a DataFrame, ordered by as_of_date and customer_id.

    ``rows``: ``"training"`` (labelled rows, is_label_censored false), ``"scoring"`` (censored rows, no label)
    or ``"all"``. ``settings`` default to the WAREHOUSE_* environment variables.

    ``dtypes="compact"`` (the default) keeps the DataFrame small, about 100 bytes a row:

    - the exact numerics (net revenue, averages, shares, ratios) become ``float32``: about 7 significant
      digits, so a revenue of 12,345.67 is exact to about a thousandth. That is the usual precision to train
      a model on (scikit-learn converts to float64 where it computes), not to add up money: sums over many
      rows lose cents, and casting back to float64 does not bring the digits back; use ``dtypes="wide"``;
    - integers keep the width of their PostgreSQL type: ``int32`` for the day and order counts;
    - ``customer_id`` and ``country_code`` become ``category``, whose categories are the values present in
      the rows read, sorted (a training and a scoring frame may differ: align them with
      ``cat.set_categories`` before using the codes as a feature).

    ``dtypes="wide"`` gives ``float64``, ``int64`` and ``str`` instead (about three times the memory).

    Both ways ``as_of_date`` is a ``datetime64[s]``, ``split`` an ordered category (train < validation <
    test), ``churned`` and ``is_label_censored`` ``bool``. An integer or boolean column with a NULL in the rows
    read becomes nullable (``Int32``, ``Int64``, ``boolean``): ``churned`` when censored rows are read. NULL
    is NaN in floats and categories.

    The rows stream from a server-side cursor, ``chunk_rows`` at a time, into columns allocated once at their
    final size (the rows are counted first, in the same snapshot), so the process holds little more than the
    finished DataFrame whatever the table's size: no chunks are joined at the end.
    """
    if rows not in ROW_FILTERS:
        raise ValueError(f"rows must be one of {sorted(ROW_FILTERS)}, not {rows!r}")
    if dtypes not in DTYPES:
        raise ValueError(f"dtypes must be one of {list(DTYPES)}, not {dtypes!r}")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be positive, not {chunk_rows}")
    table = sql.SQL(FEATURE_TABLE)
    row_filter = sql.SQL(ROW_FILTERS[rows])
    connection = psycopg2.connect((settings or ConnectionSettings.from_env()).dsn())
    try:
        # The count and the rows come from one snapshot: a build committing meanwhile changes neither.
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection:
            with connection.cursor() as cursor:
                # Floats print exactly (shortest round-trip form) whatever the server's default.
                cursor.execute("set local extra_float_digits = 3")
                cursor.execute(sql.SQL("select * from {} limit 0").format(table))
                columns = [
                    _column(column.name, column.type_code, dtypes)
                    for column in cursor.description or ()
                    if column.name not in AUDIT_COLUMNS
                ]
                cursor.execute(sql.SQL("select count(*) from {} {}").format(table, row_filter))
                (row_count,) = one_row(cursor)
            for column in columns:
                column.allocate(row_count)
            statement = sql.SQL("select {} from {} {} order by as_of_date, customer_id").format(
                sql.SQL(", ").join(column.selected for column in columns), table, row_filter
            )
            with connection.cursor(name="churn_features") as cursor:
                cursor.itersize = chunk_rows
                cursor.execute(statement)
                start = 0
                while batch := cursor.fetchmany(chunk_rows):
                    stop = start + len(batch)
                    if stop > row_count:
                        raise RuntimeError(f"{FEATURE_TABLE} returned more than the {row_count} rows it counted")
                    for column, values in zip(columns, zip(*batch, strict=True), strict=True):
                        column.write(start, stop, values)
                    start = stop
                del batch
            if start != row_count:
                raise RuntimeError(f"{FEATURE_TABLE} returned {start} rows, not the {row_count} it counted")
    finally:
        connection.close()
    finished = {}
    while columns:  # each column's buffers are freed as it is finished
        column = columns.pop(0)
        finished[column.name] = column.finish()
    return pd.DataFrame(finished, copy=False)


def split_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows, labelled rows and the churn rate (share of labelled rows that churned) per split."""
    return frame.groupby("split", observed=False).agg(
        rows=("customer_id", "size"), labelled_rows=(LABEL_COLUMN, "count"), churn_rate=(LABEL_COLUMN, "mean")
    )


# --------------------------------------------------------------------------- columns


class _Column:
    """One column of the result: the expression it is selected with, and the array its chunks are written to
    (as it is, an object array of what psycopg2 returned)."""

    def __init__(self, name: str, dtype: npt.DTypeLike) -> None:
        self.name = name
        self.dtype = np.dtype(dtype)
        self.values = np.empty(0, self.dtype)
        self.missing: np.ndarray | None = None  # where a value is NULL, once one was seen

    @property
    def selected(self) -> sql.Composable:
        """The select-list entry of the column."""
        return sql.Identifier(self.name)

    def allocate(self, row_count: int) -> None:
        """Make room for every row."""
        self.values = np.empty(row_count, self.dtype)

    def write(self, start: int, stop: int, values: tuple) -> None:
        """Write one chunk's values (Python objects as psycopg2 typed them; None for NULL) to rows start:stop."""
        self.values[start:stop] = values

    def finish(self) -> np.ndarray | pd.api.extensions.ExtensionArray:
        """The column's values for the DataFrame."""
        return self.values

    def _write_with_missing(self, start: int, stop: int, values: tuple, fill: object) -> None:
        if self.missing is None:
            self.missing = np.zeros(len(self.values), bool)
        self.missing[start:stop] = [value is None for value in values]
        self.values[start:stop] = [fill if value is None else value for value in values]


class _Floats(_Column):
    """float32 or float64 (NULL is NaN). Exact numerics arrive as their text, which numpy parses in C to the
    nearest double (as Python's float() of the numeric) before any rounding to float32."""

    def __init__(self, name: str, dtype: type, type_code: int) -> None:
        super().__init__(name, dtype)
        self.type_code = type_code

    @property
    def selected(self) -> sql.Composable:
        if self.type_code == 1700:  # as text: no Decimal objects (and cheaper than a cast to a double)
            return sql.SQL("{0}::text as {0}").format(sql.Identifier(self.name))
        return super().selected

    def write(self, start: int, stop: int, values: tuple) -> None:
        self.values[start:stop] = np.array(values, dtype=np.float64)


class _Integers(_Column):
    """A plain integer array, nullable (``Int32``, ...) when some value is missing."""

    def write(self, start: int, stop: int, values: tuple) -> None:
        try:
            self.values[start:stop] = values
        except TypeError:  # a None among them
            self._write_with_missing(start, stop, values, 0)

    def finish(self) -> np.ndarray | pd.api.extensions.ExtensionArray:
        if self.missing is not None and self.missing.any():
            return pd.arrays.IntegerArray(self.values, self.missing)
        return self.values


class _Booleans(_Column):
    """bool, ``boolean`` (nullable) when some value is missing."""

    def __init__(self, name: str) -> None:
        super().__init__(name, bool)

    def write(self, start: int, stop: int, values: tuple) -> None:
        if None in values:  # numpy would read None as False
            self._write_with_missing(start, stop, values, False)
        else:
            self.values[start:stop] = values

    def finish(self) -> np.ndarray | pd.api.extensions.ExtensionArray:
        if self.missing is not None and self.missing.any():
            return pd.arrays.BooleanArray(self.values, self.missing)
        return self.values


class _Dates(_Column):
    """datetime64[s]; selected as days since 1970-01-01 (an integer: no date objects, no DateStyle)."""

    def __init__(self, name: str) -> None:
        super().__init__(name, "datetime64[s]")

    @property
    def selected(self) -> sql.Composable:
        return sql.SQL("{0} - date '1970-01-01' as {0}").format(sql.Identifier(self.name))

    def write(self, start: int, stop: int, values: tuple) -> None:
        seconds = self.values[start:stop].view(np.int64)
        if None in values:
            seconds[:] = [np.iinfo(np.int64).min if value is None else value * _SECONDS_PER_DAY for value in values]
        else:
            seconds[:] = values
            seconds *= _SECONDS_PER_DAY


class _Texts(_Column):
    """Text as category codes while reading (one entry per distinct value); at the end a ``category`` with the
    sorted values (``compact``), a ``str`` column (``wide``) or the given categories (``split``)."""

    def __init__(self, name: str, result: Literal["category", "str"] | pd.CategoricalDtype) -> None:
        super().__init__(name, np.int32)
        self.result = result
        self.codes: dict[object, int] = {}
        if isinstance(result, pd.CategoricalDtype):
            self.codes = {value: code for code, value in enumerate(result.categories)}

    def write(self, start: int, stop: int, values: tuple) -> None:
        chunk_codes, uniques = pd.factorize(np.array(values, dtype=object))  # NULL -> -1
        if isinstance(self.result, pd.CategoricalDtype):  # fixed categories: another value is missing
            codes = [self.codes.get(value, -1) for value in uniques]
        else:
            codes = [self.codes.setdefault(value, len(self.codes)) for value in uniques]
        self.values[start:stop] = np.array([*codes, -1], np.int32)[chunk_codes]

    def finish(self) -> np.ndarray | pd.api.extensions.ExtensionArray:
        codes, self.values = self.values, np.empty(0, np.int32)
        if isinstance(self.result, pd.CategoricalDtype):
            return pd.Categorical.from_codes(codes, dtype=self.result)
        values = np.array(list(self.codes), dtype=object)
        order = np.argsort(values, kind="stable")
        ranks = np.empty(len(order) + 1, np.int32)
        ranks[order] = np.arange(len(order), dtype=np.int32)
        ranks[-1] = -1  # code -1 (NULL) stays -1
        codes = ranks[codes]
        categories = pd.Index(values[order], dtype="str")
        if self.result == "category":
            return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))
        return categories.take(codes, allow_fill=True).array  # wide: one string object per distinct value


def _column(name: str, type_code: int, dtypes: Dtypes) -> _Column:
    """The column ``name`` of PostgreSQL type ``type_code``, read with the given dtypes."""
    compact = dtypes == "compact"
    if type_code in _DECIMALS:
        return _Floats(name, np.float32 if compact else np.float64, type_code)
    if type_code in _INTEGERS:
        return _Integers(name, _INTEGERS[type_code][0 if compact else 1])
    if type_code == _BOOLEAN:
        return _Booleans(name)
    if type_code == _DATE:
        return _Dates(name)
    if type_code in _TEXTS:
        if name == "split":
            return _Texts(name, SPLITS)
        return _Texts(name, "category" if compact else "str")
    return _Column(name, object)  # any other type: the objects psycopg2 gives

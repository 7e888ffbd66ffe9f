"""The churn feature table (``ml.customer_churn_features``): the DataFrame loader, the example model, and the
proof that no feature leaks the future.

The leakage test builds the warehouse a second time on the sample truncated at ``CUTOFF_DATE``: every raw row
whose submission is dated (store-local ``order_date``, as staging computes it) on or after the cutoff is deleted
from ``raw.orders_export`` before ``dbt build --full-refresh``. Every feature of every row with
``as_of_date <= CUTOFF_DATE`` must then be identical in the truncated and the full build; only the labels
(which look ahead) may differ.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import psycopg2
import pytest
from conftest import query
from dbt_project import DbtProject, sample_exports

from orders_warehouse import cli
from orders_warehouse.churn_example import train_churn_example
from orders_warehouse.features import (
    AUDIT_COLUMNS,
    FEATURE_TABLE,
    NUMERIC_FEATURES,
    ROW_FILTERS,
    SPLITS,
    Dtypes,
    Rows,
    load_churn_features,
)
from orders_warehouse.server import LocalServer
from orders_warehouse.settings import ConnectionSettings

# Mid-month, so that both builds have the as-of date 2023-09-01 (as-of dates run to the month of the last
# order date), and after the first version but before the correction of an order (ORD-00001324: 2023-08-28,
# corrected 2023-09-11): the truncated build never sees that correction, the full build does.
CUTOFF_DATE = datetime.date(2023, 9, 8)
LABEL_COLUMNS = ("churned", "is_label_censored")


@pytest.fixture(scope="module")
def truncated_warehouse(test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The sample without the submissions dated on or after CUTOFF_DATE, built with dbt build."""
    test_server.ensure_database("churn_truncated")
    settings = ConnectionSettings(host="127.0.0.1", port=test_server.port, database="churn_truncated")
    project = DbtProject(settings, tmp_path_factory.mktemp("churn_truncated"))
    project.load(sample_exports())
    # Staging's parse of the raw rows gives each submission its store-local date; delete the late ones.
    parse = project.run("run", "--select", "+base_orders_export__submissions")
    assert parse.returncode == 0, f"dbt run failed:\n{parse.tail()}"
    query(
        settings,
        "delete from raw.orders_export where _row_id in"
        " (select raw_row_id from staging.base_orders_export__submissions where order_date >= %s)",
        (CUTOFF_DATE,),
    )
    # A full refresh: the incremental staging models must not keep the deleted rows.
    project.build = project.run("build", "--full-refresh")
    assert project.build.returncode == 0, f"dbt build failed on the truncated sample:\n{project.build.tail()}"
    return project


def _rows_until_cutoff(settings: ConnectionSettings, columns: list[str]) -> dict[tuple, tuple]:
    """(customer_id, as_of_date) -> the given columns, for every row with as_of_date <= CUTOFF_DATE."""
    rows = query(
        settings,
        f"select customer_id, as_of_date, {', '.join(columns)} from {FEATURE_TABLE} where as_of_date <= %s",
        (CUTOFF_DATE,),
    )
    return {(row[0], row[1]): row[2:] for row in rows}


def _feature_columns(settings: ConnectionSettings) -> list[str]:
    """Every column of the table but the keys and the label."""
    rows = query(
        settings,
        "select column_name from information_schema.columns"
        " where table_schema = 'ml' and table_name = 'customer_churn_features' order by ordinal_position",
    )
    return [name for (name,) in rows if name not in {"customer_id", "as_of_date", *LABEL_COLUMNS, *AUDIT_COLUMNS}]


def test_no_feature_leaks_the_future(sample_warehouse: DbtProject, truncated_warehouse: DbtProject) -> None:
    columns = _feature_columns(sample_warehouse.settings)
    assert set(NUMERIC_FEATURES) < set(columns)
    full = _rows_until_cutoff(sample_warehouse.settings, columns)
    truncated = _rows_until_cutoff(truncated_warehouse.settings, columns)
    assert len(full) > 3000
    assert truncated.keys() == full.keys()
    differing = {key: (truncated[key], value) for key, value in full.items() if truncated[key] != value}
    assert not differing, f"{len(differing)} rows differ (truncated, full), e.g. {list(differing.items())[:2]}"


def test_the_truncation_changes_the_future_and_labels(
    sample_warehouse: DbtProject, truncated_warehouse: DbtProject
) -> None:
    """The leakage test is not vacuous: the truncated build lost later orders and a correction, and the labels
    of the last months before the cutoff differ."""
    state = "select order_id, order_date, order_status from intermediate.int_orders"
    full_orders = {row[0]: row[1:] for row in query(sample_warehouse.settings, state)}
    truncated_orders = {row[0]: row[1:] for row in query(truncated_warehouse.settings, state)}
    assert len(full_orders) > len(truncated_orders)
    corrected_later = [order for order, value in truncated_orders.items() if full_orders[order] != value]
    assert corrected_later, "some order known before the cutoff must be corrected after it"
    full_labels = _rows_until_cutoff(sample_warehouse.settings, list(LABEL_COLUMNS))
    truncated_labels = _rows_until_cutoff(truncated_warehouse.settings, list(LABEL_COLUMNS))
    assert any(truncated_labels[key] != value for key, value in full_labels.items())


def test_training_rows_are_labelled_and_scoring_rows_censored(sample_warehouse: DbtProject) -> None:
    settings = sample_warehouse.settings
    training = load_churn_features("training", settings)
    scoring = load_churn_features("scoring", settings)
    everything = load_churn_features("all", settings)
    [(table_rows,)] = query(settings, f"select count(*) from {FEATURE_TABLE}")
    assert len(everything) == table_rows == len(training) + len(scoring)
    assert training["churned"].notna().all() and not training["is_label_censored"].any()
    assert scoring["churned"].isna().all() and scoring["is_label_censored"].all()
    assert set(training["split"]) == {"train", "validation", "test"}
    assert pd.api.types.is_datetime64_any_dtype(everything["as_of_date"])
    assert all(pd.api.types.is_numeric_dtype(everything[column]) for column in NUMERIC_FEATURES)
    assert not everything.duplicated(["customer_id", "as_of_date"]).any()


def _fetched_at_once(settings: ConnectionSettings, rows: str, dtypes: Dtypes) -> pd.DataFrame:
    """The DataFrame as load_churn_features built it before it streamed in chunks: every row fetched as tuples
    (exact numerics as Decimal, dates as date objects), then each column typed with pandas' own conversions
    (the reference the chunked path must match, values and dtypes)."""
    statement = f"select * from {FEATURE_TABLE} {ROW_FILTERS[rows]} order by as_of_date, customer_id"
    connection = psycopg2.connect(settings.dsn())
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(statement)
            assert cursor.description is not None
            type_codes = {column.name: column.type_code for column in cursor.description}
            frame = pd.DataFrame.from_records(cursor.fetchall(), columns=list(type_codes))
    finally:
        connection.close()
    frame = frame.drop(columns=[column for column in AUDIT_COLUMNS if column in frame])
    compact = dtypes == "compact"
    for column in frame:
        values, type_code = frame[column], type_codes[column]
        if type_code == 1082:  # date
            frame[column] = pd.to_datetime(values)
        elif type_code in {700, 701, 1700}:  # real, double precision, numeric
            frame[column] = values.astype("float64").astype("float32" if compact else "float64")
        elif type_code == 23:  # integer
            width = "32" if compact else "64"
            frame[column] = values.astype(
                pd.api.types.pandas_dtype(f"Int{width}" if values.isna().any() else f"int{width}")
            )
        elif type_code == 16:  # boolean
            frame[column] = values.astype("boolean" if values.isna().any() else "bool")
        elif column == "split":
            frame[column] = values.astype(SPLITS)
        elif compact:  # text
            frame[column] = values.astype("category")
    assert set(type_codes.values()) <= {1082, 700, 701, 1700, 23, 16, 25, 1114}, "a type the reference misses"
    return frame


@pytest.mark.parametrize("dtypes", ["compact", "wide"])
@pytest.mark.parametrize("rows", ["all", "training", "scoring"])
def test_chunked_pull_equals_the_pull_at_once(sample_warehouse: DbtProject, rows: Rows, dtypes: Dtypes) -> None:
    """Streaming in chunks (many small chunks, three chunks with a short last one, one chunk larger than the
    result) gives the same DataFrame, values and dtypes, as fetching it at once."""
    settings = sample_warehouse.settings
    expected = _fetched_at_once(settings, rows, dtypes)
    assert len(expected) > 500
    if rows == "all":
        # The label is missing on the last months only: the nullable boolean must survive the chunking.
        assert str(expected["churned"].dtype) == "boolean" and expected["churned"].head(1000).notna().all()
        # Texts come in another order than their sorted categories (the codes are renumbered at the end).
        countries = expected["country_code"].dropna().tolist()
        assert list(dict.fromkeys(countries)) != sorted(set(countries))
    for chunk_rows in (97, len(expected) // 3 + 1, len(expected) + 1):
        chunked = load_churn_features(rows, settings, dtypes=dtypes, chunk_rows=chunk_rows)
        pd.testing.assert_frame_equal(chunked, expected, check_dtype=True, check_exact=True)
        assert not chunked.empty


INTEGER_FEATURES = (
    "days_since_last_order",
    "days_since_first_order",
    "order_count_30d",
    "order_count_90d",
    "order_count_365d",
    "order_count_lifetime",
    "order_count_prior_90d",
    "order_count_trend_90d",
    "distinct_category_count",
)
EXPECTED_DTYPES = {
    # column: (compact, wide), for the rows "all" (some are censored: churned is missing)
    "customer_id": ("category", "str"),
    "country_code": ("category", "str"),
    "split": ("category", "category"),
    **{column: ("int32", "int64") for column in INTEGER_FEATURES},
    **{column: ("float32", "float64") for column in NUMERIC_FEATURES if column not in INTEGER_FEATURES},
    "churned": ("boolean", "boolean"),
    "is_label_censored": ("bool", "bool"),
    "as_of_date": ("datetime64[s]", "datetime64[s]"),
}


@pytest.mark.parametrize("dtypes", ["compact", "wide"])
def test_the_dtypes_of_each_column(sample_warehouse: DbtProject, dtypes: Dtypes) -> None:
    """The documented dtypes, column by column, in the table's order."""
    settings = sample_warehouse.settings
    frame = load_churn_features("all", settings, dtypes=dtypes)
    position = 0 if dtypes == "compact" else 1
    assert {column: str(dtype) for column, dtype in frame.dtypes.items()} == {
        column: kinds[position] for column, kinds in EXPECTED_DTYPES.items()
    }
    table_columns = query(
        settings,
        "select column_name from information_schema.columns"
        " where table_schema = 'ml' and table_name = 'customer_churn_features' order by ordinal_position",
    )
    assert list(frame.columns) == [name for (name,) in table_columns if name not in AUDIT_COLUMNS]
    assert frame["split"].dtype == SPLITS
    if dtypes == "compact":
        assert list(frame["country_code"].cat.categories) == sorted(frame["country_code"].dropna().unique())
        assert str(load_churn_features("training", settings)["churned"].dtype) == "bool"


def test_compact_is_small_and_close_to_wide(sample_warehouse: DbtProject) -> None:
    """The compact DataFrame takes well under half the memory of the wide one; its floats are the same numbers
    to float32's precision (a relative 2**-24), its other columns the same values."""
    compact = load_churn_features("all", sample_warehouse.settings)
    wide = load_churn_features("all", sample_warehouse.settings, dtypes="wide")
    assert compact.memory_usage(deep=True).sum() < 0.4 * wide.memory_usage(deep=True).sum()
    for column in wide:
        if str(compact[column].dtype) == "float32":
            assert compact[column].isna().equals(wide[column].isna())
            np.testing.assert_allclose(compact[column].astype("float64"), wide[column], rtol=2**-24, atol=0)
        else:
            pd.testing.assert_series_equal(compact[column], wide[column], check_dtype=False, check_categorical=False)


def test_nulls_small_and_large_integers_and_categories_across_chunks(fresh_database: ConnectionSettings) -> None:
    """Edge cases the feature table does not have today: a NULL first met in a later chunk in an integer
    column, smallint and bigint, a text column whose values arrive out of order, a NULL date, a value outside
    the splits."""
    query(
        fresh_database,
        """
        create schema ml;
        create table ml.customer_churn_features (
            customer_id text, country_code text, split text, small smallint, count integer, big bigint,
            revenue numeric, ratio double precision, churned boolean, is_label_censored boolean,
            as_of_date date, processed_at timestamp
        );
        insert into ml.customer_churn_features values
            ('c', 'US', 'train', 1, 10, 9000000000, 12.345, 0.5, true, false, '2021-01-01', now()),
            ('b', null, 'validation', 2, 20, -1, null, null, false, false, '2021-02-01', now()),
            ('a', 'DE', 'test', -3, null, 0, 1e-3, 1.5, null, true, '2021-03-01', now()),
            ('a', 'CH', 'other', null, 40, null, -7, 2.5, null, true, null, now())
        """,
    )
    expected = pd.DataFrame(
        {
            "customer_id": pd.Categorical(["c", "b", "a", "a"], categories=["a", "b", "c"]),
            "country_code": pd.Categorical(["US", None, "DE", "CH"], categories=["CH", "DE", "US"]),
            "split": pd.Categorical(["train", "validation", "test", None], dtype=SPLITS),
            "small": pd.array([1, 2, -3, None], dtype="Int16"),
            "count": pd.array([10, 20, None, 40], dtype="Int32"),
            "big": pd.array([9_000_000_000, -1, 0, None], dtype="Int64"),
            "revenue": np.array([12.345, np.nan, 1e-3, -7], dtype="float32"),
            "ratio": np.array([0.5, np.nan, 1.5, 2.5], dtype="float32"),
            "churned": pd.array([True, False, None, None], dtype="boolean"),
            "is_label_censored": [False, False, True, True],
            "as_of_date": pd.DatetimeIndex(["2021-01-01", "2021-02-01", "2021-03-01", None]).as_unit("s"),
        }
    )
    for chunk_rows in (1, 2, 3, 10):
        frame = load_churn_features("all", fresh_database, chunk_rows=chunk_rows)
        pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    wide = load_churn_features("all", fresh_database, dtypes="wide", chunk_rows=3)
    assert wide["customer_id"].tolist() == ["c", "b", "a", "a"] and str(wide["customer_id"].dtype) == "str"
    assert wide["country_code"].isna().tolist() == [False, True, False, False]
    assert [str(dtype) for dtype in wide.dtypes.iloc[3:8]] == ["Int64", "Int64", "Int64", "float64", "float64"]
    assert wide["revenue"].iloc[0] == 12.345
    training = load_churn_features("training", fresh_database, chunk_rows=1)
    assert len(training) == 2  # no NULL among the rows read: plain dtypes
    assert [str(dtype) for dtype in training.dtypes.iloc[3:6]] == ["int16", "int32", "int64"]
    assert str(training["churned"].dtype) == "bool"
    with pytest.raises(ValueError, match="dtypes"):
        load_churn_features("all", fresh_database, dtypes="float16")  # type: ignore[arg-type]


def test_example_model_beats_the_base_rate(sample_warehouse: DbtProject, tmp_path: Path) -> None:
    report = train_churn_example(tmp_path / "model.joblib", sample_warehouse.settings)
    assert report.validation_roc_auc > 0.6
    assert report.model_brier < report.base_rate_brier
    assert 0 < report.validation_base_rate < 1
    model = joblib.load(report.model_path)
    scoring = load_churn_features("scoring", sample_warehouse.settings)
    probabilities = model.predict_proba(scoring[list(NUMERIC_FEATURES)])[:, 1]
    assert len(probabilities) == len(scoring) > 0
    assert ((probabilities >= 0) & (probabilities <= 1)).all()


def test_commands_read_features_and_train_the_example(
    sample_warehouse: DbtProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = sample_warehouse.settings
    monkeypatch.setenv("WAREHOUSE_PORT", str(settings.port))
    monkeypatch.setenv("WAREHOUSE_DB", settings.database)
    csv_file = tmp_path / "scoring.csv"
    assert cli.main(["features", "--rows", "scoring", "--out", str(csv_file)]) == 0
    assert len(pd.read_csv(csv_file)) == len(load_churn_features("scoring", settings))
    model_file = tmp_path / "models" / "churn.joblib"
    assert cli.main(["train-churn-example", "--model-out", str(model_file)]) == 0
    assert model_file.exists()
    assert "validation ROC AUC" in capsys.readouterr().out

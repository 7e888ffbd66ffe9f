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
    parse = project.run("run", "--select", "base_orders_export__submissions")
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


def _fetched_at_once(settings: ConnectionSettings, rows: str) -> pd.DataFrame:
    """The DataFrame as load_churn_features built it before it streamed in chunks: every row fetched as tuples,
    then each column typed (the reference the chunked path must match, dtypes included)."""
    statement = f"select * from {FEATURE_TABLE} {ROW_FILTERS[rows]} order by as_of_date, customer_id"
    connection = psycopg2.connect(settings.dsn())
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(statement)
            type_codes = {column.name: column.type_code for column in cursor.description}
            frame = pd.DataFrame.from_records(cursor.fetchall(), columns=list(type_codes))
    finally:
        connection.close()
    frame = frame.drop(columns=[column for column in AUDIT_COLUMNS if column in frame])
    for column in frame:
        values, type_code = frame[column], type_codes[column]
        if type_code == 1082:  # date
            frame[column] = pd.to_datetime(values)
        elif type_code in {700, 701, 1700}:  # real, double precision, numeric
            frame[column] = values.astype("float64")
        elif type_code in {20, 21, 23}:  # bigint, smallint, integer
            frame[column] = values.astype("Int64" if values.isna().any() else "int64")
        elif type_code == 16:  # boolean
            frame[column] = values.astype("boolean" if values.isna().any() else "bool")
    frame["split"] = frame["split"].astype(SPLITS)
    return frame


@pytest.mark.parametrize("rows", ["all", "training", "scoring"])
def test_chunked_pull_equals_the_pull_at_once(sample_warehouse: DbtProject, rows: Rows) -> None:
    """Streaming in chunks (many small chunks, three chunks with a short last one, one chunk larger than the
    result) gives the same DataFrame, values and dtypes, as fetching it at once."""
    settings = sample_warehouse.settings
    expected = _fetched_at_once(settings, rows)
    assert len(expected) > 500
    if rows == "all":
        # The label is missing on the last months only: the nullable boolean must survive the chunking.
        assert str(expected["churned"].dtype) == "boolean" and expected["churned"].head(1000).notna().all()
    for chunk_rows in (97, len(expected) // 3 + 1, len(expected) + 1):
        chunked = load_churn_features(rows, settings, chunk_rows=chunk_rows)
        pd.testing.assert_frame_equal(chunked, expected, check_dtype=True, check_exact=True)


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

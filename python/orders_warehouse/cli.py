"""The ``orders-warehouse`` command: run the local warehouse, load exports, generate sample data, churn features."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import psycopg2

from orders_warehouse import erasure, generator, governance, loader, server, spark_server
from orders_warehouse.settings import ConnectionSettings


def _server_command(args: argparse.Namespace) -> int:
    try:
        return _run_server_action(args.action, args.data_dir)
    except server.ServerError as error:
        print(f"warehouse: {error}", file=sys.stderr)
        return 2


def _run_server_action(action: str, data_dir: Path | None) -> int:
    settings = ConnectionSettings.from_env()
    local = server.LocalServer.for_project(port=settings.port, data_dir=data_dir)
    if action == "start":
        local.start()
        local.ensure_database(settings.database)
        print(f"warehouse running: {settings.url()} (data in {local.data_dir})")
    elif action == "stop":
        local.stop()
        print("warehouse stopped (data kept)")
    elif action == "status":
        running = local.is_running()
        print(f"warehouse {'running' if running else 'stopped'}: {settings.url()} (data in {local.data_dir})")
        return 0 if running else 3
    elif action == "destroy":
        local.destroy()
        print(f"warehouse stopped and its data deleted ({local.data_dir})")
    elif action == "info":
        print(connection_help(settings))
    return 0


#: The schemas a PostgreSQL build leaves (dbt_project.yml, snapshots, on-run-start's governance), in layer order.
BUILD_SCHEMAS = ("raw", "staging", "intermediate", "vault", "marts", "ml", "snapshots", "governance")


def connection_help(settings: ConnectionSettings) -> str:
    """How to connect to the warehouse and what to try, printed at the end of ``make build``."""
    # Analysts may use the marts schema only (macros/governance/access_control.sql): the staging query is the
    # build user's, and is labelled so.
    return "\n".join(
        [
            "The warehouse is running. Connect with:",
            f"  psql -h {settings.host} -p {settings.port} -U {settings.user} {settings.database}"
            f"  (or `make psql`; URL {settings.url()})",
            f"Schemas: {', '.join(BUILD_SCHEMAS)}.",
            "Try, as any analyst login (role analyst reads the marts only): net revenue per month, orders per store:",
            "  select month_start_date, round(sum(net_amount), 2) as net_revenue from marts.fct_order_items",
            "  inner join marts.dim_date on order_date = date_day where is_revenue group by 1 order by 1;",
            "  select store_name, count(distinct order_id) as orders from marts.fct_order_items",
            "  inner join marts.dim_stores using (store_key) group by 1 order by 2 desc;",
            f"As {settings.user} (the build user), the quarantined export rows by reason:",
            "  select quarantine_reason, count(*) from staging.stg_orders_export__quarantined_submissions group by 1;",
        ]
    )


def _spark_server_command(args: argparse.Namespace) -> int:
    local = spark_server.SparkThriftServer.for_project()
    try:
        if args.action == "start":
            local.start()
            print(f"spark thrift server running on {spark_server.LISTEN_HOST}:{local.port} (data in {local.base_dir})")
        elif args.action == "stop":
            local.stop()
            print("spark thrift server stopped (data kept)")
        else:
            running = local.is_running()
            state = "running" if running else "stopped"
            print(f"spark thrift server {state}: {spark_server.LISTEN_HOST}:{local.port} (data in {local.base_dir})")
            return 0 if running else 3
    except spark_server.SparkServerError as error:
        print(f"spark: {error}", file=sys.stderr)
        return 2
    return 0


def _load_command(args: argparse.Namespace) -> int:
    files = [Path(p) for p in args.files]
    if args.target == "duckdb":
        from orders_warehouse import duckdb_loader  # imported here: DuckDB takes 0.1 s to import

        outcomes = duckdb_loader.load_files(files)
    elif args.target == "spark":
        from orders_warehouse import spark_loader  # imported here: PyHive is only needed by the spark target

        outcomes = spark_loader.load_files(files)
    else:
        outcomes = loader.load_files(files, ConnectionSettings.from_env())
    refused = [outcome for outcome in outcomes if isinstance(outcome, loader.Refusal)]
    for outcome in outcomes:
        print(outcome.describe(), file=sys.stderr if isinstance(outcome, loader.Refusal) else sys.stdout, flush=True)
    print(loader.summarize(outcomes), flush=True)
    # Non-zero when a file was refused, so that make build stops before dbt builds on a partial batch.
    return 2 if refused else 0


def _generate_command(args: argparse.Namespace) -> int:
    summary = generator.generate_exports(
        out_dir=Path(args.out), orders=args.orders, files=args.files, seed=args.seed, progress=True
    )
    print(summary.describe())
    return 0


def _features_command(args: argparse.Namespace) -> int:
    from orders_warehouse import features  # imported here: pandas is slow to import for the other commands

    try:
        # A CSV file keeps the exact numerics (float64, as before); the summary needs only the compact frame.
        frame = features.load_churn_features(args.rows, dtypes="wide" if args.out else "compact")
    except psycopg2.Error as error:
        print(f"cannot read {features.FEATURE_TABLE} (did `make build` run?): {error}", file=sys.stderr)
        return 2
    if args.out:
        frame.to_csv(args.out, index=False)
        print(f"wrote {len(frame)} {args.rows} rows of {features.FEATURE_TABLE} to {args.out}")
    else:
        print(f"{len(frame)} {args.rows} rows of {features.FEATURE_TABLE}, {frame.shape[1]} columns")
        print(features.split_summary(frame).to_string())
    return 0


def _train_churn_example_command(args: argparse.Namespace) -> int:
    from orders_warehouse import churn_example  # imported here: scikit-learn is slow to import

    try:
        report = churn_example.train_churn_example(Path(args.model_out))
    except (psycopg2.Error, ValueError) as error:
        print(f"cannot train the example churn model: {error}", file=sys.stderr)
        return 2
    print(report.describe())
    return 0


def _bench_command(args: argparse.Namespace) -> int:
    from orders_warehouse import bench  # imported here: psutil is only needed by the benchmark

    try:
        bench.main(orders=args.orders, port=args.port, out=Path(args.out), keep=args.keep, exports_dir=args.exports)
    except (bench.BenchmarkError, server.ServerError) as error:
        print(f"benchmark: {error}", file=sys.stderr)
        return 2
    return 0


def _set_hash_key_command(args: argparse.Namespace) -> int:
    try:
        outcome = governance.set_hash_key(ConnectionSettings.from_env())
    except governance.HashKeyError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 2
    print(f"warning: {outcome.message}" if outcome.is_warning else outcome.message, file=sys.stderr)
    return 0


def _erase_customer_command(args: argparse.Namespace) -> int:
    try:
        report = erasure.erase_customer(ConnectionSettings.from_env(), args.customer_id)
    except erasure.ErasureError as error:
        print(f"erasure refused: {error}", file=sys.stderr)
        return 2
    print(report.describe())
    return 0 if report.rows else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orders-warehouse", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    server_parser = commands.add_parser("server", help="run the project's own local PostgreSQL")
    server_parser.add_argument("action", choices=["start", "stop", "status", "destroy", "info"])
    server_parser.add_argument("--data-dir", type=Path, default=None, help="override the data folder")
    server_parser.set_defaults(handler=_server_command)

    spark_parser = commands.add_parser("spark-server", help="run the project's own local Spark Thrift server")
    spark_parser.add_argument("action", choices=["start", "stop", "status"])
    spark_parser.set_defaults(handler=_spark_server_command)

    load_parser = commands.add_parser("load", help="load export files into the raw schema")
    load_parser.add_argument("files", nargs="+", help="CSV export files following the source contract")
    load_parser.add_argument(
        "--target",
        default=os.environ.get("DBT_TARGET", "dev"),
        help="the profile's target to load into: duckdb (the file $WAREHOUSE_DUCKDB_PATH), spark (the Thrift"
        " server on $WAREHOUSE_SPARK_PORT) or any other"
        " (PostgreSQL, from the WAREHOUSE_* variables); default $DBT_TARGET, else dev",
    )
    load_parser.set_defaults(handler=_load_command)

    generate_parser = commands.add_parser("generate", help="write deterministic sample export files")
    generate_parser.add_argument("--orders", type=int, default=2000, help="number of distinct orders")
    generate_parser.add_argument("--files", type=int, default=3, help="number of export files")
    generate_parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same files)")
    generate_parser.add_argument("--out", default="data/generated", help="output folder")
    generate_parser.set_defaults(handler=_generate_command)

    features_parser = commands.add_parser("features", help="read the churn feature table (ml schema)")
    features_parser.add_argument("--rows", choices=["training", "scoring", "all"], default="training")
    features_parser.add_argument("--out", default=None, help="write the rows to this CSV file (else: a summary)")
    features_parser.set_defaults(handler=_features_command)

    churn_parser = commands.add_parser("train-churn-example", help="train and validate the example churn model")
    churn_parser.add_argument("--model-out", default="reports/churn_model.joblib", help="where to save the model")
    churn_parser.set_defaults(handler=_train_churn_example_command)

    bench_parser = commands.add_parser("bench", help="benchmark load, builds and BI queries on a throwaway server")
    bench_parser.add_argument("--orders", type=int, default=1_000_000, help="orders in the generated exports")
    bench_parser.add_argument("--port", type=int, default=5435, help="port of the throwaway PostgreSQL")
    bench_parser.add_argument("--out", default="reports/benchmark", help="folder of the report")
    bench_parser.add_argument("--keep", action="store_true", help="leave the server and its folder in place")
    bench_parser.add_argument("--exports", type=Path, default=None, help="write (or reuse) the exports here")
    bench_parser.set_defaults(handler=_bench_command)

    key_parser = commands.add_parser("set-hash-key", help="store the personal-data hash key from the environment")
    key_parser.set_defaults(handler=_set_hash_key_command)

    erase_parser = commands.add_parser("erase-customer", help="erase a customer's personal data from every layer")
    erase_parser.add_argument("customer_id", help="the customer's id, as in the export's customer_id column")
    erase_parser.set_defaults(handler=_erase_customer_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())

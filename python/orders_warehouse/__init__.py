"""Tooling around the orders warehouse dbt project.

- ``settings``: connection settings read from the environment (the same variables dbt's profile reads).
- ``server``: the project's own local PostgreSQL (start, stop, status), never one it did not start.
- ``loader``: loads raw export files into the ``raw`` schema with ``COPY``, idempotently.
- ``generator``: a deterministic generator of export files that exercise the whole source contract.
- ``governance``: the key of the personal-data hash, from the environment into the warehouse.
- ``erasure``: erases one customer's personal data from every layer (a data-protection request).
- ``features``: the churn feature table as a pandas DataFrame, for data scientists.
- ``churn_example``: an example churn model (logistic regression) trained on those features.
- ``bench`` and ``bench_report``: ``make bench``, the benchmark and its report.
- ``cli``: the ``orders-warehouse`` command that ties them together.
"""

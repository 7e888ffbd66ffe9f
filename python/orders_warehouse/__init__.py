"""Tooling around the orders warehouse dbt project.

- ``settings``: connection settings read from the environment (the same variables dbt's profile reads).
- ``server``: the project's own local PostgreSQL (start, stop, status), never one it did not start.
- ``loader``: loads raw export files into the ``raw`` schema with ``COPY``, idempotently.
- ``generator``: a deterministic generator of export files that exercise the whole source contract.
- ``cli``: the ``orders-warehouse`` command that ties them together.
"""

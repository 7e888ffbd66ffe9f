"""Connection settings, read from the same environment variables as ``profiles.example.yml``, and ``one_row``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5433
DEFAULT_USER = "postgres"
DEFAULT_DATABASE = "warehouse"


@dataclass(frozen=True)
class ConnectionSettings:
    """Where the warehouse is and who connects to it."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    user: str = DEFAULT_USER
    password: str = ""
    database: str = DEFAULT_DATABASE

    @classmethod
    def from_env(cls) -> ConnectionSettings:
        """Read WAREHOUSE_HOST, WAREHOUSE_PORT, WAREHOUSE_USER, WAREHOUSE_PASSWORD and WAREHOUSE_DB."""
        return cls(
            host=os.environ.get("WAREHOUSE_HOST", DEFAULT_HOST),
            port=int(os.environ.get("WAREHOUSE_PORT", DEFAULT_PORT)),
            user=os.environ.get("WAREHOUSE_USER", DEFAULT_USER),
            password=os.environ.get("WAREHOUSE_PASSWORD", ""),
            database=os.environ.get("WAREHOUSE_DB", DEFAULT_DATABASE),
        )

    def dsn(self, database: str | None = None) -> str:
        """A libpq connection string (for psycopg2.connect)."""
        parts = [
            f"host={self.host}",
            f"port={self.port}",
            f"user={self.user}",
            f"dbname={database or self.database}",
        ]
        if self.password:
            parts.append(f"password={self.password}")
        return " ".join(parts)

    def url(self) -> str:
        """A postgresql:// URL, for tools such as psql or SQLAlchemy."""
        auth = self.user if not self.password else f"{self.user}:***"
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.database}"


class _Cursor(Protocol):
    def fetchone(self) -> tuple[Any, ...] | None: ...


def one_row(cursor: _Cursor) -> tuple[Any, ...]:
    """The row of a query that always returns one (``select count(*)``, ``to_regclass``): psycopg2 and DuckDB
    type ``fetchone()`` as optional."""
    row = cursor.fetchone()
    if row is None:
        raise LookupError("the query returned no row")
    return row

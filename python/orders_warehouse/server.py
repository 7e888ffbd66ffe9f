"""The project's own local PostgreSQL: initialise, start, stop and destroy it.

The server keeps its data in a folder of its own (by default ``<project root>/.warehouse/pgdata``), listens on
TCP ``127.0.0.1:<port>`` only (no Unix socket) and trusts local connections as user ``postgres``. It never
touches a PostgreSQL it did not start: every ``pg_ctl`` call names this server's own data folder, and
``start`` refuses to run when something else already listens on the port.

PostgreSQL refuses to run as root. When this code runs as root, every server command runs as the
``postgres`` system user (``runuser -u postgres``), and the data folder must be a place that user can enter;
when the project folder is not, the data goes to ``/var/tmp/orders-warehouse-<hash of the project path>``.
"""

from __future__ import annotations

import hashlib
import locale
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from psycopg2 import sql

SERVER_PACKAGE = "postgresql-15"
SERVER_USER = "postgres"
LISTEN_HOST = "127.0.0.1"
PORT_VARIABLE = "WAREHOUSE_PORT"
REQUIRED_BINARIES = ("pg_ctl", "initdb", "postgres")
FAST_OPTIONS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
#: Given on every start. jit off: PostgreSQL compiles a query's expressions when the plan's estimated cost is
#: high, and an incremental build's plans are estimated over whole tables (the branches that would read the full
#: history) while they process a few thousand rows: the compiling cost seconds per model and test, for nothing.
#: Measured at 1,000,000 orders on the same warehouse, twice in a row: an incremental build with nothing new took
#: 109 s with JIT and 54 s without. The price: the full build's CPU-bound queries over millions of rows lose what
#: JIT gains them (the benchmark's full build 557 s -> 660 s with this round's other changes, not isolated; see
#: docs/performance.md). A daily build is common and a build of the whole history rare.
SERVER_OPTIONS = ("jit=off",)
CONNECT_WAIT_SECONDS = 60.0


class ServerError(RuntimeError):
    """The local server could not be found, set up, started or stopped."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _is_root() -> bool:
    return os.geteuid() == 0


# --------------------------------------------------------------------------- binaries


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name)) or (0,)


def _has_binaries(bin_dir: Path) -> bool:
    return all(os.access(bin_dir / name, os.X_OK) for name in REQUIRED_BINARIES)


def _search_binaries() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    for bin_dir in candidates:
        if _has_binaries(bin_dir):
            return bin_dir
    on_path = shutil.which("pg_ctl")
    if on_path and _has_binaries(Path(on_path).resolve().parent):
        return Path(on_path).resolve().parent
    return None


def _install_server_package() -> None:
    _say(f"PostgreSQL server binaries not found: installing {SERVER_PACKAGE} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt_commands = (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", SERVER_PACKAGE],
    )
    for command in apt_commands:
        if subprocess.run(command, env=env, stdout=2, check=False).returncode != 0:
            raise ServerError(f"`{' '.join(command)}` failed; install {SERVER_PACKAGE} by hand")


def find_server_binaries() -> Path:
    """The folder holding ``pg_ctl``, ``initdb`` and ``postgres`` (installing them as root if missing)."""
    found = _search_binaries()
    if found is None and _is_root() and shutil.which("apt-get"):
        _install_server_package()
        found = _search_binaries()
    if found is None:
        raise ServerError(
            "PostgreSQL server binaries (pg_ctl, initdb, postgres) not found. Install them, e.g. "
            f"`sudo apt-get install --no-install-recommends {SERVER_PACKAGE}`, or put their folder on PATH."
        )
    return found


# --------------------------------------------------------------------------- project location


def project_root(start: Path | None = None) -> Path:
    """The folder holding ``dbt_project.yml``, found by walking up from this file (or ``start``)."""
    begin = (start or Path(__file__)).resolve()
    for folder in (begin, *begin.parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    raise ServerError(f"no dbt_project.yml above {begin}: cannot tell where the project is (use --data-dir)")


def _fallback_root(root: Path) -> Path:
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:12]
    return Path("/var/tmp") / f"orders-warehouse-{digest}"


def _server_user_can_enter(folder: Path) -> bool:
    """Whether the ``postgres`` user can reach ``folder`` (search permission on it and every parent)."""
    command = ["runuser", "-u", SERVER_USER, "--", "test", "-x", str(folder)]
    return subprocess.run(command, cwd="/", capture_output=True, check=False).returncode == 0


def _ensure_server_user() -> None:
    if subprocess.run(["id", "-u", SERVER_USER], capture_output=True, check=False).returncode == 0:
        return
    _say(f"creating the system user {SERVER_USER!r} to run PostgreSQL")
    subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", SERVER_USER], check=True)


def _deepest_existing(folder: Path) -> Path:
    while not folder.exists():
        folder = folder.parent
    return folder


# --------------------------------------------------------------------------- the server


@dataclass
class LocalServer:
    """One PostgreSQL cluster in ``data_dir``, listening on ``127.0.0.1:port``.

    ``fast=True`` turns off durability (fsync, synchronous commit, full page writes): for throwaway test
    servers only.
    """

    data_dir: Path
    port: int
    fast: bool = False
    _owned_root: Path | None = field(default=None, repr=False)
    _bin_dir: Path | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).absolute()

    @classmethod
    def for_project(cls, port: int, data_dir: Path | None = None, *, root: Path | None = None) -> LocalServer:
        """The project's warehouse server: ``<project root>/.warehouse/pgdata`` unless ``data_dir`` is given.

        As root, when the ``postgres`` user cannot enter the project folder, the data goes to
        ``/var/tmp/orders-warehouse-<hash of the project path>/pgdata`` (the same folder every time).
        """
        if data_dir is not None:
            return cls(data_dir=Path(data_dir), port=port)
        project = (root or project_root()).resolve()
        local = project / ".warehouse" / "pgdata"
        if _is_root() and not _server_user_can_enter(_deepest_existing(local.parent)):
            fallback = _fallback_root(project)
            return cls(data_dir=fallback / "pgdata", port=port, _owned_root=fallback)
        return cls(data_dir=local, port=port)

    # ----------------------------------------------------------------- state

    @property
    def log_file(self) -> Path:
        """The server log, beside the data folder."""
        return self.data_dir.with_name(self.data_dir.name + ".log")

    def has_cluster(self) -> bool:
        """Whether ``data_dir`` already holds an initialised cluster."""
        return (self.data_dir / "PG_VERSION").is_file()

    def is_running(self) -> bool:
        """Whether the server of this data folder is running."""
        if not self.has_cluster():
            return False
        return self._pg_ctl("status", check=False).returncode == 0

    def running_port(self) -> int | None:
        """The port the running server of this data folder listens on (from ``postmaster.pid``)."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return None
        return int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None

    # ----------------------------------------------------------------- actions

    def start(self) -> bool:
        """Start the server (initialising the data folder first if empty); False if it was running."""
        if self.is_running():
            self._check_running_port()
            return False
        self._refuse_busy_port()
        if not self.has_cluster():
            self._initialise()
        self._prepare_log()
        _say(f"starting PostgreSQL on {LISTEN_HOST}:{self.port} (data in {self.data_dir})")
        result = self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log_file), "-o", self._options())
        if result.returncode != 0:
            raise ServerError(f"PostgreSQL did not start:\n{result.stderr.strip()}\n{self._log_tail()}")
        self._wait_for_connection()
        return True

    def stop(self, mode: str = "fast") -> bool:
        """Stop the server if it is running (the data stays); False if it was not running.

        ``mode`` is pg_ctl's shutdown mode: ``fast`` (the default) or ``immediate``, which stops without a
        checkpoint, like a crash (the next start recovers from the write-ahead log).
        """
        if not self.is_running():
            return False
        _say(f"stopping PostgreSQL (data in {self.data_dir})")
        result = self._pg_ctl("stop", "-w", "-m", mode, check=False)
        if result.returncode != 0:
            raise ServerError(f"PostgreSQL did not stop:\n{result.stderr.strip()}")
        return True

    def destroy(self) -> None:
        """Stop the server and delete its data folder and log."""
        self.stop()
        _say(f"deleting {self._owned_root or self.data_dir}")
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.log_file.unlink(missing_ok=True)
        if self._owned_root is not None:
            shutil.rmtree(self._owned_root, ignore_errors=True)

    def connect(self, database: str = "postgres") -> psycopg2.extensions.connection:
        """A new connection to ``database`` as user ``postgres`` over TCP."""
        return psycopg2.connect(host=LISTEN_HOST, port=self.port, user=SERVER_USER, dbname=database, connect_timeout=5)

    def ensure_database(self, name: str) -> bool:
        """Create database ``name`` if it does not exist; True if it was created."""
        connection = self.connect()
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("select 1 from pg_database where datname = %s", (name,))
                if cursor.fetchone():
                    return False
                cursor.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
                return True
        finally:
            connection.close()

    # ----------------------------------------------------------------- helpers

    def _binary(self, name: str) -> str:
        if self._bin_dir is None:
            self._bin_dir = find_server_binaries()
        return str(self._bin_dir / name)

    def _run(self, command: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a server command, as the ``postgres`` user when we are root."""
        if _is_root():
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, cwd="/", capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise ServerError(f"`{' '.join(command)}` failed:\n{result.stderr.strip()}")
        return result

    def _pg_ctl(self, action: str, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return self._run([self._binary("pg_ctl"), action, "-D", str(self.data_dir), *args], check=check)

    def _chown_to_server_user(self, path: Path) -> None:
        if _is_root():
            account = pwd.getpwnam(SERVER_USER)
            os.chown(path, account.pw_uid, account.pw_gid)

    def _make_folders(self) -> None:
        """Create the data folder (owned by the server user) and the folders above it."""
        if _is_root():
            _ensure_server_user()
        for folder in reversed([self.data_dir.parent, *self.data_dir.parent.parents]):
            if not folder.exists():
                folder.mkdir()
                folder.chmod(0o755)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        self._chown_to_server_user(self.data_dir)
        if _is_root() and not _server_user_can_enter(self.data_dir):
            raise ServerError(f"the {SERVER_USER} user cannot enter {self.data_dir}: choose a data folder it can reach")

    def _initialise(self) -> None:
        _say(f"initialising a new warehouse in {self.data_dir}")
        self._make_folders()
        self._run(
            [
                self._binary("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SERVER_USER,
                "--auth=trust",
                "-E",
                "UTF8",
                f"--locale={_initdb_locale()}",
            ]
        )
        settings = f"listen_addresses = '{LISTEN_HOST}'\nunix_socket_directories = ''\n"
        with (self.data_dir / "postgresql.auto.conf").open("a") as conf:
            conf.write("# written by orders-warehouse when the cluster was created\n" + settings)

    def _options(self) -> str:
        """Server options given on every start: the port, SERVER_OPTIONS, and the durability switches of ``fast``."""
        options = [f"-p {self.port}"] + [f"-c {option}" for option in SERVER_OPTIONS]
        if self.fast:
            options += [f"-c {option}" for option in FAST_OPTIONS]
        return " ".join(options)

    def _prepare_log(self) -> None:
        self.log_file.touch(exist_ok=True)
        self._chown_to_server_user(self.log_file)

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def _refuse_busy_port(self) -> None:
        if _port_in_use(self.port):
            raise ServerError(
                f"port {self.port} on {LISTEN_HOST} is already in use by another program; this warehouse "
                f"will not touch it. Stop that program or choose another port with {PORT_VARIABLE}=<port>."
            )

    def _check_running_port(self) -> None:
        running = self.running_port()
        if running is not None and running != self.port:
            raise ServerError(
                f"the warehouse in {self.data_dir} is already running on port {running}, not {self.port} "
                f"({PORT_VARIABLE}); stop it first"
            )

    def _wait_for_connection(self) -> None:
        deadline = time.monotonic() + CONNECT_WAIT_SECONDS
        while True:
            try:
                self.connect().close()
                return
            except psycopg2.OperationalError as error:
                if time.monotonic() > deadline:
                    raise ServerError(f"PostgreSQL started but refuses connections: {error}") from error
                time.sleep(0.2)


def _port_in_use(port: int) -> bool:
    try:
        with socket.create_connection((LISTEN_HOST, port), timeout=1):
            return True
    except OSError:
        return False


def _initdb_locale() -> str:
    """``C.UTF-8`` where the system has it, else ``C``."""
    current = locale.setlocale(locale.LC_CTYPE)
    try:
        locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
        return "C.UTF-8"
    except locale.Error:
        return "C"
    finally:
        locale.setlocale(locale.LC_CTYPE, current)

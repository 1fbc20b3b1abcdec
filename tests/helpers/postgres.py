"""A throwaway PostgreSQL server for the test suite, from Debian's `postgresql` binaries.

`make test` runs the suite a second time with FASTPATH_TEST_DATABASE=postgresql when the
binaries are installed (`python -m tests.helpers.postgres` says whether they are).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


def _as_postgres_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; Debian's package makes a `postgres` user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    bindir: Path
    datadir: Path
    port: int

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def ensure_database(self, name: str) -> str:
        """Create the database unless it exists; return its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if exists.fetchone() is None:
                connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            _as_postgres_user(
                [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"]
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start_server() -> PostgresServer:
    """initdb a fresh cluster in a temporary folder and start it on 127.0.0.1."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL binaries not found under /usr/lib/postgresql")
    base = Path(tempfile.mkdtemp(prefix="fastpath-pg-"))
    datadir = base / "data"
    datadir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(datadir, "postgres")
    subprocess.run(
        _as_postgres_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    # Durability settings off: a throwaway test server, not a database anyone keeps.
    options = (
        f"-h 127.0.0.1 -p {port} -k {base} -F "
        "-c max_connections=200 -c fsync=off -c synchronous_commit=off"
    )
    subprocess.run(
        _as_postgres_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(datadir),
                "-o",
                options,
                "-w",
                "-l",
                str(base / "log"),
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    return PostgresServer(bindir, datadir, port)


if __name__ == "__main__":
    # Exit 0 when a PostgreSQL server can be started here, 1 otherwise (used by the Makefile).
    sys.exit(0 if find_bindir() is not None else 1)

"""Start-up refusals stop the server: one clear line and a non-zero exit, never a restart loop.

gunicorn restarts a worker that exits with an ordinary error status; app.py exits with
gunicorn's "worker failed to boot" status, so the arbiter stops too.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fastpath.config import ROOT_DIR
from tests.conftest import free_port
from tests.helpers.servers import BIN

SERVERS = {
    "plain": ["gunicorn", "app:app"],
    "production settings": ["gunicorn", "-c", "python:fastpath.gunicorn_conf", "app:app"],
}


def _environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FASTPATH_")}
    port = free_port()
    env.update(
        {
            "FASTPATH_INSTANCE_PATH": str(tmp_path / "instance"),
            "FASTPATH_GUNICORN_BIND": f"127.0.0.1:{port}",
            "FASTPATH_GUNICORN_WORKERS": "3",
            "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
            "FASTPATH_SECRET_KEY": "a-long-random-test-value",
            **settings,
        }
    )
    return {key: value for key, value in env.items() if value}  # "" leaves a setting unset


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / command[0]), *command[1:]]
    # A restart loop would never end on its own: the timeout turns it into a failure.
    return subprocess.run(
        command, cwd=ROOT_DIR, env=env, capture_output=True, text=True, timeout=20
    )


def _refusals(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("fastpath cannot start: ")]


@pytest.mark.parametrize("server", SERVERS)
def test_gunicorn_without_secret_key_stops_with_the_reason(tmp_path: Path, server: str) -> None:
    result = _run(SERVERS[server], _environment(tmp_path, FASTPATH_SECRET_KEY=""))

    assert result.returncode == 3
    [refusal] = _refusals(result.stderr)  # once, not once per worker
    assert refusal.startswith("fastpath cannot start: No SECRET_KEY is set.")
    assert "Traceback" not in result.stderr
    assert result.stderr.count("Booting worker") <= 1  # none was started again


@pytest.mark.parametrize("server", SERVERS)
def test_gunicorn_with_bad_content_stops_with_the_reason(tmp_path: Path, server: str) -> None:
    missing = tmp_path / "no-such-content"
    result = _run(SERVERS[server], _environment(tmp_path, FASTPATH_CONTENT_DIR=str(missing)))

    assert result.returncode == 3
    [refusal] = _refusals(result.stderr)
    assert str(missing) in refusal
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("server", SERVERS)
def test_gunicorn_with_unreachable_database_stops_with_the_reason(
    tmp_path: Path, server: str
) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'fastpath.sqlite3'}"
    result = _run(SERVERS[server], _environment(tmp_path, FASTPATH_SQLALCHEMY_DATABASE_URI=url))

    assert result.returncode == 3
    assert _refusals(result.stderr) == [
        f"fastpath cannot start: The database {url} cannot be reached (unable to open database "
        "file). Check FASTPATH_SQLALCHEMY_DATABASE_URI and that the database server is running."
    ]
    assert "Traceback" not in result.stderr


def test_flask_command_with_unreachable_postgresql_prints_the_reason(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://fastpath:secret@127.0.0.1:{free_port()}/fastpath"
    env = _environment(tmp_path, FASTPATH_SQLALCHEMY_DATABASE_URI=url)

    result = _run(["flask", "--app", "app", "routes"], env)

    assert result.returncode != 0
    [refusal] = _refusals(result.stderr)
    assert refusal.startswith("fastpath cannot start: The database postgresql+psycopg://")
    assert "fastpath:***@127.0.0.1" in refusal and "secret" not in refusal
    assert "Connection refused" in refusal


def test_flask_command_without_secret_key_prints_the_reason(tmp_path: Path) -> None:
    env = _environment(tmp_path, FASTPATH_SECRET_KEY="")

    result = _run(["flask", "--app", "app", "routes"], env)

    assert result.returncode != 0
    [refusal] = _refusals(result.stderr)
    assert refusal.startswith("fastpath cannot start: No SECRET_KEY is set.")

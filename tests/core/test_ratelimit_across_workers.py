"""Rate limits hold for the whole site, not per gunicorn worker (the default SQLite storage),
and a Redis storage works when one is configured."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SmtpServer, free_port, make_app
from tests.helpers.faults import DATABASE_REASON, assert_unavailable, fill, release_database, tmpfs
from tests.helpers.forms import post, registration_fields
from tests.helpers.servers import (
    GUNICORN,
    gunicorn_environment,
    start_process,
    stop_process,
    wait_until_up,
)

WORKERS = 3


def _post(url: str, fields: dict[str, str]) -> int:
    body = urllib.parse.urlencode(fields).encode()
    try:  # a new connection each time: the kernel spreads them over the workers
        with urllib.request.urlopen(url, data=body, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _serve(
    tmp_path: Path, smtp: SmtpServer, **settings: str
) -> tuple[str, subprocess.Popen[bytes]]:
    app = make_app(tmp_path)
    port = free_port()
    env = gunicorn_environment(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"], port, smtp)
    env.update(
        {
            "FASTPATH_RATELIMIT_ENABLED": "true",
            "FASTPATH_GUNICORN_WORKERS": str(WORKERS),
            "FASTPATH_MAIL_BACKGROUND_SENDER": "false",
            **settings,
        }
    )
    server = start_process(GUNICORN, env, tmp_path / "gunicorn.log")
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/healthz", server)
    return url, server


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while True:
        assert process.poll() is None and time.monotonic() < deadline, "redis did not start"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)


def _statuses(url: str, path: str, count: int, fields: dict[str, str]) -> list[int]:
    return [_post(f"{url}{path}", fields) for _ in range(count)]


def test_sign_in_and_form_limits_hold_across_workers(tmp_path: Path, smtp: SmtpServer) -> None:
    settings = {"FASTPATH_ORGANIZER_SIGN_IN_LIMIT": "5 per minute"}
    settings["FASTPATH_RATELIMIT_FORM_POSTS"] = "4 per hour"
    url, server = _serve(tmp_path, smtp, **settings)
    try:
        guess = {"email": "guess@example.org", "password": "not-the-password"}
        sign_ins = _statuses(url, "/organizer/login", 20, guess)
        posts = _statuses(url, "/register", 12, {"name": "", "email": ""})
    finally:
        stop_process(server)

    assert sign_ins == [422] * 5 + [429] * 15
    # Refused without the form's nonce (422), but each post counts towards the limit.
    assert posts == [422] * 4 + [429] * 8
    assert (tmp_path / "instance" / "ratelimits.sqlite3").is_file()


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")
def test_redis_storage_limits_across_workers(tmp_path: Path, smtp: SmtpServer) -> None:
    pytest.importorskip("redis", reason="the 'redis' extra is not installed")
    port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, redis)
        storage = f"redis://127.0.0.1:{port}/0"
        settings = {"FASTPATH_ORGANIZER_SIGN_IN_LIMIT": "5 per minute"}
        url, server = _serve(tmp_path, smtp, FASTPATH_RATELIMIT_STORAGE_URI=storage, **settings)
        try:
            guess = {"email": "guess@example.org", "password": "not-the-password"}
            sign_ins = _statuses(url, "/organizer/login", 12, guess)
        finally:
            stop_process(server)
    finally:
        redis.terminate()
        redis.wait(timeout=10)

    assert sign_ins == [422] * 5 + [429] * 7
    assert not (tmp_path / "instance" / "ratelimits.sqlite3").exists()


@pytest.mark.sqlite_only
def test_full_instance_disk_with_limits_on_answers_503_not_500(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    releases: list = []
    with tmpfs(instance, "8m", before_unmount=releases):
        app = make_app(tmp_path, RATELIMIT_ENABLED=True)
        releases.append(lambda: release_database(app))
        filler = fill(instance)  # the rate-limit counters cannot be written either

        refused = post(app.test_client(), "/register", registration_fields())

        filler.unlink()
    # The counter's failure is logged and let pass; the registration's own write says why.
    assert_unavailable(refused, DATABASE_REASON)

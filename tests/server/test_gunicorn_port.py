"""A second gunicorn on a port where one already listens refuses to start, unless sharing the
port is asked for (SO_REUSEPORT would otherwise hand it a share of the connections)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import SmtpServer, free_port, make_app
from tests.helpers.forms import latest_token, post, registration_fields
from tests.helpers.servers import (
    GUNICORN,
    gunicorn_environment,
    start_process,
    stop_process,
    wait_until_up,
)


def _status(url: str) -> int:
    try:  # a new connection each time, as new visitors make
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _site(folder: Path, port: int, smtp: SmtpServer, **settings: str) -> dict[str, str]:
    app = make_app(folder)
    env = gunicorn_environment(folder, app.config["SQLALCHEMY_DATABASE_URI"], port, smtp)
    return {**env, "FASTPATH_GUNICORN_WORKERS": "2", **settings}


def test_second_server_on_a_taken_port_refuses_to_start(tmp_path: Path, smtp: SmtpServer) -> None:
    port = free_port()
    first_app = make_app(tmp_path / "first")
    assert post(first_app.test_client(), "/register", registration_fields()).status_code == 303
    link = f"http://127.0.0.1:{port}/registration/{latest_token(first_app, 'registration')}"
    first = start_process(GUNICORN, _site(tmp_path / "first", port, smtp), tmp_path / "first.log")
    try:
        wait_until_up(link, first)
        second = start_process(
            GUNICORN, _site(tmp_path / "second", port, smtp), tmp_path / "second.log"
        )
        try:
            second.wait(timeout=20)
        finally:
            stop_process(second)
        answers = [_status(link) for _ in range(40)]
    finally:
        stop_process(first)

    assert second.returncode == 1
    log = (tmp_path / "second.log").read_text()
    assert f"fastpath cannot start: another server already listens on 127.0.0.1:{port}." in log
    assert "Booting worker" not in log
    assert answers == [200] * 40  # every visitor reached the site that holds the link


def test_second_server_shares_the_port_when_asked(tmp_path: Path, smtp: SmtpServer) -> None:
    port = free_port()
    first_app = make_app(tmp_path / "first")
    assert post(first_app.test_client(), "/register", registration_fields()).status_code == 303
    link = f"http://127.0.0.1:{port}/registration/{latest_token(first_app, 'registration')}"
    first = start_process(GUNICORN, _site(tmp_path / "first", port, smtp), tmp_path / "first.log")
    try:
        wait_until_up(link, first)
        shared = _site(tmp_path / "second", port, smtp, FASTPATH_GUNICORN_SHARE_PORT="true")
        second = start_process(GUNICORN, shared, tmp_path / "second.log")
        try:
            deadline = time.monotonic() + 30
            # The second site has no such registration: its 404 shows it took a share.
            while _status(link) != 404:
                assert second.poll() is None, "the second server stopped"
                assert time.monotonic() < deadline, "the second server never answered"
        finally:
            stop_process(second)
    finally:
        stop_process(first)

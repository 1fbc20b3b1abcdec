"""Server helpers: gunicorn or flask commands started and stopped the way a deployment runs
them (the multi-process, port, rate-limit, fault and start-up tests), and many browsers
posting to a live server at the same moment."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Hashable
from pathlib import Path

from fastpath.config import ROOT_DIR
from tests.conftest import DEMO_NOW, SmtpServer
from tests.helpers.editions import edition_with_capacity

BIN = Path(sys.executable).parent
GUNICORN = [str(BIN / "gunicorn"), "-c", "python:fastpath.gunicorn_conf", "app:app"]
CAPACITY = 10
WORKERS = 2


def gunicorn_environment(tmp_path: Path, database_url: str, port: int, smtp: SmtpServer) -> dict:
    """The environment of a gunicorn serving an edition with CAPACITY places on `port`."""
    return {
        **os.environ,
        "FASTPATH_SECRET_KEY": secrets.token_hex(32),
        "FASTPATH_INSTANCE_PATH": str(tmp_path / "instance"),
        "FASTPATH_SQLALCHEMY_DATABASE_URI": database_url,
        "FASTPATH_CONTENT_DIR": str(edition_with_capacity(tmp_path, CAPACITY, name="content")),
        "FASTPATH_NOW": DEMO_NOW,
        "FASTPATH_RATELIMIT_ENABLED": "false",
        "FASTPATH_REGISTRATION_CONFIRM_ADDRESS": "false",  # places at once: the race under test
        "FASTPATH_WTF_CSRF_ENABLED": "false",
        "FASTPATH_MAIL_SERVER": smtp.host,
        "FASTPATH_MAIL_PORT": str(smtp.port),
        "FASTPATH_MAIL_SENDER_INTERVAL_SECONDS": "0.5",
        "FASTPATH_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "FASTPATH_GUNICORN_BIND": f"127.0.0.1:{port}",
        "FASTPATH_GUNICORN_WORKERS": str(WORKERS),
        "FASTPATH_GUNICORN_ACCESSLOG": "",
    }


def start_process(command: list[str], env: dict, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            command, cwd=ROOT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited while starting"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer {url} within {timeout} s")


def _register_when_everyone_does(
    url: str, name: str, email: str, barrier: threading.Barrier
) -> tuple[int, str, str]:
    # Each person is their own browser: own cookies, own copy of the form.
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with browser.open(f"{url}/register", timeout=30) as response:
        form = response.read().decode()
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode(
        {
            "name": name,
            "email": email,
            "affiliation": "Concurrency Lab",
            "position": "industry",
            "consent": "y",
            "nonce": nonce,
        }
    ).encode()
    barrier.wait()  # everyone posts at the same moment
    with browser.open(f"{url}/register", data=body, timeout=60) as response:
        return (response.status, response.url, response.read().decode())


def register_all_at_once(
    url: str, people: dict[Hashable, tuple[str, str]]
) -> tuple[dict[Hashable, tuple[int, str, str]], list[BaseException]]:
    """Each person (key: name and address) posts the registration form of the server at `url`
    at the same moment, from a thread of their own; the status, final URL and page each one
    got back, and the errors the threads met."""
    barrier = threading.Barrier(len(people), timeout=30)
    pages: dict[Hashable, tuple[int, str, str]] = {}
    errors: list[BaseException] = []

    def person(key: Hashable, name: str, email: str) -> None:
        try:
            pages[key] = _register_when_everyone_does(url, name, email, barrier)
        except BaseException as error:  # noqa: BLE001 (the caller asserts there are none)
            errors.append(error)

    threads = [threading.Thread(target=person, args=(key, *who)) for key, who in people.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return pages, errors

"""`make bench`: how the site holds up when everyone submits at once.

Serves the app with gunicorn on 127.0.0.1 (the same settings for every case) and drives it
with wrk (Debian's package): wrk is written in C and uses a fraction of a core at these
rates, so the server, not the load tool, is what gets measured on this 2-core machine.
Every case is compared with a baseline measured in the same run: a bare Flask view
returning a short string, on the same server.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LUA = HERE / "lua"
PYTHON_BIN = Path(sys.executable).parent

CONNECTIONS = 16
THREADS = 2
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
DEMO_NOW = "2020-01-20T12:00:00+00:00"


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    successes: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not come up at {url}")


class Server:
    """gunicorn serving the benchmark app on a fresh SQLite instance folder."""

    def __init__(self, instance: Path, mail_port: int) -> None:
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "FASTPATH_SECRET_KEY": secrets.token_hex(32),
            "FASTPATH_INSTANCE_PATH": str(instance),
            "FASTPATH_NOW": DEMO_NOW,
            "FASTPATH_RATELIMIT_ENABLED": "false",
            "FASTPATH_MAIL_SERVER": "127.0.0.1",
            "FASTPATH_MAIL_PORT": str(mail_port),
            "FASTPATH_PUBLIC_BASE_URL": self.url,
            "FASTPATH_GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "FASTPATH_GUNICORN_WORKERS": "2",
            "FASTPATH_GUNICORN_THREADS": "4",
            "FASTPATH_GUNICORN_ACCESSLOG": "",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def migrate(self) -> None:
        subprocess.run(
            [str(PYTHON_BIN / "flask"), "--app", "app", "db", "upgrade"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(PYTHON_BIN / "gunicorn"),
                "-c",
                "python:fastpath.gunicorn_conf",
                "tests.benchmarks.wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_until_up(self.url + "/_bench/baseline")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.instance / "fastpath.sqlite3", timeout=30)


def wrk(
    name: str, url: str, script: str = "report.lua", env: dict | None = None, seconds: int = 0
) -> Result:
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds or SECONDS}s",
        "--latency",
        "-s",
        str(LUA / script),
        url,
    ]
    out = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
        cwd=LUA,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    data = json.loads(line[len("BENCH ") :])
    return Result(
        name,
        data["requests"],
        data["seconds"],
        data["p50_ms"],
        data["p99_ms"],
        data["errors"],
        data["successes"],
    )


class MailSink:
    """A real SMTP server (aiosmtpd) that counts what it receives; can be made slow."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.delay_seconds = 0.0
        self.received = 0
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.port = self.controller.port

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        import asyncio

        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        self.received += 1
        return "250 OK"

    def stop(self) -> None:
        self.controller.stop()


def print_table(baseline: Result, results: list[Result]) -> None:
    print(f"\n{'case':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'× base':>7}")
    for r in [baseline, *results]:
        ratio = r.rps / baseline.rps if baseline.rps else 0
        print(
            f"{r.name:<34} {r.rps:>8.0f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.errors:>7}"
            f" {ratio:>7.2f}"
        )


def run(tmp: Path) -> bool:
    """Every case against one server; returns whether every target was met."""
    sink = MailSink()
    server = Server(tmp / "instance", sink.port)
    checks: list[tuple[str, bool]] = []
    try:
        server.migrate()
        server.start()
        wrk("warm-up", server.url + "/", seconds=2)
        baseline = wrk("baseline: bare Flask view", server.url + "/_bench/baseline")
        results = []
        for path, name in [
            ("/", "home"),
            ("/call-for-papers", "call for papers"),
            ("/program", "program"),
        ]:
            result = wrk(f"GET {name}", server.url + path)
            results.append(result)
            checks.append((f"{name}: ≥ 0.8× baseline req/s", result.rps >= 0.8 * baseline.rps))
            checks.append((f"{name}: zero errors", result.errors == 0))
        from tests.benchmarks.writes import write_cases

        checks += write_cases(server, sink, baseline, results, wrk)
        print_table(baseline, results)
    finally:
        server.stop()
        sink.stop()
    print()
    for label, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    return all(ok for _, ok in checks)


def main() -> int:
    if shutil.which("wrk") is None:
        print("make bench needs wrk: apt-get install wrk")
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fastpath-bench-") as tmp:
        ok = run(Path(tmp))
    print(f"\nwhole run: {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

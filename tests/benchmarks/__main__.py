"""`make bench`: how the site holds up when everyone submits at once.

Serves the app with gunicorn on 127.0.0.1 (the same settings for every case) and drives it
with wrk (Debian's package): wrk is written in C and uses a fraction of a core at these
rates, so the server, not the load tool, is what gets measured on this 2-core machine.
Every case is compared with a baseline measured in the same run: a bare Flask view
returning a short string, on the same server. The form cases (registration, submission) are
in writes.py, which says how their figures are taken. BENCH_SECONDS sets each case's length
(default 8); the whole run must stay under 3 minutes. Last, in one process without the
server, the section "hot-path tricks: plain vs kept" (tricks.py) measures each trick on the
hot path against its plain version.
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
from typing import BinaryIO

from tests.benchmarks.tricks import run_tricks

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LUA = HERE / "lua"
PYTHON_BIN = Path(sys.executable).parent

CONNECTIONS = 16
THREADS = 2
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
DEMO_NOW = "2020-01-20T12:00:00+00:00"
MAX_RUN_SECONDS = 180
# What a server log line that reports a failure contains.
LOG_ALARMS = ("Traceback", "[ERROR]", "[CRITICAL]", "WORKER TIMEOUT", "locked")


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    successes: int
    unanswered: int = 0  # POSTs on their way when the run stopped (their answers not counted)
    cpu_ms: float = 0.0  # the server's CPU time per counted request (all its work included)

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
        self.log = instance.parent / "gunicorn.log"
        self._log_file: BinaryIO | None = None

    def migrate(self) -> None:
        subprocess.run(
            [str(PYTHON_BIN / "flask"), "--app", "app", "db", "upgrade"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self._log_file = self.log.open("wb")
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
            # A file, not a pipe nobody reads: a full pipe would block the server's logging.
            stderr=self._log_file,
        )
        try:
            wait_until_up(self.url + "/_bench/baseline")
        except SystemExit:
            self._log_file.flush()
            print(self.log.read_text(errors="replace")[-3000:])
            raise

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self._log_file is not None:
            self._log_file.close()

    def logged_errors(self) -> list[str]:
        """Lines of the server's log that tell of a failure (tracebacks, errors, timeouts)."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(errors="replace").splitlines()
        return [line for line in lines if any(m in line for m in LOG_ALARMS)]

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.instance / "fastpath.sqlite3", timeout=30)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the worker processes have used so far, from /proc."""
        assert self.process is not None
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            if int(fields[1]) == self.process.pid:  # a child of gunicorn's master
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")


def wrk(
    name: str,
    url: str,
    script: str = "report.lua",
    env: dict | None = None,
    seconds: int = 0,
    *,
    timed: bool = False,
    server: Server | None = None,
) -> Result:
    """Run wrk once. `timed`: the row shows the requests the script timed itself (the form
    POSTs), not every request wrk made (which includes the GETs that fetch the forms); such
    a script needs one connection per wrk thread, so its requests come strictly in turn.
    With `server`, the row also gets the server's CPU time per counted request."""
    cpu_before = server.cpu_seconds() if server else 0.0
    command = [
        "wrk",
        f"-t{CONNECTIONS if timed else THREADS}",
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
    prefix = "timed_" if timed else ""
    requests = data[f"{prefix}requests"]
    cpu = server.cpu_seconds() - cpu_before if server else 0.0
    return Result(
        name,
        requests,
        data["seconds"],
        data[f"{prefix}p50_ms"],
        data[f"{prefix}p99_ms"],
        data["errors"],
        data["successes"],
        data["unanswered"],
        cpu * 1000 / requests if requests else 0.0,
    )


class MailSink:
    """A real SMTP server (aiosmtpd) that counts what it receives; can be made slow."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.delay_seconds = 0.0
        self.received = 0
        self.recipients: list[str] = []  # one entry per message and recipient, as received
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.port = self.controller.port

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        import asyncio

        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        self.received += 1
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"

    def stop(self) -> None:
        self.controller.stop()


def print_table(baseline: Result, results: list[Result]) -> None:
    print(
        f"\n{'case':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'× base':>7}"
        f" {'CPU ms':>7}"
    )
    for r in [baseline, *results]:
        ratio = r.rps / baseline.rps if baseline.rps else 0
        print(
            f"{r.name:<34} {r.rps:>8.0f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.errors:>7}"
            f" {ratio:>7.2f} {r.cpu_ms:>7.2f}"
        )
    if any(r.name.startswith("POST") for r in results):
        print(
            "POST rows count the form posts only (each follows a GET of its form, not counted);"
            "\ntheir latency is each POST's own, timed by the Lua script (see writes.py)."
            "\nCPU ms: the server's CPU time per counted request; for a POST row that includes"
            "\nits form's GET and sending its mail."
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
        baseline = wrk("baseline: bare Flask view", server.url + "/_bench/baseline", server=server)
        results = []
        for path, name in [
            ("/", "home"),
            ("/call-for-papers", "call for papers"),
            ("/program", "program"),
        ]:
            result = wrk(f"GET {name}", server.url + path, server=server)
            results.append(result)
            checks.append((f"{name}: ≥ 0.8× baseline req/s", result.rps >= 0.8 * baseline.rps))
            checks.append((f"{name}: zero errors", result.errors == 0))
        from tests.benchmarks.writes import write_cases

        checks += write_cases(server, sink, baseline, results, wrk)
        print_table(baseline, results)
    finally:
        server.stop()
        sink.stop()
    alarms = server.logged_errors()
    for line in alarms[:20]:
        print(f"  server log: {line}")
    checks.append((f"the server logged no errors ({len(alarms)} lines)", not alarms))
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
    tricks_started = time.monotonic()
    tricks_checks = run_tricks()
    print()
    for label, passed in tricks_checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {label}")
    print(f"  (the hot-path tricks section took {time.monotonic() - tricks_started:.0f} s)")
    ok = ok and all(passed for _, passed in tricks_checks)
    elapsed = time.monotonic() - started
    in_time = elapsed < MAX_RUN_SECONDS
    print(f"\n  {'PASS' if in_time else 'FAIL'}  whole run under 3 minutes ({elapsed:.0f} s)")
    return 0 if ok and in_time else 1


if __name__ == "__main__":
    sys.exit(main())

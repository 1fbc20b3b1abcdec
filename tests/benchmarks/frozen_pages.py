"""`make bench` (its last step): the frozen copy under nginx against the live pages.

The site is frozen (`flask --app app freeze`, at the bench clock) into a temporary folder and
served by Debian's nginx on a free loopback port (workers = cores, access_log off, sendfile
on, the config written here); the live pages are served by gunicorn exactly as in
tests/benchmarks/__main__.py (the same Server class and settings). Both are driven with the
same wrk settings (wrk(): THREADS threads, CONNECTIONS connections, BENCH_SECONDS each) for /,
/program and /call-for-papers (frozen: /program/ and /call-for-papers/). Printed: req/s,
p50/p99 and the ratio frozen/live per page. Fails when a frozen page answers errors or is
not the frozen file (its body is compared).

`python -m tests.benchmarks.frozen_pages` runs it alone (needs nginx and wrk).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.benchmarks.__main__ import (
    CONNECTIONS,
    PYTHON_BIN,
    ROOT,
    SECONDS,
    THREADS,
    MailSink,
    Result,
    Server,
    free_port,
    wait_until_up,
    wrk,
)

# (live path, frozen path, name)
PAGES = [
    ("/", "/", "home"),
    ("/program", "/program/", "program"),
    ("/call-for-papers", "/call-for-papers/", "call for papers"),
]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian puts it in sbin

NGINX_CONF = """\
worker_processes {workers};
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path {tmp}/client_body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    index index.html;
    error_page 404 /404.html;
    location ~ \\.ics$ {{ types {{ }} default_type text/calendar; }}
    location = /favicon.ico {{ return 301 /static/img/favicon.svg; }}
  }}
}}
"""


class Nginx:
    """Debian's nginx serving one folder on a free loopback port, in the foreground."""

    def __init__(self, tmp: Path, root: Path) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf = tmp / "nginx.conf"
        self.conf.write_text(
            NGINX_CONF.format(workers=os.cpu_count() or 1, tmp=tmp, port=self.port, root=root)
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [NGINX, "-c", str(self.conf), "-p", str(self.tmp)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_up(self.url + "/")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: workers finish and exit
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def freeze_site(server: Server, folder: Path) -> str:
    """The site frozen by the real command, with the live server's settings and clock."""
    done = subprocess.run(
        [str(PYTHON_BIN / "flask"), "--app", "app", "freeze", str(folder)],
        cwd=ROOT,
        env=server.env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.splitlines()[0]


def body(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def run(tmp: Path) -> bool:
    sink = MailSink()
    server = Server(tmp / "instance", sink.port)
    frozen_dir = tmp / "frozen"
    nginx_tmp = tmp / "nginx"
    nginx_tmp.mkdir()
    checks: list[tuple[str, bool]] = []
    rows: list[tuple[str, Result, Result]] = []
    nginx = None
    try:
        server.migrate()
        print(freeze_site(server, frozen_dir))
        # As root, nginx's workers run as nobody: the private temp folder must be readable.
        tmp.chmod(0o755)
        nginx = Nginx(nginx_tmp, frozen_dir)
        nginx.start()
        server.start()
        wrk("warm-up", server.url + "/", seconds=2)
        wrk("warm-up", nginx.url + "/", seconds=2)
        # The same bare Flask view as make bench's baseline: says how busy the machine was.
        baseline = wrk("baseline", server.url + "/_bench/baseline", server=server)
        for live_path, frozen_path, name in PAGES:
            written = frozen_dir / frozen_path.strip("/") / "index.html"
            same = body(nginx.url + frozen_path) == written.read_bytes()
            checks.append((f"frozen {name}: nginx serves the frozen file", same))
            live = wrk(f"live {name}", server.url + live_path, server=server)
            frozen = wrk(f"frozen {name}", nginx.url + frozen_path)
            rows.append((name, live, frozen))
            checks.append((f"frozen {name}: zero errors", frozen.errors == 0))
            checks.append((f"live {name}: zero errors", live.errors == 0))
    finally:
        if nginx is not None:
            nginx.stop()
        server.stop()
        sink.stop()
    print(
        f"\nfrozen (nginx, {os.cpu_count()} workers) vs live (gunicorn, 2 workers × 4 threads);"
        f" wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s"
    )
    print(
        f"{'page':<18} {'live req/s':>10} {'p50':>6} {'p99':>6}"
        f" {'frozen req/s':>12} {'p50':>6} {'p99':>6} {'frozen/live':>11}"
    )
    for name, live, frozen in rows:
        ratio = frozen.rps / live.rps if live.rps else 0.0
        print(
            f"{name:<18} {live.rps:>10.0f} {live.p50_ms:>6.2f} {live.p99_ms:>6.2f}"
            f" {frozen.rps:>12.0f} {frozen.p50_ms:>6.2f} {frozen.p99_ms:>6.2f} {ratio:>10.1f}×"
        )
    print(
        f"(latencies in ms; in this run the bare Flask view of make bench's baseline made"
        f" {baseline.rps:.0f} req/s, p50 {baseline.p50_ms:.2f}, p99 {baseline.p99_ms:.2f})"
    )
    print()
    for label, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    return all(ok for _, ok in checks)


def main() -> int:
    for tool, found in (("wrk", shutil.which("wrk")), ("nginx", Path(NGINX).exists())):
        if not found:
            print(f"the frozen-pages bench needs {tool}: apt-get install {tool}")
            return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fastpath-bench-frozen-") as tmp:
        ok = run(Path(tmp))
    print(f"  (took {time.monotonic() - started:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

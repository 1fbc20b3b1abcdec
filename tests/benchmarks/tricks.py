"""Hot-path tricks, each against its plain version, in one process and in the same run.

Each trick stays only where this shows what it buys (issue 13). The variants run interleaved
(A, B, A, B, ... in rounds, the order flipped each round) so that the load of a shared machine
falls on both alike; a row gives each variant's median over the rounds and the spread
(fastest–slowest round), the ratio plain / trick, and the verdict: "keep" when the trick
saves at least 15 % (medians) and wins every round against the plain round next to it,
"plain" when it saves less than 15 %, otherwise "unclear".

(a) GET /register and GET /submit: form_page's cached HTML with the CSRF token and the nonce
    spliced in, against rendering the template each time (web/forms' form_page patched to
    call render).
(b) A registration's write transaction (services.register and the commit): a plain ORM add
    flushed in a savepoint (the app's way since this measured it) against the row inserted
    from its __dict__ and attached with make_transient_to_detached (the trick, kept here
    only so that the figure can be taken again).
(c) The same write from 2 processes × 4 threads at once (gunicorn's shape in make bench), so
    they queue for SQLite's write lock: the 1 ms BEGIN IMMEDIATE retry loop against SQLite's
    own busy handler (busy_timeout), and (b)'s two inserts again, as what the lock holder
    saves every waiter gains. The wall time per write, and each write's latency p50 and p99.
(d) GET of a static file: the site's own static view with a hashed name, against Flask's own
    static view with the plain name. (The replaced view is there for the hashed names and
    their year-long cache, which Flask's view does not give; this row shows it costs or
    saves nothing per request.)

`python -m tests.benchmarks.tricks` runs this section alone; BENCH_TRICK_ROUNDS sets the
rounds (default 4).
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, send_from_directory
from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached

from fastpath import create_app
from fastpath.config import ROOT_DIR
from fastpath.core import database
from fastpath.core.extensions import db
from fastpath.registration import services
from fastpath.registration.models import Registration, RegistrationEvent
from fastpath.web import forms as web_forms

DEMO_NOW = "2020-01-20T12:00:00+00:00"
ROUNDS = int(os.environ.get("BENCH_TRICK_ROUNDS", "4"))
KEEP_GAIN = 0.15  # the least a trick must save to stay
WRITER_PROCESSES = 2
WRITER_THREADS = 4
WRITES_PER_THREAD = 8  # per round and way


@dataclass
class Row:
    name: str
    unit: str
    plain: list[float]  # one figure per round
    trick: list[float]
    in_app: str = "trick"  # which one the app runs; "" for a row the trick is not judged on

    @property
    def gain(self) -> float:
        plain = statistics.median(self.plain)
        return (plain - statistics.median(self.trick)) / plain if plain else 0.0

    @property
    def verdict(self) -> str:
        if not self.in_app:
            return "-"
        if self.gain < KEEP_GAIN:
            return "plain"
        won_every_round = all(k < p for p, k in zip(self.plain, self.trick, strict=True))
        return "keep" if won_every_round else "unclear"


def make_app(instance: Path, **overrides: object) -> Flask:
    instance.mkdir(parents=True, exist_ok=True)
    os.environ["FASTPATH_INSTANCE_PATH"] = str(instance)
    config = {
        "SECRET_KEY": secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'fastpath.sqlite3'}",
        "UPLOAD_DIR": str(instance / "uploads"),
        "MAIL_SPOOL_DIR": str(instance / "mail"),
        "NOW": DEMO_NOW,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKGROUND_SENDER": False,
        "MAIL_SERVER": None,
        "PUBLIC_BASE_URL": "http://fastpath.test",
        **overrides,
    }
    return create_app(config)


def interleaved(
    plain: Callable[[], None],
    trick: Callable[[], None],
    use_plain: Callable[[bool], None],
    count: int,
) -> tuple[list[float], list[float]]:
    """ms per call of each variant, one figure per round, the variants taking turns."""
    figures: dict[bool, list[float]] = {True: [], False: []}
    for round_number in range(ROUNDS):
        for is_plain in (True, False) if round_number % 2 == 0 else (False, True):
            use_plain(is_plain)
            call = plain if is_plain else trick
            call()  # one unmeasured call after the switch
            started = time.perf_counter()
            for _ in range(count):
                call()
            figures[is_plain].append((time.perf_counter() - started) * 1000 / count)
    use_plain(False)
    return figures[True], figures[False]


# --- (a) form pages --------------------------------------------------------------------------


def form_page_rows(app: Flask) -> list[Row]:
    cached = {web_forms: web_forms.form_page}  # every form view renders through web/forms

    def render_each_time(_key: object, _form: object, _nonce_field: str, render) -> str:  # type: ignore[no-untyped-def]
        return render()

    def use_plain(plain: bool) -> None:
        for module, form_page in cached.items():
            module.form_page = render_each_time if plain else form_page

    client = app.test_client()
    rows = []
    for path in ("/register", "/submit"):
        assert client.get(path).status_code == 200  # the session cookie, as a browser has it

        def get(path: str = path) -> None:
            response = client.get(path)
            assert response.status_code == 200 and b"csrf_token" in response.data

        plain, trick = interleaved(get, get, use_plain, 60)
        rows.append(Row(f"(a) GET {path}: form_page cache", "ms/GET", plain, trick))
    return rows


# --- (b) the registration write --------------------------------------------------------------


def trick_insert_new(registration, kind, moment):  # type: ignore[no-untyped-def]
    """The trick services._insert_new replaced (2026-12-02): INSERT ... ON CONFLICT DO
    NOTHING from the object's __dict__, then the object attached with
    make_transient_to_detached."""
    table = Registration.__table__
    columns = {
        column.key: registration.__dict__[column.key]
        for column in table.columns
        if column.key != "id" and column.key in registration.__dict__
    }
    dialect = db.session.get_bind().dialect.name
    insert_for = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert_for(table).values(columns).on_conflict_do_nothing().returning(table.c.id)
    registration_id = db.session.execute(statement).scalar()
    if registration_id is None:
        return None
    db.session.execute(
        insert(RegistrationEvent.__table__).values(
            registration_id=registration_id, at=moment, kind=kind, details=""
        )
    )
    registration.id = registration_id
    make_transient_to_detached(registration)
    db.session.add(registration)
    return registration_id


def register_once(app: Flask, label: str) -> None:
    details = services.RegistrationDetails(
        name="Bench Person",
        email=f"{label}-{secrets.token_hex(6)}@example.org",
        affiliation="Bench",
        consent=True,
    )
    with app.test_request_context("/register", method="POST"):
        result = services.register(details, secrets.token_urlsafe(16))
        db.session.commit()
        assert result.outcome == services.Outcome.NEW


@contextmanager
def switch(
    module: object, name: str, *, plain: object = None, trick: object = None
) -> Iterator[Callable[[bool], None]]:
    """Switch `module.name` between its plain version and the trick; the one not given is
    the app's own."""
    original = getattr(module, name)
    plain = plain or original
    trick = trick or original

    def use_plain(is_plain: bool) -> None:
        setattr(module, name, plain if is_plain else trick)

    try:
        yield use_plain
    finally:
        setattr(module, name, original)


def register_row(app: Flask) -> Row:
    with switch(services, "_insert_new", trick=trick_insert_new) as use_plain:
        plain, trick = interleaved(
            lambda: register_once(app, "plain"), lambda: register_once(app, "trick"), use_plain, 40
        )
    return Row("(b) registration write: __dict__ insert", "ms/write", plain, trick, "plain")


# --- (c) writers queueing for SQLite's write lock --------------------------------------------


def plain_begin_immediate(connection, _busy_timeout_ms) -> None:  # type: ignore[no-untyped-def]
    connection.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite's busy handler does the waiting


# What the writer processes switch, each case in its own rounds: (module, name, the version
# that is not the app's own).
CONTENDED = {
    "spin loop": (database, "_begin_immediate", {"plain": plain_begin_immediate}),
    "__dict__ insert": (services, "_insert_new", {"trick": trick_insert_new}),
}


def _writer_process(instance: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    app = make_app(Path(instance), WTF_CSRF_ENABLED=False)
    register_once(app, "warm")
    for case, (module, name, other) in CONTENDED.items():
        with switch(module, name, **other) as use_plain:
            for round_number in range(ROUNDS):
                for plain in (True, False) if round_number % 2 == 0 else (False, True):
                    use_plain(plain)
                    barrier.wait()
                    wall, latencies = _contended_writes(app)
                    results.put((case, round_number, plain, wall, latencies))


def _contended_writes(app: Flask) -> tuple[float, list[float]]:
    latencies: list[float] = []  # list.append is atomic: the threads share it

    def writes() -> None:
        for _ in range(WRITES_PER_THREAD):
            started = time.perf_counter()
            register_once(app, "lock")
            latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=writes) for _ in range(WRITER_THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies


def contended_rows(instance: Path) -> list[Row]:
    """(c), and (b) again under contention: what the lock holder saves, every writer gains."""
    context = multiprocessing.get_context("spawn")  # fresh processes, no inherited connections
    barrier = context.Barrier(WRITER_PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_writer_process, args=(str(instance), barrier, results))
        for _ in range(WRITER_PROCESSES)
    ]
    for process in processes:
        process.start()
    parts: dict[tuple[str, int, bool], list[tuple[float, list[float]]]] = {}
    for _ in range(len(CONTENDED) * ROUNDS * 2 * WRITER_PROCESSES):
        case, round_number, plain, wall, latencies = results.get(timeout=120)
        parts.setdefault((case, round_number, plain), []).append((wall, latencies))
    for process in processes:
        process.join()
    writers = f"{WRITER_PROCESSES}×{WRITER_THREADS} writers"
    rows = []
    for case in CONTENDED:
        figures: dict[str, dict[bool, list[float]]] = {"p50": {}, "p99": {}, "wall": {}}
        for plain in (True, False):
            for key in figures:
                figures[key][plain] = []
            for round_number in range(ROUNDS):
                round_parts = parts[(case, round_number, plain)]
                latencies = [latency for _, part in round_parts for latency in part]
                cut = statistics.quantiles(latencies, n=100)
                figures["p50"][plain].append(cut[49])
                figures["p99"][plain].append(cut[98])
                wall = max(wall for wall, _ in round_parts)  # the processes start together
                figures["wall"][plain].append(wall * 1000 / len(latencies))
        # Judged on what each claims: the spin loop on the tail (p99), the insert on the
        # time the lock is held (wall: writes follow one another). The rest is for reading.
        letter, judged, in_app = {
            "spin loop": ("c", "p99", "trick"),
            "__dict__ insert": ("b", "wall", "plain"),
        }[case]
        for key, label in (("wall", "wall"), ("p50", "latency p50"), ("p99", "latency p99")):
            name = f"({letter}) {writers}: {case}, {label}"
            plain, trick = figures[key][True], figures[key][False]
            rows.append(Row(name, "ms/write", plain, trick, in_app if key == judged else ""))
    return rows


# --- (d) static files ------------------------------------------------------------------------


def static_row(app: Flask) -> Row:
    manifest = app.extensions["asset_manifest"]
    replaced = app.view_functions["static"]

    static_dir = ROOT_DIR / "static"

    def flasks_own(filename: str):  # type: ignore[no-untyped-def]
        # What Flask's own static view (Flask.send_static_file) does; the app is made with
        # static_folder=None since web/assets.py serves the hashed names.
        max_age = app.get_send_file_max_age(filename)
        return send_from_directory(static_dir, filename, max_age=max_age)

    def use_plain(plain: bool) -> None:
        app.view_functions["static"] = flasks_own if plain else replaced

    client = app.test_client()

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200
        response.close()

    plain, trick = interleaved(
        lambda: get("/static/css/site.css"),
        lambda: get("/static/" + manifest["css/site.css"]),
        use_plain,
        150,
    )
    # Kept for the hashed names whatever this shows: not judged on speed.
    return Row("(d) GET a static file: own view", "ms/GET", plain, trick, "")


# --- the section -----------------------------------------------------------------------------


def print_rows(rows: list[Row]) -> None:
    print("\nhot-path tricks: plain vs kept (medians of interleaved rounds, fastest–slowest)")
    print(f"{'case':<47} {'unit':>8} {'plain':>16} {'trick':>16} {'plain/trick':>11}  verdict")
    for row in rows:
        cells = []
        for figures in (row.plain, row.trick):
            cells.append(
                f"{statistics.median(figures):6.2f} ({min(figures):.2f}–{max(figures):.2f})"
            )
        ratio = statistics.median(row.plain) / statistics.median(row.trick)
        print(
            f"{row.name:<47} {row.unit:>8} {cells[0]:>16} {cells[1]:>16} {ratio:>11.2f}"
            f"  {row.verdict}"
        )
    print(
        f"verdict: keep = the trick saves ≥ {KEEP_GAIN:.0%} (medians) and wins every round;"
        " plain = it saves less; unclear = in between; - = not a deciding row."
        "\nwall: the run's time over its writes (1 / throughput); p50 and p99: each write's"
        " own time, the wait for the lock included."
    )


def run_tricks() -> list[tuple[str, bool]]:
    """The section; returns checks that each choice the app makes still holds."""
    with tempfile.TemporaryDirectory(prefix="fastpath-tricks-") as tmp:
        app = make_app(Path(tmp) / "instance")
        with app.app_context():
            db.create_all()
        rows = form_page_rows(app)
        rows.append(register_row(app))
        static = static_row(app)
        with app.app_context():
            db.engine.dispose()
        lock_instance = Path(tmp) / "lock-instance"
        lock_app = make_app(lock_instance)
        with lock_app.app_context():
            db.create_all()
            db.engine.dispose()
        contended = contended_rows(lock_instance)
    rows += [*contended[3:], *contended[:3], static]  # (b) beside (b), then (c), (d)
    print_rows(rows)
    checks = []
    for row in rows:
        if row.in_app == "trick":
            checks.append(
                (f"{row.name}: the trick still pays ({row.verdict})", row.verdict != "plain")
            )
        elif row.in_app == "plain":
            checks.append(
                (
                    f"{row.name}: the plain version still will do ({row.verdict})",
                    row.verdict != "keep",
                )
            )
    return checks


if __name__ == "__main__":
    started = time.monotonic()
    tricks_checks = run_tricks()
    print()
    for label, ok in tricks_checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    print(f"\n({time.monotonic() - started:.0f} s)")
    sys.exit(0 if all(ok for _, ok in tricks_checks) else 1)

"""How long writers in separate processes wait for SQLite's write lock: fastpath's 1 ms retry
loop (database._begin_immediate) against SQLite's own busy handler (busy_timeout alone).

`python -m tests.benchmarks.write_lock [processes] [transactions each]`: every process, like
a gunicorn worker, runs short write transactions (BEGIN IMMEDIATE, an INSERT, 2 ms of work,
COMMIT, then 4 ms outside). Printed per way: the lock waits' p50/p99/max, transactions per
second, and the CPU the processes used. SQLite's handler sleeps 1, 2, 5, 10, ... up to 100
ms between tries, so a waiter that has waited a while sleeps through many short
transactions while newcomers take the lock first: its tail is much longer.
"""

from __future__ import annotations

import multiprocessing
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastpath.core.database import RETRY_PAUSE_SECONDS

BUSY_TIMEOUT_MS = 15_000
HOLD_SECONDS = 0.002
BETWEEN_SECONDS = 0.004


def _begin_retrying(connection: sqlite3.Connection) -> None:
    # The loop of database._begin_immediate, on a plain sqlite3 connection.
    connection.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
            time.sleep(RETRY_PAUSE_SECONDS)
    finally:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _begin_plain(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")  # SQLite's busy handler waits


WAYS = {"1 ms retry loop": _begin_retrying, "busy_timeout only": _begin_plain}


def _writer(path: str, way: str, count: int, waits: multiprocessing.Queue) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mine = []
    for number in range(count):
        started = time.perf_counter()
        WAYS[way](connection)
        mine.append(time.perf_counter() - started)
        connection.execute("INSERT INTO t (n) VALUES (?)", (number,))
        time.sleep(HOLD_SECONDS)
        connection.execute("COMMIT")
        time.sleep(BETWEEN_SECONDS)
    waits.put(mine)


def measure(way: str, processes: int, count: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "lock.sqlite3")
        setup = sqlite3.connect(path, isolation_level=None)
        setup.execute("PRAGMA journal_mode = WAL")
        setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)")
        setup.close()
        queue: multiprocessing.Queue = multiprocessing.Queue()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        writers = [
            multiprocessing.Process(target=_writer, args=(path, way, count, queue))
            for _ in range(processes)
        ]
        for writer in writers:
            writer.start()
        waits = [wait for _ in writers for wait in queue.get()]
        for writer in writers:
            writer.join()
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    p = statistics.quantiles(waits, n=100)
    return (
        f"{way:18} {processes:2} processes  wait p50 {p[49] * 1000:5.1f} ms  "
        f"p99 {p[98] * 1000:6.1f} ms  max {max(waits) * 1000:6.1f} ms  "
        f"{len(waits) / wall:4.0f} tx/s  CPU {cpu:.2f} s"
    )


if __name__ == "__main__":
    processes = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    for way in WAYS:
        print(measure(way, processes, count))

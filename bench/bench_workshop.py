"""Workshop write load: 30 concurrent learners submit 20 quiz answers each through the store,
on SQLite (WAL, BEGIN IMMEDIATE, busy timeout) and on a throwaway PostgreSQL cluster.

    .venv/bin/python bench/bench_workshop.py

Prints submissions per second and checks that all 600 rows arrived with no error.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["AIE_BRIDGE_DATA_DIR"] = tempfile.mkdtemp(prefix="aie-bench-")

from labs.curriculum.loader import load_curriculum  # noqa: E402
from labs.store import Store  # noqa: E402
from tests.pg import PostgresUnavailable, throwaway_cluster  # noqa: E402
from tests.test_workshop import _count, hammer, make_workshop  # noqa: E402


def run(label: str, store: Store) -> None:
    cur = load_curriculum()
    ws = make_workshop(store)
    start = time.perf_counter()
    errors = hammer(store, cur, ws)
    seconds = time.perf_counter() - start
    n = _count(store, ws)
    print(f"{label}: {n} of 600 stored, {len(errors)} errors, {seconds:.2f} s, "
          f"{n / seconds:.0f} submissions/s (30 joins included)")


if __name__ == "__main__":
    run("SQLite", Store())
    try:
        with throwaway_cluster() as url:
            run("PostgreSQL", Store(url))
    except PostgresUnavailable as e:
        print(f"PostgreSQL: skipped ({e})")

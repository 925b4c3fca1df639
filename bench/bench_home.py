"""Foundation benchmarks: the home page's AppTest run (median of 20) and the time from
`streamlit run` to a healthy server (median of 5).

    .venv/bin/python bench/bench_home.py

Figures vary with the machine's load; compare them run to run, not against a fixed number.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["AIE_BRIDGE_DATA_DIR"] = tempfile.mkdtemp(prefix="aie-bench-")

from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.test_startup import free_port, start_server, wait_healthy  # noqa: E402

APP = str(ROOT / "app" / "streamlit_app.py")


def home_apptest_runs(n: int = 20) -> list[float]:
    AppTest.from_file(APP, default_timeout=60).run()  # warm imports and the content cache
    times = []
    for _ in range(n):
        start = time.perf_counter()
        at = AppTest.from_file(APP, default_timeout=60).run()
        times.append(time.perf_counter() - start)
        assert not at.exception
    return times


def time_to_healthy(n: int = 5) -> list[float]:
    times = []
    for _ in range(n):
        port = free_port()
        proc = start_server(port, os.environ["AIE_BRIDGE_DATA_DIR"])
        try:
            times.append(wait_healthy(port, proc))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return times


if __name__ == "__main__":
    home = home_apptest_runs()
    print(f"home page AppTest run: median {statistics.median(home) * 1000:.0f} ms "
          f"(min {min(home) * 1000:.0f}, max {max(home) * 1000:.0f}, n={len(home)})")
    healthy = time_to_healthy()
    print(f"streamlit run -> /_stcore/health 200: median {statistics.median(healthy):.2f} s "
          f"(min {min(healthy):.2f}, max {max(healthy):.2f}, n={len(healthy)})")

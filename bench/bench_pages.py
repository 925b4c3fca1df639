"""First load of every page, once the server is warm: the time from a new browser session
asking for the page to the script's finish message, through Streamlit's websocket protocol.

    .venv/bin/python bench/bench_pages.py [--repeat 3] [--root DIR] [--json]

The server is warmed by one session that visits every page (models, indexes and caches that
pages share are then loaded); each page is then opened `--repeat` times, each time by a new
session, as a learner arriving on it would. `--root` serves another checkout of the project
(to measure a "before").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_room import Session  # noqa: E402
from tests.test_startup import free_port, wait_healthy  # noqa: E402

TARGET_MS = 1500


async def visit(port: int, page: str, pages: dict[str, str], errors: list[str],
                timings) -> None:  # type: ignore[no-untyped-def]
    """A new session whose first request is `page` ("" is home), as a link opened anew."""
    s = Session(0, port, timings, errors, pages=dict(pages))
    await s.connect()
    try:
        await s.rerun(page or "home", page=page)
    finally:
        await s.ws.close()


async def measure(port: int, repeat: int) -> tuple[dict[str, list[float]], list[str]]:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    probe = Session(0, port, timings, errors)
    await probe.connect()
    await probe.rerun("home")
    await probe.ws.close()
    for page in probe.pages:  # warm-up: shared resources load here
        await visit(port, page, probe.pages, errors, defaultdict(list))
    for _ in range(repeat):
        for page in probe.pages:
            await visit(port, page, probe.pages, errors, timings)
    return timings, errors


def main() -> int:
    parser = argparse.ArgumentParser(description="first load of every page, server warm")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="aie-pages-"))
    port = free_port()
    with open(data / "server.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(args.root / "app" / "streamlit_app.py"),
             "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1"],
            cwd=args.root, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "AIE_BRIDGE_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1",
                 "PYTHONPATH": str(args.root)})
        try:
            wait_healthy(port, proc, timeout=120)
            timings, errors = asyncio.run(measure(port, args.repeat))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    rows = {page: {"median_ms": round(statistics.median(v)), "max_ms": round(max(v))}
            for page, v in timings.items()}
    slow = sorted(p for p, r in rows.items() if r["median_ms"] > TARGET_MS)
    if not args.json:
        print(f"{'page':<18} {'median ms':>10} {'max ms':>8}")
        for page, r in rows.items():
            print(f"{page:<18} {r['median_ms']:>10} {r['max_ms']:>8}")
        for e in errors[:10]:
            print("error:", e)
    print(json.dumps({"pages": rows, "over_target": slow, "target_ms": TARGET_MS,
                      "errors": len(errors)}))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())

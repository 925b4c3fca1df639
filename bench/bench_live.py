"""Live question latency: from the instructor's push to the question on each learner's screen,
through the real server (`streamlit run`) and real browsers (Debian's chromium, Playwright).

    PYTHONPATH=. .venv/bin/python bench/bench_live.py [--learners N] [--rounds R] [--via ui|store]

N learners open their workshop page in their own browser context (their bookmarked link). Each
round pushes a new question; a MutationObserver in every learner page stamps the moment the
question's text appears (epoch ms, the same clock as the push stamp). `--via ui` clicks
"Push to the room" in the instructor's own browser session (the push stamp is taken just
before the click, so the instructor's rerun is included); `--via store` calls
`push_live_question` from this process (the same function the button calls). Prints p50 / p95 /
max, the server's CPU share while the pages only poll (10 s), and a last line of JSON. A
delivery not seen within 30 s counts as `missed` (and is left out of the percentiles) instead
of ending the run, so a room too large for the machine still reports what it managed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(tempfile.mkdtemp(prefix="aie-bench-live-"))
os.environ["AIE_BRIDGE_DATA_DIR"] = str(DATA)

from labs.curriculum.loader import load_curriculum  # noqa: E402
from labs.store import Store  # noqa: E402
from labs.workshop import create_workshop, join_workshop, open_as_instructor  # noqa: E402
from labs.workshop.live import push_live_question  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.test_startup import free_port, start_server, wait_healthy  # noqa: E402

PASS = "correct horse battery"
WATCH = """(needle) => { window.__seen = null; const stamp = () => {
  if (window.__seen === null && document.body.innerText.includes(needle)) {
    window.__seen = performance.timeOrigin + performance.now(); obs.disconnect(); } };
  const obs = new MutationObserver(stamp);
  obs.observe(document.body, {subtree: true, childList: true, characterData: true}); stamp(); }"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--via", choices=["ui", "store"], default="ui")
    args = ap.parse_args()
    if CHROMIUM is None:
        sys.exit("no chromium on PATH: install Debian's chromium package")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    store, cur = Store(), load_curriculum()
    now = datetime.now(UTC)
    ws = create_workshop(store, title="Latency", passphrase=PASS, module_ids=["rag", "evals"],
                         starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    tokens = [join_workshop(store, ws.code, f"Learner {i}")[1].token for i in range(args.learners)]
    questions = list(cur.quizzes["rag"].questions) + list(cur.quizzes["evals"].questions)
    access = open_as_instructor(store, ws.code, PASS)
    port = free_port()
    proc = start_server(port, DATA)
    latencies: list[float] = []
    missed = 0
    try:
        wait_healthy(port, proc)
        url = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)
            pages = []
            for t in tokens:
                page = browser.new_context().new_page()
                page.goto(f"{url}/join?member={t}", wait_until="domcontentloaded", timeout=90_000)
                page.get_by_text("Your results").wait_for(timeout=180_000)
                pages.append(page)
            teacher = browser.new_context().new_page()
            if args.via == "ui":
                teacher.goto(f"{url}/instructor", wait_until="networkidle", timeout=90_000)
                teacher.get_by_role("tab", name="Dashboard").click()
                teacher.get_by_label("Join code").fill(ws.code)
                teacher.get_by_label("Instructor passphrase", exact=True).fill(PASS)
                teacher.get_by_role("button", name="Open dashboard").click()
                teacher.get_by_role("button", name="Push to the room").wait_for(timeout=90_000)
            start_cpu, start = cpu_seconds(proc.pid), time.monotonic()
            time.sleep(10)  # every page idle but polling: what the room costs the server
            idle_cpu = (cpu_seconds(proc.pid) - start_cpu) / (time.monotonic() - start)
            for r in range(args.rounds):
                q = questions[r % len(questions)]
                for page in pages:
                    page.evaluate(WATCH, q.prompt[:60])
                time.sleep(0.3)
                if args.via == "ui":
                    box = teacher.get_by_label("Question from the workshop's modules")
                    box.click()
                    box.fill(q.prompt[:40])
                    teacher.keyboard.press("Enter")
                    teacher.wait_for_timeout(400)
                    pushed = teacher.evaluate("performance.timeOrigin + performance.now()")
                    teacher.get_by_role("button", name="Push to the room").click()
                else:
                    pushed = time.time() * 1000
                    push_live_question(store, cur, access, q.id)
                for page in pages:
                    try:
                        page.wait_for_function("window.__seen !== null", timeout=30_000)
                    except PlaywrightTimeout:
                        missed += 1
                        continue
                    latencies.append(page.evaluate("window.__seen") - pushed)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(DATA, ignore_errors=True)
    out = {"learners": args.learners, "rounds": args.rounds, "via": args.via,
           "poll_s": 1, "missed": missed,
           "p50_ms": round(statistics.median(latencies)) if latencies else None,
           "p95_ms": round(percentile(latencies, 95)) if latencies else None,
           "max_ms": round(max(latencies)) if latencies else None,
           "server_cpu_idle_polling": round(idle_cpu, 3)}
    print(f"push -> learner screen over {len(latencies)} deliveries ({missed} missed): p50 "
          f"{out['p50_ms']} ms, p95 {out['p95_ms']} ms, max {out['max_ms']} ms; server CPU "
          f"while the pages only poll: {idle_cpu:.2f} cores")
    print(json.dumps(out))


if __name__ == "__main__":
    main()

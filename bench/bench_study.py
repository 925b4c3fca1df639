"""Study planner benchmark: time to plan the whole flashcard deck toward an interview date
(median of 7), for a fresh deck and for a deck half-way through its reviews, at 14, 30 and 90
days, plus the smallest-cap search a plan that does not fit runs.

    .venv/bin/python bench/bench_study.py [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labs.curriculum.loader import load_curriculum  # noqa: E402
from labs.study.planner import PlanCard, describe, plan, review_session, scheduler  # noqa: E402

TODAY = date(2026, 3, 2)


def timed(fn, n: int = 7) -> float:
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cur = load_curriculum()
    cm = cur.card_module()
    fresh = [PlanCard(cid, cm[cid]) for cid in cur.cards()]
    sched = scheduler()
    start = datetime.combine(TODAY - timedelta(days=10), dtime(12), tzinfo=UTC)
    half = [PlanCard(c.card_id, c.module_id,
                     review_session(sched, None, start, None, 0.9) if i % 2 else None)
            for i, c in enumerate(fresh)]
    rows = []
    for label, cards in (("fresh", fresh), ("half reviewed", half)):
        for days in (14, 30, 90):
            kw = dict(today=TODAY, interview=TODAY + timedelta(days=days))
            ms = timed(lambda cards=cards, kw=kw: plan(cards, **kw))
            rows.append({"deck": label, "cards": len(cards), "days": days,
                         "plan_ms": round(ms, 1)})
    tight = dict(today=TODAY, interview=TODAY + timedelta(days=3), max_per_day=20)
    p = plan(fresh, **tight)
    search = timed(lambda: describe(p, lambda c: plan(fresh, **{**tight, "max_per_day": c})),
                   n=3)
    out = {"plans": rows, "does_not_fit_message_ms": round(search, 1)}
    if args.json:
        print(json.dumps(out))
    else:
        for r in rows:
            print(f"{r['deck']:<14} {r['cards']} cards, {r['days']:>2} days: {r['plan_ms']} ms")
        print(f"a plan that does not fit, with the smallest-cap search: {search:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

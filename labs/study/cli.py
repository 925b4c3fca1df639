"""`aie-bridge study plan --learner NAME --interview-date YYYY-MM-DD [--retention R]
[--max-per-day N] [--json]` and `aie-bridge study next --learner NAME [--json]`.

`plan --json` prints {"days": [{"date", "new", "review"}], "predicted_retention":
{"overall", "by_module"}, "fits", "message", ...}. The date, retention and cap given here
preview a plan without changing the learner's saved settings. Errors print one `error:` line
and exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date


def register(sub: argparse._SubParsersAction) -> None:
    study = sub.add_parser("study", help="plan flashcard reviews toward an interview date")
    ssub = study.add_subparsers(dest="study_command", metavar="ACTION", required=True)
    p = ssub.add_parser("plan", help="the day-by-day review plan up to the interview")
    p.add_argument("--learner", required=True, help="the learner's display name")
    p.add_argument("--interview-date", help="YYYY-MM-DD (default: the learner's saved date)")
    p.add_argument("--retention", type=float, help="recall wanted on the day (default 0.9)")
    p.add_argument("--max-per-day", type=int, help="cards a day at most (default 60)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_plan)
    n = ssub.add_parser("next", help="the next three things to study, and why")
    n.add_argument("--learner", required=True, help="the learner's display name")
    n.add_argument("--json", action="store_true", help="print JSON")
    n.set_defaults(func=_next)


def _err(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 1


def _learner(name: str):  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from labs.store import Store
    from labs.store.learners import clean_name
    from labs.store.models import Learner

    store = Store()
    with store.session() as s:
        row = s.exec(select(Learner).where(Learner.name == clean_name(name))).first()
    if row is None:
        raise LookupError(f"no learner named {name!r}: open the app once under that name, or "
                          "check the spelling")
    return store, row


def _plan(args: argparse.Namespace) -> int:
    from labs.curriculum.loader import load_curriculum
    from labs.study.service import plan_report

    try:
        when = date.fromisoformat(args.interview_date) if args.interview_date else None
    except ValueError:
        return _err(f"--interview-date {args.interview_date!r} is not a date like 2027-01-15")
    try:
        store, learner = _learner(args.learner)
        p, report = plan_report(store, load_curriculum(), learner.id, interview_date=when,
                                retention=args.retention, max_per_day=args.max_per_day)
    except (LookupError, ValueError) as e:
        return _err(str(e))
    if args.json:
        print(json.dumps({"learner": learner.name, **report}, indent=2))
        return 0
    print(f"{learner.name}: interview on {report['interview_date']}, target recall "
          f"{report['retention_target']:.0%}, at most {report['max_per_day']} cards a day")
    for d in report["days"]:
        print(f"  {d['date']}  new {d['new']:>3}  review {d['review']:>3}")
    print(f"predicted recall on the day: {report['predicted_retention']['overall']:.0%}")
    for mid, r in report["predicted_retention"]["by_module"].items():
        print(f"  {mid:<16} {r:.0%}")
    print(report["message"])
    return 0


def _next(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from labs.curriculum.loader import load_curriculum
    from labs.study.service import study_next

    try:
        store, learner = _learner(args.learner)
        steps = study_next(store, load_curriculum(), learner.id)
    except (LookupError, ValueError) as e:
        return _err(str(e))
    if args.json:
        print(json.dumps([asdict(s) for s in steps], indent=2))
    else:
        for i, s in enumerate(steps, 1):
            print(f"{i}. {s.title}: {s.why}")
    return 0

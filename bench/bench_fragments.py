"""What a fragment saves: one widget change inside a page's fragment, rerun as the browser asks
for it (that fragment only) against the same change as a whole-page rerun, on the real
`streamlit run` through its websocket protocol (bench_room.py's session).

    .venv/bin/python bench/bench_fragments.py [--rounds 15] [--json]

Widgets: the simulator's batch-share slider and the attribution tab's hot-tenant slider on the
Cost & latency page, and the release-day slider of the eval sandbox's online-metrics tab. Each
round moves the slider to a new value twice, once per scope; times are from the change sent to
the script's finish message. Prints p50 / p95 per widget and scope, then one JSON line.

Leaves out: the browser's own rendering, which a fragment run also shortens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_room import Session, pct, serving  # noqa: E402

# (page url path, widget key, values it takes in turn)
WIDGETS = (("costsim", "cost_batch_share", (0.1, 0.2, 0.3, 0.4, 0.5)),
           ("costsim", "cost_at_hot", (0.3, 0.35, 0.4, 0.5, 0.55)),
           ("evals", "eval_on_ship", (20.0, 25.0, 35.0, 40.0, 45.0)))


async def measure(port: int, rounds: int) -> tuple[dict[str, list[float]], list]:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list = []
    s = Session(0, port, timings, errors)
    await s.connect()
    await s.rerun("open")
    for page, key, values in WIDGETS:
        await s.rerun("open", page=page)
        wid = s.find(key)
        if wid is None or not s.widgets[wid].fragment:
            raise SystemExit(f"{key} on {page}: not a widget inside a fragment")
        frag = s.widgets[wid].fragment
        for i in range(rounds):
            for scope in ("fragment", "page"):
                v = values[(2 * i + (scope == "page")) % len(values)]
                state = WidgetState(id=wid)
                state.double_array_value.data.append(v)
                await s.rerun(f"{key} {scope}", changes={wid: state},
                              fragment=frag if scope == "fragment" else "")
    await s.ws.close()
    return timings, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--json", action="store_true", help="only the JSON line")
    args = ap.parse_args()
    with serving(Path(tempfile.mkdtemp(prefix="aie-frag-"))) as (port, _):
        timings, errors = asyncio.run(measure(port, args.rounds))
    timings.pop("open", None)
    result = {"rounds": args.rounds, "errors": [e.line() for e in errors],
              "ms": {k: {"p50": round(statistics.median(v)), "p95": round(pct(v, 0.95))}
                     for k, v in sorted(timings.items())}}
    if not args.json:
        for k, v in result["ms"].items():
            print(f"{k:<28} p50 {v['p50']:>5} ms   p95 {v['p95']:>5} ms")
        for e in result["errors"]:
            print("error:", e)
    print(json.dumps(result))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

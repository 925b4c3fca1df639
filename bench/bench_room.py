"""A workshop room against one server: N learner sessions driving the real `streamlit run`
through Streamlit's own browser protocol (the `/_stcore/stream` websocket and the protobuf
messages the installed streamlit ships), as many browsers would.

    .venv/bin/python bench/bench_room.py --sessions 30 [--minutes M] [--no-heavy] [--cold] [--json]

Each session names itself in the sidebar, opens a module, answers quiz questions, then
reviews flashcards; one in five also grades a whiteboard answer and one in ten builds a
retrieval index. With `--minutes M` sessions repeat their round until M minutes have passed.
Each interaction is timed from the widget change being sent to the script's finish message;
the table gives p50/p95/max per kind, the errors (exception elements, failed connections,
timeouts), and `answers_sent` (quiz answers checked) against `answers_stored` (quiz_attempt
rows counted in the server's database afterwards). A learner's opening (connect, name
itself, open its first module) is timed apart from the steady state, as `open_connect`,
`open_name` and `open_module`: every session does it in the same second, so it measures the
burst, not the room. The last line is one JSON object: {"sessions", "p95_ms" (quiz and
flashcard interactions), "opening_p95_ms", "errors", "error_details" (kind, session,
interaction, page, message for each), "server_log_errors", "answers_sent", "answers_stored",
...}.

The room arrives once `/_stcore/script-health-check` answers (the readiness probe a
deployment puts in front of the app: the process has run the app once); `--cold` lets it in as
soon as the server listens, so the opening burst also pays the process's first imports.

Leaves out: the browser's own rendering time, and static assets (served by the same server,
they do not run Python).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_startup import free_port, wait_healthy  # noqa: E402

LIGHT = ("quiz", "flashcard")
OPENING = ("open_connect", "open_name", "open_module")
DESIGN_ANSWER = """## Read or write
Mostly reads: employees ask questions; writes are nightly document syncs.
## Freshness
Docs change daily, so we re-index changed pages every hour and show the indexed date.
## Latency budget
About two seconds to first token, so we stream and keep retrieval under 200 ms.
## Eval rubric
A golden set of 200 questions scored for faithfulness and recall@5 on every release,
because a prompt change can silently break grounding.
## Multi-tenancy
Each customer gets their own index namespace, so one tenant never retrieves another's
documents; access control is checked at query time.
## Architecture
Ingestion chunks pages into 400-token sections and embeds them into a vector store; a hybrid
retriever (BM25 plus dense, fused with RRF) feeds a reranker, then the LLM answers with
citations, and a feedback loop logs thumbs-down answers into the golden set.
## Deep dive
The bottleneck is reranking latency: a cross-encoder over 50 candidates costs 300 ms, so we
rerank 20 and measure p95 per stage.
"""


class SessionError(Exception):
    pass


@dataclass(frozen=True)
class RoomError:
    """One error, with enough context to find its cause after the run."""

    kind: str  # exception (an error element on the page), timeout, session, connection
    session: int
    interaction: str
    page: str
    message: str

    def line(self) -> str:
        return (f"session {self.session} {self.interaction} on {self.page or 'home'}: "
                f"{self.kind}: {self.message}")


@dataclass
class Widget:
    kind: str
    proto: object
    fragment: str = ""  # the id of the fragment that drew it ("" outside any)


@dataclass
class Session:
    """One browser tab: a websocket, the widgets of its last render and their values."""

    index: int
    port: int
    timings: dict[str, list[float]]
    errors: list[RoomError]
    ws: object = None
    doing: str = ""  # the interaction in flight, for error reports
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page script hash
    page: str = ""
    query: str = ""
    widgets: dict[str, Widget] = field(default_factory=dict)  # widget id -> proto
    values: dict[str, WidgetState] = field(default_factory=dict)
    answers_sent: int = 0

    async def connect(self) -> None:
        self.ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/_stcore/stream",
                                           subprotocols=["streamlit"], max_size=None,
                                           open_timeout=60, ping_interval=None)

    def find(self, key: str) -> str | None:
        """The id of the widget whose user key is `key` (ids end in "-<key>")."""
        return next((wid for wid in self.widgets if wid.endswith("-" + key)), None)

    def find_prefix(self, prefix: str) -> list[str]:
        return [wid for wid in self.widgets if wid.split("-", 2)[-1].startswith(prefix)]

    async def rerun(self, kind: str, *, page: str | None = None, query: str | None = None,
                    changes: dict[str, WidgetState] | None = None,
                    timeout: float = 300, fragment: str = "") -> None:
        """Send one rerun (as a widget change or a page switch) and wait for its finish;
        `fragment` reruns only that fragment, as the browser asks for a widget inside one."""
        if page is not None and page != self.page:
            self.page, self.widgets, self.values = page, {}, {
                k: v for k, v in self.values.items() if self._sidebar(k)}
        if query is not None:
            self.query = query
        self.doing = kind
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.pages.get(self.page, "")
        cs.fragment_id = fragment
        triggers = []
        for wid, state in (changes or {}).items():
            if state.WhichOneof("value") == "trigger_value":
                triggers.append(state)
            else:
                self.values[wid] = state
        cs.widget_states.widgets.extend([*self.values.values(), *triggers])
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        if not fragment:  # a fragment run redraws its own widgets only
            self.widgets = {}
        async with asyncio.timeout(timeout):
            while True:
                fm = ForwardMsg()
                fm.ParseFromString(await self.ws.recv())
                what = fm.WhichOneof("type")
                if what == "navigation":
                    self.pages = {p.url_pathname: p.page_script_hash
                                  for p in fm.navigation.app_pages}
                elif what == "delta" and fm.delta.WhichOneof("type") == "new_element":
                    self._element(fm.delta.new_element, fm.delta.fragment_id)
                elif what == "script_finished":
                    if fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        break
                    self.widgets = {}  # st.rerun(): the next run draws the page again
        self.timings[kind].append((time.perf_counter() - start) * 1000)

    def _sidebar(self, wid: str) -> bool:
        return wid.endswith("-profile_name")

    def _element(self, el, fragment: str = "") -> None:  # type: ignore[no-untyped-def]
        kind = el.WhichOneof("type")
        sub = getattr(el, kind)
        if kind == "exception":
            where = " | ".join(line.strip() for line in sub.stack_trace[-3:])
            self.error("warning" if sub.is_warning else "exception",
                       f"{sub.type}: {sub.message}" + (f" [{where}]" if where else ""))
        elif getattr(sub, "id", ""):
            self.widgets[sub.id] = Widget(kind, sub, fragment)

    def error(self, kind: str, message: str) -> None:
        self.errors.append(RoomError(kind, self.index, self.doing, self.page, message))

    def click(self, key: str) -> dict[str, WidgetState]:
        wid = self.find(key)
        if wid is None:
            raise SessionError(f"no widget with key {key!r} on {self.page or 'home'}")
        return {wid: WidgetState(id=wid, trigger_value=True)}

    def text(self, key: str, value: str) -> dict[str, WidgetState]:
        wid = self.find(key)
        if wid is None:
            raise SessionError(f"no widget with key {key!r} on {self.page or 'home'}")
        return {wid: WidgetState(id=wid, string_value=value)}


async def learner_round(s: Session, rng: random.Random, *, modules: list[str], heavy: bool,
                        think: float, first: bool) -> None:
    """One learner's round: a module and its quiz, flashcards, and maybe heavy work."""
    module = modules[(s.index + rng.randrange(len(modules))) % len(modules)]
    await s.rerun("open_module" if first else "page", page="modules", query=f"module={module}")
    for _ in range(3):
        choices = s.find_prefix("quiz_choice_")
        if not choices:
            break
        wid = rng.choice(choices)
        qid = wid.split("-", 2)[-1].removeprefix("quiz_choice_")
        options = list(s.widgets[wid].proto.options)
        await asyncio.sleep(rng.uniform(0, think))
        await s.rerun("quiz", changes={wid: WidgetState(id=wid, string_value=rng.choice(options)),
                                       **s.click(f"quiz_check_{qid}")})
        s.answers_sent += 1
    await s.rerun("page", page="review", query="")
    for _ in range(3):
        if s.find("review_show") is None:
            break
        await asyncio.sleep(rng.uniform(0, think))
        await s.rerun("flashcard", changes=s.click("review_show"))
        rating = s.find("review_good")
        if rating is None:
            break
        await asyncio.sleep(rng.uniform(0, think))
        await s.rerun("flashcard", changes=s.click("review_good"))
    if heavy and s.index % 5 == 0:
        await s.rerun("page", page="whiteboard", query="")
        free = next((w for w in s.widgets if "-wb_" in w and w.endswith("_free")), None)
        if free is None:
            raise SessionError("no free-form answer box on the whiteboard")
        await s.rerun("page", changes={free: WidgetState(id=free, string_value=DESIGN_ANSWER)})
        await s.rerun("grade", changes=s.click("wb_grade"))
    if heavy and s.index % 10 == 0:
        await s.rerun("page", page="retrieval", query="")
        await s.rerun("build_index", changes=s.click("ret_build"), timeout=900)


async def one_learner(s: Session, deadline: float, **kwargs) -> None:
    rng = random.Random(s.index)
    try:
        await s.connect()
        s.doing = "open_connect"
        await s.connect()
        await s.rerun("open_connect")
        await s.rerun("open_name", changes=s.text("profile_name", f"room learner {s.index:02d}"))
        first = True
        while True:
            await learner_round(s, rng, first=first, **kwargs)
            first = False
            if time.monotonic() >= deadline:
                break
    except SessionError as e:
        s.error("session", str(e))
    except TimeoutError:
        s.error("timeout", "no script_finished message within the interaction's timeout")
    except (OSError, websockets.WebSocketException) as e:
        s.error("connection", f"{type(e).__name__}: {e}")
    finally:
        if s.ws is not None:
            await s.ws.close()


async def room(port: int, sessions: int, minutes: float, heavy: bool, think: float,
               modules: list[str]) -> tuple[dict[str, list[float]], list[RoomError], int]:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[RoomError] = []
    people = [Session(i, port, timings, errors) for i in range(sessions)]
    deadline = time.monotonic() + minutes * 60
    await asyncio.gather(*(one_learner(p, deadline, modules=modules, heavy=heavy, think=think)
                           for p in people))
    return timings, errors, sum(p.answers_sent for p in people)


@contextmanager
def serving(data: Path, cold: bool = False) -> Iterator[tuple[int, subprocess.Popen]]:
    """The real `streamlit run` on a free port with its data folder and log in `data`,
    yielded once ready (once listening with `cold`), stopped on the way out."""
    port = free_port()
    with open(data / "server.log", "wb") as log:  # a file: a full pipe would block the server
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "streamlit_app.py"),
             "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "AIE_BRIDGE_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"})
        try:
            wait_healthy(port, proc)
            if not cold:
                ready(port)
            yield port, proc
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def ready(port: int, timeout: float = 120) -> None:
    """Wait for the script health check (the app ran once in the process) to answer 200."""
    url = f"http://127.0.0.1:{port}/_stcore/script-health-check"
    with urllib.request.urlopen(url, timeout=timeout) as r:
        if r.status != 200:
            raise RuntimeError(f"{url} answered {r.status}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (Linux /proc), to compare work per interaction."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_log_errors(text: str, limit: int = 20) -> list[str]:
    """Tracebacks' last lines and error lines of the server's log (errors a page caught or
    Streamlit logged never reach a session as an exception element)."""
    lines = text.splitlines()
    found: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            j = i + 1
            while j < len(lines) and lines[j][:1] in (" ", "\t"):
                j += 1
            if j < len(lines):
                found.append(lines[j].strip())
        elif " ERROR " in line or line.startswith("ERROR"):
            found.append(line.strip())
    return found[:limit]


def stats(values: list[float]) -> dict[str, int]:
    return {"n": len(values), "p50_ms": round(statistics.median(values)),
            "p95_ms": round(pct(values, 0.95)), "max_ms": round(max(values))}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description="a room of learners against one server")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=0,
                        help="repeat rounds until this long has passed (0: one round)")
    parser.add_argument("--no-heavy", action="store_true", help="no grading, no index builds")
    parser.add_argument("--cold", action="store_true",
                        help="no readiness check: the room arrives as soon as the server listens")
    parser.add_argument("--think", type=float, default=1.0,
                        help="a learner's pause before each action, up to this many seconds")
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    args = parser.parse_args()

    from labs.curriculum.loader import load_curriculum

    modules = [m.id for m in load_curriculum().modules]
    data = Path(tempfile.mkdtemp(prefix="aie-room-"))
    with serving(data, cold=args.cold) as (port, proc):
        cpu_before = cpu_seconds(proc.pid)
        started = time.perf_counter()
        timings, errors, sent = asyncio.run(room(port, args.sessions, args.minutes,
                                                 not args.no_heavy, args.think, modules))
        wall = time.perf_counter() - started
        cpu = cpu_seconds(proc.pid) - cpu_before
    logged = server_log_errors((data / "server.log").read_text(errors="replace"))
    with sqlite3.connect(data / "aie-bridge.db") as db:
        stored = db.execute("SELECT COUNT(*) FROM quiz_attempt").fetchone()[0]
    light = [t for k in LIGHT for t in timings.get(k, [])]
    opening = [t for k in OPENING for t in timings.get(k, [])]
    result = {
        "sessions": args.sessions, "heavy": not args.no_heavy, "cold": args.cold,
        "wall_s": round(wall, 1),
        "server_cpu_s": round(cpu, 1),
        "cpu_ms_per_interaction": round(1000 * cpu / max(1, sum(map(len, timings.values())))),
        "p95_ms": round(pct(light, 0.95)) if light else None,
        "opening_p95_ms": round(pct(opening, 0.95)) if opening else None,
        "errors": len(errors), "answers_sent": sent, "answers_stored": stored,
        "by_kind": {k: stats(v) for k, v in sorted(timings.items())},
        "error_details": [asdict(e) for e in errors], "server_log_errors": logged,
        "server_log": str(data / "server.log"),
    }
    if not args.json:
        print(f"{args.sessions} sessions, heavy work {'on' if result['heavy'] else 'off'}, "
              f"{wall:.0f} s")
        print(f"{'interaction':<12} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for k, v in result["by_kind"].items():
            print(f"{k:<12} {v['n']:>5} {v['p50_ms']:>8} {v['p95_ms']:>8} {v['max_ms']:>8}")
        for e in errors:
            print("error:", e.line())
        for line in logged:
            print("server log:", line)
        print(f"answers sent {sent}, stored {stored}")
    print(json.dumps(result))
    return 0 if not errors and stored == sent else 1


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())

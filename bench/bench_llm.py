"""What the LLM gateway costs on top of the SDK, and what its cache and streaming buy.

Everything runs against the local wire-level server (tests/llm_server.py) on 127.0.0.1, so
the figures are the gateway's own overhead and the protocol's shape, not a provider's
latency. Compare ratios, not absolute times (the machine is shared).

    PYTHONPATH=. .venv/bin/python bench/bench_llm.py [--rounds 60]

Prints, per provider: the raw SDK call, the gateway with the cache off (validation,
accounting row, pricing), a cache hit; a structured call; the time to first streamed piece
against the whole stream (20 pieces, 20 ms apart); and the wall time of a call that meets a
429 with Retry-After: 0.3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("AIE_BRIDGE_DATA_DIR", tempfile.mkdtemp(prefix="aie-bench-llm-"))
os.environ["AIE_BRIDGE_SECRETS"] = ""

from pydantic import BaseModel  # noqa: E402

from labs import llm  # noqa: E402
from labs.llm.providers import get_provider  # noqa: E402
from tests.llm_server import LLMServer  # noqa: E402


class Verdict(BaseModel):
    winner: int
    reason: str


def median_ms(fn, rounds: int) -> float:
    fn()  # warm: imports, connection pool, the first SQLite write
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=60)
    rounds = ap.parse_args().rounds
    with LLMServer() as server:
        server.responder = lambda req: ({"winner": 1, "reason": "first"}
                                        if req.body.get("tools") or req.body.get(
                                            "response_format") else "ok")
        for provider in ("anthropic", "openai"):
            cfg = server.config(provider)
            sdk = get_provider(cfg)
            raw = median_ms(lambda sdk=sdk: sdk.generate(
                [{"role": "user", "content": "hi"}], schema=None, temperature=None,
                max_tokens=16), rounds)
            counter = iter(range(10**9))
            gw = median_ms(lambda cfg=cfg, counter=counter: llm.complete(
                f"hi {next(counter)}", feature="bench.plain", config=cfg, cache=False), rounds)
            llm.complete("cached question", feature="bench.cache", config=cfg)
            hit = median_ms(lambda cfg=cfg: llm.complete("cached question",
                                                         feature="bench.cache", config=cfg),
                            rounds)
            structured = median_ms(lambda cfg=cfg: llm.complete(
                "which?", feature="bench.judge", schema=Verdict, config=cfg, cache=False),
                rounds)
            print(f"{provider:9s} raw SDK {raw:6.2f} ms | gateway, cache off {gw:6.2f} ms "
                  f"(x{gw / raw:.2f}, +{gw - raw:.2f} ms) | cache hit {hit:6.2f} ms "
                  f"(x{hit / gw:.2f} of a miss) | structured {structured:6.2f} ms")

            server.push_stream([f"piece{i} " for i in range(20)], piece_delay=0.02)
            t0 = time.perf_counter()
            pieces = llm.complete("stream", feature="bench.stream", config=cfg, stream=True,
                                  cache=False)
            first = None
            for _ in pieces:
                first = first or (time.perf_counter() - t0) * 1000
            total = (time.perf_counter() - t0) * 1000
            print(f"{provider:9s} stream: first piece {first:6.1f} ms, whole answer "
                  f"{total:6.1f} ms (first piece at {first / total:.0%} of the wait)")

            server.push_error(429, retry_after="0.3").push_text("ok")
            t0 = time.perf_counter()
            done = llm.complete_with_meta("rate limited", feature="bench.retry", config=cfg,
                                          cache=False)
            print(f"{provider:9s} 429 + Retry-After 0.3 s: answered after {done.attempts} "
                  f"attempts in {(time.perf_counter() - t0) * 1000:.0f} ms")
    s = llm.spend_summary()
    print(f"recorded {s['calls']} calls, ${s['cost_usd']:.4f} known, "
          f"{s['cache_hits']} cache hits")


if __name__ == "__main__":
    main()

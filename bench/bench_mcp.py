"""MCP lab figures: BM25 search over the lessons, and the same MCP calls in memory, over stdio
and over streamable HTTP (our server as a subprocess on loopback).

Run: .venv/bin/python bench/bench_mcp.py [--calls 30]
Compare ratios, not absolute times: the machine is shared.
"""

from __future__ import annotations

import argparse
import statistics
import time

import anyio
from mcp import Client

from labs.curriculum.loader import load_curriculum
from labs.mcp.explorer import ExplorerClient, LocalHttpServer, Target
from labs.mcp.search import CurriculumIndex, lesson_sections
from labs.mcp.server import build_server

QUERIES = ["initialize handshake", "reciprocal rank fusion", "prompt caching cost",
           "golden set regression", "tenant isolation", "chunk overlap", "N×M integrations",
           "LLM as judge position bias"]


def ms(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def bench_bm25(calls: int) -> None:
    cur = load_curriculum()
    sections = lesson_sections(cur)
    CurriculumIndex(sections)  # warm-up: the first build pays for importing bm25s and PyStemmer
    build = statistics.median(ms(lambda: CurriculumIndex(sections)) for _ in range(5))
    index = CurriculumIndex(sections)
    times = [ms(lambda q=q: index.search(q, 5)) for _ in range(calls) for q in QUERIES]
    print(f"BM25 over {len(sections)} lesson sections: build {build:.1f} ms, "
          f"search median {statistics.median(times):.2f} ms, "
          f"p95 {sorted(times)[int(0.95 * len(times))]:.2f} ms ({len(times)} queries)")


def bench_in_memory(calls: int) -> dict[str, float]:
    async def main():
        t0 = time.perf_counter()
        async with Client(build_server(), mode="legacy") as c:
            connect = (time.perf_counter() - t0) * 1000
            lists, searches = [], []
            for i in range(calls):
                t = time.perf_counter()
                await c.list_tools()
                lists.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                await c.call_tool("search_curriculum", {"query": QUERIES[i % len(QUERIES)]})
                searches.append((time.perf_counter() - t) * 1000)
        return {"connect": connect, "tools/list": statistics.median(lists),
                "tools/call": statistics.median(searches)}

    return anyio.run(main)


def bench_explorer(target: Target, calls: int) -> dict[str, float]:
    client = ExplorerClient(target)
    connect = ms(client.connect)
    try:
        lists = [ms(client.list_tools) for _ in range(calls)]
        searches = [ms(lambda i=i: client.call_tool("search_curriculum",
                                                    {"query": QUERIES[i % len(QUERIES)]}))
                    for i in range(calls)]
        n_messages = len(client.log)
    finally:
        client.close()
    return {"connect": connect, "tools/list": statistics.median(lists),
            "tools/call": statistics.median(searches), "messages": n_messages}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=30)
    args = ap.parse_args()
    bench_bm25(args.calls)
    rows = {"in-memory": bench_in_memory(args.calls),
            "stdio": bench_explorer(Target.ours(), args.calls)}
    with LocalHttpServer() as server:
        rows["streamable HTTP"] = bench_explorer(Target("http", url=server.url), args.calls)
    print(f"\nMCP round trips, median of {args.calls} calls each (ms):")
    print("(in-memory connect includes building the server: loading the curriculum)")
    print(f"{'transport':<18}{'connect+init':>14}{'tools/list':>12}{'tools/call':>12}")
    for name, r in rows.items():
        print(f"{name:<18}{r['connect']:>14.1f}{r['tools/list']:>12.2f}{r['tools/call']:>12.2f}")
    base = rows["in-memory"]["tools/call"]
    for name in ("stdio", "streamable HTTP"):
        print(f"tools/call over {name}: {rows[name]['tools/call'] / base:.1f}× in-memory")
    print(f"stdio connect includes spawning Python and importing the server: "
          f"{rows['stdio']['connect'] / rows['streamable HTTP']['connect']:.1f}× the HTTP "
          "connect to an already running server")


if __name__ == "__main__":
    main()

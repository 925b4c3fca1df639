"""`aie-bridge mcp serve|list|trace`: run the AIE Bridge MCP server, print what it offers, or
record one scripted session over streamable HTTP in either protocol era."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    mcp = sub.add_parser("mcp", help="the AIE Bridge MCP server")
    msub = mcp.add_subparsers(dest="mcp_command", metavar="ACTION", required=True)
    serve = msub.add_parser("serve", help="serve the curriculum and labs over MCP")
    serve.add_argument("--transport", choices=["stdio", "http"], default="stdio",
                       help="stdio for a host that spawns the server, http for streamable HTTP")
    serve.add_argument("--host", default="127.0.0.1",
                       help="interface to bind with --transport http (default: loopback only)")
    serve.add_argument("--port", type=int, default=8765, help="port for --transport http")
    serve.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                       help="a non-local browser Origin to accept (repeatable); others get 403")
    serve.add_argument("--content", type=Path, default=None, help="content folder to serve")
    serve.set_defaults(func=_serve)
    lst = msub.add_parser("list", help="print the tools, resources and prompts as JSON")
    lst.set_defaults(func=_list)
    trace = msub.add_parser("trace", help="record a scripted session over streamable HTTP: "
                            "every request and response, headers and JSON bodies")
    trace.add_argument("--era", choices=["modern", "legacy"], default="modern",
                       help="modern: 2026-07-28 stateless (server/discover); "
                            "legacy: 2025-11-25 initialize handshake and session")
    trace.add_argument("--json", action="store_true",
                       help='print {"era", "exchanges": [{"request", "response"}]} as JSON')
    trace.add_argument("--url", default=None,
                       help="trace a running server instead of starting one on a free port")
    trace.set_defaults(func=_trace)


def _serve(args: argparse.Namespace) -> int:
    from labs.content import CONTENT_DIR
    from labs.mcp.server import build_server, serve_http

    if not 0 < args.port < 65536:
        print(f"error: --port must be between 1 and 65535, not {args.port}", file=sys.stderr)
        return 1
    root = args.content or CONTENT_DIR
    if not (root / "modules").is_dir():
        print(f"error: {root} is not a content folder (no modules/ inside)", file=sys.stderr)
        return 1
    server = build_server(root)
    if args.transport == "stdio":
        server.run("stdio")  # stdout carries JSON-RPC only; anything else goes to stderr
        return 0
    print(f"AIE Bridge MCP server: streamable HTTP at http://{args.host}:{args.port}/mcp",
          file=sys.stderr, flush=True)
    try:
        serve_http(server, args.host, args.port, args.allow_origin)
    except OSError as e:
        print(f"error: cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
        return 1
    return 0


def _list(args: argparse.Namespace) -> int:
    from labs.mcp.server import build_server, describe

    print(json.dumps(describe(build_server()), indent=2))
    return 0


def _trace(args: argparse.Namespace) -> int:
    import logging

    from labs.mcp.explorer import ExplorerError, check_url
    from labs.mcp.trace import run_trace, transcript

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    try:
        url = check_url(args.url) if args.url is not None else None
        trace = run_trace(args.era, url)
    except ExplorerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - an unreachable or non-MCP URL is one sentence
        from labs.mcp.explorer import _explain

        print(f"error: the trace against {args.url or 'the built-in server'} failed: "
              f"{_explain(e)}", file=sys.stderr)
        return 1
    print(json.dumps(trace, indent=2) if args.json else transcript(trace))
    return 0

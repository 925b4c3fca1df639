"""`aie-bridge mcp serve|list`: run the AIE Bridge MCP server, or print what it offers."""

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


def _serve(args: argparse.Namespace) -> int:
    from labs.curriculum.loader import CONTENT_DIR
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

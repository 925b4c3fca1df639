"""`aie-bridge llm status | export | clear-cache`: which LLM is configured and whether it
answers, the call log as CSV, and emptying the response cache. Never prints a key."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    llm = sub.add_parser("llm", help="the LLM gateway: status, spend export, cache")
    lsub = llm.add_subparsers(dest="llm_command", metavar="ACTION", required=True)
    status = lsub.add_parser("status", help="show the configured provider and test it")
    status.add_argument("--no-check", action="store_true",
                        help="do not send the one tiny test prompt")
    status.set_defaults(func=_status)
    export = lsub.add_parser("export", help="write the LLM call log as CSV")
    export.add_argument("--out", type=Path, help="file to write (default: stdout)")
    export.set_defaults(func=_export)
    clear = lsub.add_parser("clear-cache", help="empty the exact-match response cache")
    clear.set_defaults(func=_clear)


def _config():
    from labs.llm import current_config

    try:
        return current_config()
    except ValueError as e:  # AIE_BRIDGE_LLM=nonsense:model and the like
        print(f"error: {e}", file=sys.stderr)
        return None


def _status(args: argparse.Namespace) -> int:
    from labs import llm
    from labs.store import StoreError

    cfg = _config()
    if cfg is None:
        return 1
    print(f"provider: {cfg.describe()}")
    print(f"retries: {cfg.max_retries} · timeout {cfg.timeout:g}s · "
          f"cache {'on' if cfg.cache else 'off'}")
    try:
        s = llm.spend_summary()
        cache = llm.cache_stats()
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    unknown = f" (+{s['unknown']} calls cost unknown)" if s["unknown"] else ""
    print(f"spend: {s['calls']} calls, ${s['cost_usd']:.4f}{unknown}; "
          f"cache: {cache['entries']} entries, {cache['hits']} hits")
    if cfg.provider == "offline":
        print("offline: features with a deterministic implementation run it, labelled "
              "offline; the rest need an LLM.")
        print(llm.HOW_TO_CONFIGURE)
        return 0
    if args.no_check:
        return 0
    check = llm.check_connection(cfg)
    print(("answers: " if check.ok else "error: ") + check.message)
    return 0 if check.ok else 1


def _export(args: argparse.Namespace) -> int:
    from labs.llm import export_calls_csv
    from labs.store import StoreError

    try:
        text = export_calls_csv()
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as e:
        print(f"error: cannot write {args.out}: {e.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {text.count(chr(10)) - 1} calls to {args.out}")
    return 0


def _clear(args: argparse.Namespace) -> int:
    from labs.llm import cache_clear

    print(f"dropped {cache_clear()} cached answers")
    return 0

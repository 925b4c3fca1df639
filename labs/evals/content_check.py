"""The eval sandbox's check for `aie-bridge content check`: its items and similarity pairs."""

from __future__ import annotations

from pathlib import Path


def check_evals(root: Path) -> str:
    from labs.evals.data import load_items, load_pairs

    items = load_items(root / "evals" / "items.yaml").items
    pairs = load_pairs(root / "evals" / "similarity_pairs.yaml").pairs
    return f"{len(items)} eval items, {len(pairs)} similarity pairs"


CHECKS = [("eval sandbox", check_evals)]

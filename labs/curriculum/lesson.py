"""How a lesson is laid out on the page: its navigable sections and diagrams sized to be read.

Pure functions over a module's Markdown body, so the page only draws what these return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INTRO_TITLE = "Introduction"
# A left-to-right diagram longer than this many ranks is wider than a lesson column at its
# natural size, so the browser shrinks it and its text with it (the RAG pipeline, 8 ranks
# across, drew its labels at about 6 px). Laid out top to bottom it keeps full-size text.
MAX_RANKS_ACROSS = 4
FONT_DEFAULTS = ('graph [fontname="Helvetica", fontsize=14];\n'
                 '  node [fontname="Helvetica", fontsize=14];\n'
                 '  edge [fontname="Helvetica", fontsize=12];\n')
_H2 = re.compile(r"^## +(.+?)\s*#*\s*$")
_RANKDIR = re.compile(r"\brankdir\s*=\s*\"?(LR|RL|TB|BT)\"?", re.I)
_ATTRS = re.compile(r"\[[^\]]*\]")
_NODE_ID = re.compile(r'^"?([\w.]+)"?$')


@dataclass(frozen=True)
class LessonSection:
    title: str
    text: str  # the section's Markdown, its own heading included


def lesson_sections(body: str) -> list[LessonSection]:
    """Split a lesson at its `##` headings (not inside fences); text before the first heading
    becomes an introduction section.

    >>> [s.title for s in lesson_sections("Hi\\n## One\\na\\n```\\n## no\\n```\\n## Two\\nb")]
    ['Introduction', 'One', 'Two']
    """
    sections: list[tuple[str, list[str]]] = [(INTRO_TITLE, [])]
    in_fence = False
    for line in body.split("\n"):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        heading = None if in_fence else _H2.match(line)
        if heading:
            sections.append((heading.group(1).strip(), []))
        sections[-1][1].append(line)
    return [LessonSection(title, "\n".join(lines)) for title, lines in sections
            if "\n".join(lines).strip()]


def _edges(src: str) -> list[tuple[str, str]]:
    edges = []
    for statement in re.split(r"[;\n{}]", _ATTRS.sub("", src)):
        if "->" not in statement:
            continue
        ids = [_NODE_ID.match(part.strip()) for part in statement.split("->")]
        names = [m.group(1) for m in ids if m]
        if len(names) == len(ids):  # skip subgraph-to-subgraph edges and other forms
            edges += list(zip(names, names[1:], strict=False))
    return edges


def rank_count(src: str) -> int:
    """Nodes on the longest edge path of a DOT graph: how many ranks the layout lines up.

    >>> rank_count("digraph G { a -> b -> c; a -> c; c -> a }")
    3
    """
    succ: dict[str, list[str]] = {}
    for a, b in _edges(src):
        succ.setdefault(a, []).append(b)
    memo: dict[str, int] = {}

    def depth(node: str, path: frozenset[str]) -> int:
        if node in memo:
            return memo[node]
        best = 1 + max((depth(n, path | {node}) for n in succ.get(node, ()) if n not in path),
                       default=0)
        memo[node] = best
        return best

    return max((depth(n, frozenset()) for n in succ), default=1)


def legible_dot(src: str) -> str:
    """The diagram with readable font defaults, turned top to bottom when left to right would
    be too wide for the lesson column to show at full size."""
    out = src
    direction = _RANKDIR.search(src)
    across = direction.group(1).upper() if direction else "TB"
    if direction is not None and across in {"LR", "RL"} and rank_count(src) > MAX_RANKS_ACROSS:
        turned = "TB" if across == "LR" else "BT"
        out = out[: direction.start(1)] + turned + out[direction.end(1):]
    brace = out.find("{")
    if brace < 0:
        return out
    return out[: brace + 1] + "\n  " + FONT_DEFAULTS + out[brace + 1:]

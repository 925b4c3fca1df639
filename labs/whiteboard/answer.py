"""A learner's design answer: the structured whiteboard (five question fields, nodes and
edges, the deep dive) or free-form Markdown, turned into one Markdown text the graders read.

Also reads an answer file for the CLI: Markdown as is, or a saved attempt (JSON) holding
either a structured answer or the answer text. What this leaves out: layout; the graph is
drawn by the page (`to_dot`) and graded from its labels and notes.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from labs.whiteboard.models import Box, Dimension
from labs.whiteboard.rubric import BOXES, DIMENSIONS

MAX_ANSWER_CHARS = 60_000


class Node(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64)
    label: str = Field(min_length=1, max_length=120)
    box: Box | None = None  # one of the reference boxes, or None for the learner's own
    note: str = Field(default="", max_length=1000)  # why it is there


class Edge(BaseModel):
    model_config = ConfigDict(extra="forbid")
    src: str
    dst: str
    label: str = Field(default="", max_length=120)


class DesignAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    questions: dict[Dimension, str] = {}
    nodes: list[Node] = []
    edges: list[Edge] = []
    architecture_notes: str = ""  # why the boxes are there
    bottleneck: str = ""
    tradeoffs: str = ""
    eval_plan: str = ""
    freeform: str = ""  # a pasted Markdown answer; graded with everything else

    def is_empty(self) -> bool:
        return not self.to_markdown().strip()

    def to_markdown(self) -> str:
        """One Markdown answer. Field labels are headings (the grader ignores headings), so an
        empty field earns nothing and a filled one is judged on what it says."""
        parts: list[str] = []
        qs = [(d, self.questions.get(d, "").strip()) for d in Dimension]
        if any(t for _, t in qs):
            parts.append("## Clarifying questions")
            for d, t in qs:
                if t:
                    parts += [f"### {DIMENSIONS[d].title}", t]
        if self.nodes:
            parts.append("## Architecture")
            labels = {n.id: n.label for n in self.nodes}
            for n in self.nodes:
                box = f" ({BOXES[n.box][0]})" if n.box else ""
                note = f": {n.note.strip()}" if n.note.strip() else ""
                parts.append(f"- {n.label}{box}{note}")
            flows = [f"{labels.get(e.src, e.src)} → {labels.get(e.dst, e.dst)}"
                     + (f" ({e.label})" if e.label else "") for e in self.edges]
            if flows:
                parts.append("- Request flow: " + "; ".join(flows))
        if self.architecture_notes.strip():
            if not self.nodes:
                parts.append("## Architecture")
            parts.append(self.architecture_notes.strip())
        for title, text in (("Bottleneck", self.bottleneck), ("Trade-offs", self.tradeoffs),
                            ("Eval plan", self.eval_plan)):
            if text.strip():
                parts += [f"## {title}", text.strip()]
        if self.freeform.strip():
            parts.append(self.freeform.strip())
        return "\n".join(parts)


def slug(text: str) -> str:
    """A node id from a learner's label: 'Feature store!' → 'feature-store'."""
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)[:64] or "node"


def parse_edges(text: str, nodes: list[Node]) -> tuple[list[Edge], list[str]]:
    """Edges from lines like `client -> API gateway: rate limited` (ids or labels, any case).
    Returns (edges, problems) so the page can say which lines it could not use."""
    by_name: dict[str, str] = {}
    for n in nodes:
        by_name[n.id.lower()] = n.id
        by_name[n.label.lower()] = n.id
        by_name[slug(n.label)] = n.id
    edges, problems = [], []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        arrow = "->" if "->" in line else "→" if "→" in line else None
        if arrow is None:
            problems.append(f"“{line}”: write it as `a -> b`")
            continue
        src, rest = (p.strip() for p in line.split(arrow, 1))
        dst, _, label = rest.partition(":")
        a = by_name.get(src.lower()) or by_name.get(slug(src))
        b = by_name.get(dst.strip().lower()) or by_name.get(slug(dst))
        if a is None or b is None:
            missing = src if a is None else dst.strip()
            problems.append(f"“{line}”: no node called “{missing}”")
            continue
        edges.append(Edge(src=a, dst=b, label=label.strip()[:120]))
    return edges, problems


def _dot_quote(text: str) -> str:
    """A Graphviz double-quoted string: backslashes, quotes and newlines escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(answer: DesignAnswer, rankdir: str = "LR") -> str:
    """The architecture as Graphviz DOT; every label escaped, unknown edge ends skipped.
    `rankdir="TB"` runs it down a narrow column (the whiteboard's side column)."""
    ids = {n.id for n in answer.nodes}
    lines = ["digraph Design {", f"  rankdir={rankdir};",
             '  node [shape=box, style="rounded,filled", fillcolor="#eef4ff"];']
    for n in answer.nodes:
        fill = ', fillcolor="#fff4e0"' if n.box == Box.observability else (
            ', fillcolor="#f1f1f1"' if n.box is None else "")
        lines.append(f"  {_dot_quote(n.id)} [label={_dot_quote(n.label)}{fill}];")
    for e in answer.edges:
        if e.src in ids and e.dst in ids:
            lab = f" [label={_dot_quote(e.label)}]" if e.label else ""
            lines.append(f"  {_dot_quote(e.src)} -> {_dot_quote(e.dst)}{lab};")
    lines.append("}")
    return "\n".join(lines)


class AnswerFileError(ValueError):
    """The answer file cannot be used; the message says why."""


def read_answer_file(path: Path) -> tuple[str, list[dict]]:
    """(answer Markdown, questions asked) from a Markdown file or a saved attempt (JSON)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise AnswerFileError(f"cannot read {path}: {e.strerror or e}") from e
    if len(raw) > MAX_ANSWER_CHARS * 4:
        raise AnswerFileError(f"{path} is too large ({len(raw):,} bytes); an answer is at most "
                              f"{MAX_ANSWER_CHARS:,} characters")
    if b"\x00" in raw[:4096]:
        raise AnswerFileError(f"{path} looks binary; give a Markdown or JSON file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise AnswerFileError(f"{path} is not UTF-8 text") from e
    return parse_answer_text(text)


def parse_answer_text(text: str) -> tuple[str, list[dict]]:
    """Free-form Markdown, or JSON of a saved attempt / a structured answer."""
    stripped = text.strip()
    if not stripped:
        raise AnswerFileError("the answer is empty")
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            data = None  # Markdown that happens to start with a brace
        if isinstance(data, dict):
            return _from_json(data)
    if len(stripped) > MAX_ANSWER_CHARS:
        raise AnswerFileError(f"the answer is {len(stripped):,} characters; the limit is "
                              f"{MAX_ANSWER_CHARS:,}")
    return stripped, []


def _from_json(data: dict) -> tuple[str, list[dict]]:
    questions = data.get("questions_asked") or []
    if not isinstance(questions, list):
        questions = []
    body = data.get("answer")
    try:
        if isinstance(body, dict):
            text = DesignAnswer.model_validate(body).to_markdown()
        elif isinstance(data.get("answer_text"), str):
            text = data["answer_text"]
        elif isinstance(body, str):
            text = body
        elif data and set(data) <= set(DesignAnswer.model_fields):
            text = DesignAnswer.model_validate(data).to_markdown()
        else:
            raise AnswerFileError("the JSON holds no `answer` or `answer_text`")
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise AnswerFileError(f"the saved answer does not validate: {loc}: {first['msg']}") from e
    if not text.strip():
        raise AnswerFileError("the answer is empty")
    return text[:MAX_ANSWER_CHARS], [q for q in questions if isinstance(q, dict)]

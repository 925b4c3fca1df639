"""The offline rubric grader: deterministic, explainable, no LLM.

How one answer is graded:
1. Lines that address the grader (instructions, fake chat turns, score-shaped JSON) are
   removed (`text.neutralise`); the learner sees which.
2. The rest is split into sentences and embedded once (MiniLM, cached by content hash),
   shortest first in small batches on one torch thread, the cheapest way measured on 2
   shared cores; the rubric's own texts are embedded once per process. Answers past
   MAX_ANSWER_WORDS are refused with a message instead of graded for a minute.
3. Each rubric item has concepts: short phrases matched lexically (stemmed tokens) and
   descriptions matched by embedding (cosine ≥ a threshold). The best-matching sentence is
   quoted as evidence, with how it matched.
4. Items: the five clarifying questions (0-2 each: raised, and consistent with the
   prompt's hidden requirement), architecture coverage (0-4: expected boxes present, and
   justified), the trap (0-3), trade-offs (0-4: cost, latency, quality, and what a strong
   answer weighs), the eval plan (0-3: dataset, metrics, cadence) and, in mock mode, the
   requirement change (0-2). The total is their weighted sum on 0-100; the level follows
   bands, gated on the trap.

What it leaves out: negation and sarcasm ("we would *not* cache" still mentions caching), and
whether a claim is true. A sentence earns credit only by matching a concept of this prompt's
rubric, never by its length, and the same sentences always give the same grade.
"""

from __future__ import annotations

import math
import sys
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from labs.whiteboard.models import DesignPrompt, Dimension
from labs.whiteboard.rubric import (
    BOX_DESCRIPTIONS,
    BOXES,
    CHANGE_WEIGHT,
    DIMENSIONS,
    EVAL_PARTS,
    ITEM_MAX,
    ITEM_TITLES,
    LEVELS,
    REASON_MARKERS,
    TRADEOFF_AXES,
    TRADEOFF_MARKERS,
    WEIGHTS,
)
from labs.whiteboard.text import neutralise, phrase_in, sentences

# Cosine thresholds for MiniLM, set on the fixture and the content prompts' reference answers.
SIM_PHRASE = 0.62  # a sentence against a short phrase ("tenant isolation")
SIM_DESCRIPTION = 0.52  # a sentence against a one-line description of a concept
SIM_REQUIREMENT = 0.60  # a sentence against the interviewer's hidden answer
SIM_WEIGHS = 0.55  # a sentence against one "strong answer weighs" line
MIN_JUSTIFIED_WORDS = 7
# Longer answers are refused with a message rather than graded for a minute: the longest
# reference answer is ~500 words, a 45-minute whiteboard answer rarely passes 2,000.
MAX_ANSWER_WORDS = 4_000
# Sentences are embedded in batches of this many, shortest first. One batch of 32 pads every
# sentence to the longest one (a table row of ~90 tokens beside 10-token bullets); batches of
# 8 of similar length cut the model's CPU time per answer by about a quarter (bench/).
ENCODE_BATCH = 8
# An answer's sentences are embedded on one torch thread. With two, each small batch is split
# across both cores and the threads spin waiting for each other: on the shared 2-core machine
# that cost a third more CPU per answer, and under load (a descheduled partner thread) up to
# three times the CPU and a slower grade (bench/). The vectors are the same.
ENCODE_THREADS = 1


class AnswerTooLong(ValueError):
    """An answer past MAX_ANSWER_WORDS: refused before any embedding, with a message."""


class ItemGrade(BaseModel):
    id: str
    title: str
    score: float = Field(ge=0)
    max: float = Field(gt=0)
    evidence: str = ""
    feedback: str = ""
    matched: list[str] = []
    missing: list[str] = []


class Grade(BaseModel):
    prompt_id: str
    total: int = Field(ge=0, le=100)
    level: str
    items: list[ItemGrade]
    provider: str = "offline"
    model: str = "rubric"
    mode: str = "whiteboard"
    ignored_lines: list[str] = []

    def public(self) -> dict[str, Any]:
        """The CLI / MCP shape: total, level, items (id, score, max, evidence, feedback)."""
        return {"total": self.total, "level": self.level, "provider": self.provider,
                "items": [{"id": i.id, "score": i.score, "max": i.max, "evidence": i.evidence,
                           "feedback": i.feedback} for i in self.items]}

    def item(self, item_id: str) -> ItemGrade:
        return next(i for i in self.items if i.id == item_id)

    def missed(self) -> list[ItemGrade]:
        """Items at under half marks: the ones that become flashcards."""
        return [i for i in self.items if i.score < i.max / 2]


@dataclass(frozen=True)
class Match:
    sentence: str
    how: str  # "lexical 'golden set'" or "embedding 0.71 to '…'"
    concept: str

    def quote(self) -> str:
        return f"“{self.sentence}” ({self.how})"


_threads_lock = threading.Lock()
_threads_users = 0
_threads_before = 0


@contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    """Run torch on `n` intra-op threads for the block. The setting is process-wide, so
    overlapping grades share one change and the last to finish restores the old count; torch
    is not imported here (a grader given another embedder leaves it alone)."""
    global _threads_users, _threads_before
    torch = sys.modules.get("torch")
    if torch is None or n <= 0:
        yield
        return
    with _threads_lock:
        if _threads_users == 0:
            _threads_before = torch.get_num_threads()
            if _threads_before != n:
                torch.set_num_threads(n)
        _threads_users += 1
    try:
        yield
    finally:
        with _threads_lock:
            _threads_users -= 1
            if _threads_users == 0 and torch.get_num_threads() != _threads_before:
                torch.set_num_threads(_threads_before)


def encode_by_length(embedder: Any, texts: Sequence[str]) -> np.ndarray:
    """Embed texts in batches of ENCODE_BATCH of similar length (shortest first), so short
    sentences are not padded to the longest, on ENCODE_THREADS torch threads; rows come back
    in the order of `texts`."""
    if not texts:
        return np.zeros((0, 1), np.float32)
    order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
    rows: list[Any] = [None] * len(texts)
    with _torch_threads(ENCODE_THREADS):
        for start in range(0, len(order), ENCODE_BATCH):
            idx = order[start : start + ENCODE_BATCH]
            for i, v in zip(idx, embedder.encode([texts[i] for i in idx]), strict=True):
                rows[i] = v
    return np.stack(rows)


# Rubric texts (descriptions, expected phrases, hidden answers) are the same for every answer
# to a prompt: their vectors are kept per embedder for the life of the process, so a grade
# embeds, or even looks up, only the answer's own sentences.
_CONCEPT_VECS: weakref.WeakKeyDictionary[Any, dict[str, np.ndarray]] = (
    weakref.WeakKeyDictionary())
_MAX_CONCEPTS = 20_000


def _concept_vectors(embedder: Any) -> dict[str, np.ndarray]:
    try:
        vecs = _CONCEPT_VECS.setdefault(embedder, {})
    except TypeError:  # an embedder that cannot be weakly referenced: no process cache
        return {}
    if len(vecs) > _MAX_CONCEPTS:
        vecs.clear()
    return vecs


class Matcher:
    """The answer's sentences and their embeddings; finds the best sentence for a concept."""

    def __init__(self, sents: Sequence[str], embedder: Any):
        self.sents = list(sents)
        self.embedder = embedder
        self.vecs = encode_by_length(embedder, self.sents)
        self._concepts = _concept_vectors(embedder)

    def prepare(self, concepts: Sequence[str]) -> None:
        """Embed the concept texts not yet seen in this process (by length, like sentences)."""
        todo = [c for c in dict.fromkeys(concepts) if c not in self._concepts]
        if todo:
            for c, v in zip(todo, encode_by_length(self.embedder, todo), strict=True):
                self._concepts[c] = v

    def lexical(self, phrases: Sequence[str], where: Sequence[str] | None = None) -> Match | None:
        for s in self.sents if where is None else where:
            for p in phrases:
                if phrase_in(s, p):
                    return Match(s, f"lexical ‘{p}’", p)
        return None

    def semantic(self, concepts: Sequence[str], threshold: float,
                 where: Sequence[str] | None = None) -> Match | None:
        """The (sentence, concept) pair with the highest cosine, if it clears the threshold;
        `where` limits the sentences considered."""
        allowed = None if where is None else set(where)
        rows = [i for i, s in enumerate(self.sents) if allowed is None or s in allowed]
        if not rows or not concepts:
            return None
        self.prepare(concepts)
        mat = np.stack([self._concepts[c] for c in concepts])
        sims = self.vecs[rows] @ mat.T  # (sentences, concepts)
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        best = float(sims[i, j])
        if best < threshold:
            return None
        c = concepts[j]
        short = c if len(c) <= 60 else c[:57] + "…"
        return Match(self.sents[rows[i]], f"embedding {best:.2f} to ‘{short}’", c)

    def find(self, cues: Sequence[str], descriptions: Sequence[str]) -> Match | None:
        """Lexical cues first (exact and explainable), then embeddings against descriptions.
        Single-word cues are not embedded: alone, a word's vector says little."""
        return self.lexical(cues) or self.semantic(list(descriptions), SIM_DESCRIPTION)


def _r(x: float) -> float:
    return round(x + 1e-9, 1)


def _grade_dimension(m: Matcher, prompt: DesignPrompt, d: Dimension,
                     asked_log: list[dict]) -> ItemGrade:
    info = DIMENSIONS[d]
    req = prompt.hidden_requirements.get(d)
    logged = next((q for q in asked_log if q.get("dimension") == d.value), None)
    raised = m.find(info.cues, [info.description, *info.examples])
    # consistent: the design carries the requirement's own wording (two of its phrases, as
    # one topic word such as "refund" also appears in designs that contradict it), or says
    # what the interviewer's answer says (embedding)
    hits = _concept_hits(m, req.expects, SIM_PHRASE)
    consistent = (next(iter(hits.values())) if len(hits) >= min(2, len(req.expects)) else None
                  ) or m.semantic([req.answer], SIM_REQUIREMENT)
    asked = logged is not None or raised is not None
    score = int(asked) + int(consistent is not None)
    if consistent:
        evidence = consistent.quote()
    elif logged:
        evidence = f"asked the interviewer: “{logged.get('question', '')}”"
    elif raised:
        evidence = raised.quote()
    else:
        evidence = ""
    if score == 2:
        feedback = f"Raised, and the design fits the requirement: {req.answer}"
    elif asked:
        feedback = (f"Raised, but the design does not reflect the answer: {req.answer} "
                    f"An answer consistent with it mentions: {', '.join(req.expects)}.")
    elif consistent:
        feedback = (f"The design fits the requirement, but the question is never raised: ask "
                    f"“{info.title}” before drawing and say what the answer changes.")
    else:
        feedback = f"Not asked. The interviewer would have said: {req.answer}"
    return ItemGrade(id=d.value, title=ITEM_TITLES[d.value], score=score,
                     max=ITEM_MAX[d.value],
                     evidence=evidence, feedback=feedback,
                     matched=list(hits) or ([consistent.concept] if consistent else []),
                     missing=[e for e in req.expects if e not in hits])


def _justified(sentence: str) -> bool:
    low = f" {sentence.lower()} "
    return len(sentence.split()) >= MIN_JUSTIFIED_WORDS and any(r in low for r in REASON_MARKERS)


def _grade_architecture(m: Matcher, prompt: DesignPrompt) -> ItemGrade:
    expected = list(prompt.expected_components)
    found: dict[str, Match] = {}
    for box, (_, aliases) in BOXES.items():
        hit = m.lexical(aliases) or m.semantic([BOX_DESCRIPTIONS[box]], 0.60)
        if hit:
            found[box.value] = hit
    present = [b for b in expected if b.value in found]
    missing = [b for b in expected if b.value not in found]
    # a box is justified when some sentence naming it also says why
    justified = [b for b in present
                 if any(_justified(s) and m.lexical(BOXES[b][1], [s]) for s in m.sents)]
    cov = len(present) / len(expected)
    score = 3 * cov + 1 * (len(justified) / len(expected))
    names = {b.value: BOXES[b][0] for b in BOXES}
    counts = {s: sum(1 for b in present if m.lexical(BOXES[b][1], [s])) for s in m.sents}
    best = max(counts, key=lambda s: counts[s], default="")
    evidence = f"“{best}” (names {counts[best]} of the expected boxes)" if best and counts[
        best] else ""
    extra = [names[b] for b in found if b not in {e.value for e in expected}]
    fb = [f"Present: {', '.join(names[b.value] for b in present) or 'none'}."]
    if missing:
        fb.append(f"Missing: {', '.join(names[b.value] for b in missing)}.")
    unjust = [names[b.value] for b in present if b not in justified]
    if unjust:
        fb.append(f"Say why these are there: {', '.join(unjust)}.")
    if extra:
        fb.append(f"Also drawn (not expected for this prompt): {', '.join(extra)}.")
    return ItemGrade(id="architecture", title=ITEM_TITLES["architecture"], score=_r(score),
                     max=ITEM_MAX["architecture"],
                     evidence=evidence, feedback=" ".join(fb),
                     matched=[names[b.value] for b in present],
                     missing=[names[b.value] for b in missing])


def _concept_hits(m: Matcher, concepts: Sequence[str], sim: float) -> dict[str, Match]:
    hits: dict[str, Match] = {}
    for c in concepts:
        hit = m.lexical([c]) or m.semantic([c], sim)
        if hit:
            hits[c] = hit
    return hits


def _grade_trap(m: Matcher, prompt: DesignPrompt) -> ItemGrade:
    concepts = list(prompt.trap_concepts)
    hits = _concept_hits(m, concepts, SIM_PHRASE)
    need = max(1, math.ceil(len(concepts) / 2))
    score = 3 * min(1.0, len(hits) / need)
    missing = [c for c in concepts if c not in hits]
    evidence = " · ".join(h.quote() for h in list(hits.values())[:2])
    if len(hits) >= need:
        fb = f"The trap is addressed ({', '.join(hits)})."
    else:
        fb = (f"The trap is only partly addressed: {prompt.trap.strip()} "
              f"Still missing: {', '.join(missing)}.")
    return ItemGrade(id="trap", title=ITEM_TITLES["trap"], score=_r(score), max=ITEM_MAX["trap"],
                     evidence=evidence, feedback=fb, matched=list(hits), missing=missing)


def _grade_tradeoffs(m: Matcher, prompt: DesignPrompt) -> ItemGrade:
    weighed: dict[str, str] = {}
    candidates = [s for s in m.sents if any(mk in f" {s.lower()} " for mk in TRADEOFF_MARKERS)]
    for axis, (desc, aliases) in TRADEOFF_AXES.items():
        hit = m.lexical(aliases, candidates) or m.semantic([desc], SIM_DESCRIPTION, candidates)
        if hit:
            weighed[axis] = hit.quote()
    weighs = list(prompt.strong_answer_weighs)
    w_hits = _concept_hits(m, weighs, SIM_WEIGHS)
    need = max(1, math.ceil(len(weighs) / 2))
    score = len(weighed) + min(1.0, len(w_hits) / need)
    missing_axes = [a for a in TRADEOFF_AXES if a not in weighed]
    evidence = " · ".join(list(weighed.values())[:2])
    fb = [f"Weighed: {', '.join(weighed) or 'nothing'}."]
    if missing_axes:
        fb.append(f"Say what you spend or save in {', '.join(missing_axes)}, and which way you "
                  f"chose.")
    fb.append(f"Of what a strong answer weighs, {len(w_hits)} of {len(weighs)} appear.")
    not_weighed = [w for w in weighs if w not in w_hits]
    if not_weighed:
        fb.append(f"For example: {not_weighed[0]}")
    return ItemGrade(id="tradeoffs", title=ITEM_TITLES["tradeoffs"], score=_r(score),
                     max=ITEM_MAX["tradeoffs"],
                     evidence=evidence, feedback=" ".join(fb),
                     matched=list(weighed) + list(w_hits), missing=missing_axes + not_weighed)


def _grade_eval_plan(m: Matcher, prompt: DesignPrompt) -> ItemGrade:
    parts: dict[str, Match] = {}
    for part, (desc, aliases) in EVAL_PARTS.items():
        hit = m.find(aliases, [desc])
        if hit:
            parts[part] = hit
    missing = [p for p in EVAL_PARTS if p not in parts]
    hints = {"dataset": "a golden set (how many cases, where they come from)",
             "metric": "named metrics (recall@K, faithfulness, an LLM judge checked against "
                       "human labels…)",
             "cadence": "when it runs and what it blocks (every release, a regression gate)"}
    fb = ("Concrete: a dataset, named metrics and a cadence." if not missing else
          "To make it concrete, add " + "; ".join(hints[p] for p in missing) + ".")
    return ItemGrade(id="eval_plan", title=ITEM_TITLES["eval_plan"], score=len(parts),
                     max=ITEM_MAX["eval_plan"],
                     evidence=" · ".join(h.quote() for h in list(parts.values())[:2]),
                     feedback=fb, matched=list(parts), missing=missing)


def _grade_change(m: Matcher, prompt: DesignPrompt) -> ItemGrade:
    ch = prompt.requirement_change
    hits = _concept_hits(m, ch.expects, SIM_PHRASE)
    score = min(2, len(hits))
    fb = (f"The design responded to the change ({', '.join(hits)})." if score == 2 else
          f"After “{ch.announcement}” the design should change: "
          f"{', '.join(c for c in ch.expects if c not in hits)}.")
    return ItemGrade(id="requirement_change", title=ITEM_TITLES["requirement_change"],
                     score=score, max=ITEM_MAX["requirement_change"],
                     evidence=" · ".join(h.quote() for h in hits.values()),
                     feedback=fb, matched=list(hits),
                     missing=[c for c in ch.expects if c not in hits])


def weights(mode: str) -> dict[str, float]:
    if mode != "mock":
        return dict(WEIGHTS)
    scale = (100 - CHANGE_WEIGHT) / 100
    return {**{k: v * scale for k, v in WEIGHTS.items()}, "requirement_change": CHANGE_WEIGHT}


def total_and_level(items: Sequence[ItemGrade], mode: str) -> tuple[int, str]:
    """The weighted 0-100 total, and the level band (L5 and up need the trap half done)."""
    w = weights(mode)
    total = sum(w.get(i.id, 0) * min(i.score, i.max) / i.max for i in items)
    total_i = int(round(total))
    level = next(name for floor, name in LEVELS if total_i >= floor)
    trap = next((i for i in items if i.id == "trap"), None)
    if level in ("L5", "L6") and trap is not None and trap.score < trap.max / 2:
        level = "L4"
    return total_i, level


def grade_offline(prompt: DesignPrompt, answer: str, *, questions_asked: Sequence[dict] = (),
                  mode: str = "whiteboard", embedder: Any = None) -> Grade:
    """Grade one answer against the prompt's rubric. Deterministic for a given model."""
    if embedder is None:
        from labs.embeddings import get_embedder

        embedder = get_embedder()
    cleaned = neutralise(answer)
    n_words = len(cleaned.text.split())
    if n_words > MAX_ANSWER_WORDS:
        raise AnswerTooLong(
            f"the answer is {n_words:,} words; the offline grader reads up to "
            f"{MAX_ANSWER_WORDS:,} (the reference answers are about 150-500). Keep the design "
            f"itself (requirements, boxes, trade-offs, eval plan) and grade that.")
    m = Matcher(sentences(cleaned.text), embedder)
    # one batch for every concept this prompt's rubric can ask about
    concepts: list[str] = []
    for d in Dimension:
        info, req = DIMENSIONS[d], prompt.hidden_requirements.get(d)
        concepts += [info.description, *info.examples, *req.expects, req.answer]
    concepts += list(BOX_DESCRIPTIONS.values()) + list(prompt.trap_concepts)
    concepts += [d for d, _ in TRADEOFF_AXES.values()] + list(prompt.strong_answer_weighs)
    concepts += [d for d, _ in EVAL_PARTS.values()]
    concepts += list(prompt.requirement_change.expects)
    if m.sents:
        m.prepare(concepts)
    log = [q for q in questions_asked if isinstance(q, dict)]
    items = [_grade_dimension(m, prompt, d, log) for d in Dimension]
    items += [_grade_architecture(m, prompt), _grade_trap(m, prompt),
              _grade_tradeoffs(m, prompt), _grade_eval_plan(m, prompt)]
    if mode == "mock":
        items.append(_grade_change(m, prompt))
    total, level = total_and_level(items, mode)
    return Grade(prompt_id=prompt.id, total=total, level=level, items=items, mode=mode,
                 ignored_lines=cleaned.dropped)

"""The offline rubric grader: deterministic, explainable, no LLM. It reads claims, not
vocabulary.

How one answer is graded:
1. What a reader of the rendered answer does not see is taken out (`claims.visible_text`:
   HTML comments, hidden spans, invisible and bidi characters, look-alike letters folded,
   JSON/YAML wrappers), then lines that address the grader (`text.neutralise`); the learner
   sees all of it under "ignored lines".
2. The rest is split into sentences. A sentence earns nothing when it is a list of terms
   with no clause structure, or an echo of text the learner was given (the prompt, the
   question titles, the box names, the rubric's feedback lines). What a sentence negates
   ("no reranker", "rather than a nightly rebuild", "X is overkill") is cut out of it before
   any matching, and an expected concept it rejects can cost the point.
3. The sentences left are embedded once (MiniLM, shortest first in small batches on one torch
   thread); each rubric item has concepts matched lexically (stemmed tokens) and by
   embedding (cosine ≥ a threshold), and quotes the best sentence as evidence.
4. Items: the five clarifying questions (0-2 each), architecture coverage (0-4), the trap
   (0-3), the bottleneck (0-3: named, why, how measured), trade-offs (0-4; "because" and
   "versus" count only between two clauses), the eval plan (0-3) and, in mock mode, the
   requirement change (0-2). The total is their weighted sum on 0-100; the level follows
   bands, gated on the trap.
5. An answer about another design prompt (`claims.Relevance`) is capped below the ok band
   and the grade says which prompt it looks like.

Feedback names what a strong answer weighs in the rubric's words, never the list of expected
phrases. What it leaves out: whether a claim is true, sarcasm, double negation. Cost is
bounded: tokens, sentence lengths and the sentence count are capped (`claims`), so any
answer under MAX_ANSWER_WORDS grades in well under a second of CPU once the model is loaded.
"""

from __future__ import annotations

import math
import re
import sys
import threading
import weakref
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from labs.whiteboard import claims as cl
from labs.whiteboard.models import DesignPrompt, Dimension
from labs.whiteboard.rubric import (
    BOTTLENECK_CUES,
    BOTTLENECK_HEADINGS,
    BOX_DESCRIPTIONS,
    BOXES,
    CHANGE_WEIGHT,
    DIMENSIONS,
    EVAL_PARTS,
    ITEM_MAX,
    ITEM_TITLES,
    LEVELS,
    MEASURE_CUES,
    REASON_MARKERS,
    TRADEOFF_AXES,
    TRADEOFF_MARKERS,
    WEIGHTS,
)
from labs.whiteboard.text import neutralise, phrase_in, sections

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
# At most this many distinct sentences of an answer are embedded (about a 1,500-word answer
# of ordinary sentences); the rest are matched by wording only, so cost stays bounded.
MAX_EMBEDDED = 96
_DIGITS = re.compile(r"\d+")
# The grader's name, stored with every grade it gives (attempts, workshop dashboards).
RUBRIC_GRADER = "offline rubric grader v2"
# An off-prompt answer is capped under every ok reference answer (the lowest scores 22).
OFF_PROMPT_CAP = 15


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
    grader: str = RUBRIC_GRADER  # which grader produced it: RUBRIC_GRADER or "llm:p:model"
    ignored_lines: list[str] = []
    notes: list[str] = []  # what the grade as a whole says (a list of terms, off-prompt…)
    looks_like: str | None = None  # the prompt an off-prompt answer is about

    def public(self) -> dict[str, Any]:
        """The CLI / MCP shape: total, level, grader, items (id, score, max, evidence,
        feedback), notes, looks_like, ignored_lines."""
        return {"prompt_id": self.prompt_id, "total": self.total, "level": self.level,
                "provider": self.provider, "grader": self.grader,
                "items": [{"id": i.id, "score": i.score, "max": i.max, "evidence": i.evidence,
                           "feedback": i.feedback} for i in self.items],
                "notes": self.notes, "looks_like": self.looks_like,
                "ignored_lines": self.ignored_lines}

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


@dataclass(frozen=True)
class Claim:
    """One sentence of the answer as the grader reads it."""

    text: str  # as written (quoted as evidence)
    heading: str  # the Markdown heading it sits under, lowercased
    affirmed: str  # what it says with its negated words cut out
    negated: str  # the words it negates
    term_list: bool  # no clause structure: earns nothing
    echo: bool  # repeats text the learner was given: earns nothing

    @property
    def counts(self) -> bool:
        return not (self.term_list or self.echo)


class Matcher:
    """The answer's claims and their embeddings; finds the best sentence for a concept.
    Lexical matching reads what a sentence affirms (or, for a phrase negative in form such
    as "no writes", the sentence as written); embeddings are of the affirmed text."""

    def __init__(self, claims_: Sequence[Claim], embedder: Any):
        self.claims = [c for c in claims_ if c.counts]
        self.sents = [c.text for c in self.claims]
        self._aff = {c.text: c.affirmed for c in self.claims}
        self.embedder = embedder
        # sentences that differ only in their numbers are embedded once, and at most
        # MAX_EMBEDDED distinct ones are: the rest are matched by wording only (bounded cost)
        keys = [_DIGITS.sub("0", c.affirmed.lower()) for c in self.claims]
        first: dict[str, str] = {}  # key -> the first sentence's own affirmed text
        for k, c in zip(keys, self.claims, strict=True):
            if len(c.affirmed.split()) >= 3 and len(first) < MAX_EMBEDDED:
                first.setdefault(k, c.affirmed)
        distinct = list(first)
        vecs = encode_by_length(embedder, list(first.values()))
        row = {k: i for i, k in enumerate(distinct)}
        dim = vecs.shape[1] if len(distinct) else 1
        self.vecs = np.stack([vecs[row[k]] if k in row else np.zeros(dim, np.float32)
                              for k in keys]) if keys else np.zeros((0, dim), np.float32)
        self._semantic = {i for i, k in enumerate(keys) if k in row}
        self._concepts = _concept_vectors(embedder)
        self._negated = [c.negated for c in claims_ if c.negated and not c.term_list]

    def rejected(self, phrases: Sequence[str]) -> list[str]:
        """Expected phrases the answer negates and nowhere affirms ("no golden set")."""
        return [p for p in phrases if not cl.has_negation_word(p)
                and any(phrase_in(n, p) for n in self._negated) and self.lexical([p]) is None]

    def prepare(self, concepts: Sequence[str]) -> None:
        """Embed the concept texts not yet seen in this process (by length, like sentences)."""
        todo = [c for c in dict.fromkeys(concepts) if c not in self._concepts]
        if todo:
            for c, v in zip(todo, encode_by_length(self.embedder, todo), strict=True):
                self._concepts[c] = v

    def lexical(self, phrases: Sequence[str], where: Sequence[str] | None = None) -> Match | None:
        for s in self.sents if where is None else where:
            a = self._aff.get(s, s)
            for p in phrases:
                if phrase_in(s if cl.has_negation_word(p) else a, p):
                    return Match(s, f"lexical ‘{p}’", p)
        return None

    def semantic(self, concepts: Sequence[str], threshold: float,
                 where: Sequence[str] | None = None) -> Match | None:
        """The (sentence, concept) pair with the highest cosine, if it clears the threshold;
        `where` limits the sentences considered."""
        allowed = None if where is None else set(where)
        rows = [i for i, s in enumerate(self.sents) if i in self._semantic
                and (allowed is None or s in allowed)]
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
    # what the interviewer's answer says (embedding); rejecting one of them undoes it
    hits = _concept_hits(m, req.expects, SIM_PHRASE)
    rejected = m.rejected(req.expects)
    consistent = (next(iter(hits.values())) if len(hits) >= min(2, len(req.expects)) else None
                  ) or m.semantic([req.answer], SIM_REQUIREMENT)
    if rejected:
        consistent = None
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
    elif rejected:
        feedback = ("The design rules out what this requirement needs. The interviewer's "
                    f"answer was: {req.answer}")
    elif asked:
        feedback = (f"Raised, but the design does not show what the answer changes: "
                    f"{req.answer} Say which part of the design follows from it.")
    elif consistent:
        feedback = (f"The design fits the requirement, but the question is never raised: ask "
                    f"“{info.title}” before drawing and say what the answer changes.")
    else:
        feedback = f"Not asked. The interviewer would have said: {req.answer}"
    return ItemGrade(id=d.value, title=ITEM_TITLES[d.value], score=score,
                     max=ITEM_MAX[d.value], evidence=evidence, feedback=feedback,
                     matched=list(hits) or ([consistent.concept] if consistent else []),
                     missing=["consistent with the requirement"] if not consistent else [])


def _justified(sentence: str) -> bool:
    return (len(sentence.split()) >= MIN_JUSTIFIED_WORDS
            and cl.joins_clauses(sentence, REASON_MARKERS))


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
    rejected = m.rejected(concepts)
    need = max(1, math.ceil(len(concepts) / 2))
    earned = max(0, len(hits) - len(rejected))
    score = 3 * min(1.0, earned / need)
    evidence = " · ".join(h.quote() for h in list(hits.values())[:2])
    if earned >= need:
        fb = "The trap is addressed."
    else:
        fb = (f"The trap is only partly addressed ({earned} of the {need} points it needs): "
              f"{prompt.trap.strip()}")
    if rejected:
        fb += " The answer rules out part of what the trap needs."
    return ItemGrade(id="trap", title=ITEM_TITLES["trap"], score=_r(score), max=ITEM_MAX["trap"],
                     evidence=evidence, feedback=fb, matched=list(hits),
                     missing=[f"{need - earned} more part(s) of the trap"] if earned < need
                     else [])


def _grade_bottleneck(m: Matcher) -> ItemGrade:
    """Named (a claim with a bottleneck cue, or under a bottleneck / deep-dive heading), why
    (a reason joining two clauses there), how measured (a measurement cue there)."""
    under = [c.text for c in m.claims if any(h in c.heading for h in BOTTLENECK_HEADINGS)]
    cued = [s for s in m.sents if m.lexical(BOTTLENECK_CUES, [s])]
    named = list(dict.fromkeys(cued + [s for s in under if len(s.split()) >= 5]))
    why = next((s for s in named if cl.joins_clauses(s, REASON_MARKERS)), None)
    measured = next((s for s in named + under if m.lexical(MEASURE_CUES, [s])), None)
    score = int(bool(named)) + int(why is not None) + int(measured is not None)
    fb = []
    if not named:
        fb.append("Name the bottleneck: the one part of this design that limits it.")
    if named and why is None:
        fb.append("Say why it is the bottleneck (what makes it slow, costly or risky).")
    if measured is None:
        fb.append("Say how you would measure it (per-stage timings, traces, a load test).")
    ev = " · ".join(f"“{s}”" for s in dict.fromkeys(x for x in (named[:1] + [why, measured])
                                                     if x))
    return ItemGrade(id="bottleneck", title=ITEM_TITLES["bottleneck"], score=score,
                     max=ITEM_MAX["bottleneck"], evidence=ev,
                     feedback=" ".join(fb) or "Named, explained and measurable.",
                     matched=[k for k, v in (("named", named), ("why", why),
                                             ("measured", measured)) if v],
                     missing=[k for k, v in (("named", named), ("why", why),
                                             ("measured", measured)) if not v])


def _grade_tradeoffs(m: Matcher, prompt: DesignPrompt) -> ItemGrade:
    weighed: dict[str, str] = {}
    candidates = [s for s in m.sents if cl.joins_clauses(s, TRADEOFF_MARKERS)]
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
                  f"chose, in a sentence that gives the reason.")
    fb.append(f"Of what a strong answer weighs, {len(w_hits)} of {len(weighs)} appear.")
    not_weighed = [w for w in weighs if w not in w_hits]
    if not_weighed and len(w_hits) < need:
        fb.append(f"For example: {not_weighed[0]}")
    return ItemGrade(id="tradeoffs", title=ITEM_TITLES["tradeoffs"], score=_r(score),
                     max=ITEM_MAX["tradeoffs"],
                     evidence=evidence, feedback=" ".join(fb),
                     matched=list(weighed) + list(w_hits), missing=missing_axes)


_EVAL_HINTS = {"dataset": "a golden set (how many cases, where they come from)",
               "metric": "named metrics, and how a judge is checked against people",
               "cadence": "when it runs and what it blocks"}


def _grade_eval_plan(m: Matcher, prompt: DesignPrompt) -> ItemGrade:
    parts: dict[str, Match] = {}
    for part, (desc, aliases) in EVAL_PARTS.items():
        hit = m.find(aliases, [desc])
        if hit:
            parts[part] = hit
    missing = [p for p in EVAL_PARTS if p not in parts]
    fb = ("Concrete: a dataset, named metrics and a cadence." if not missing else
          "To make it concrete, add " + "; ".join(_EVAL_HINTS[p] for p in missing) + ".")
    return ItemGrade(id="eval_plan", title=ITEM_TITLES["eval_plan"], score=len(parts),
                     max=ITEM_MAX["eval_plan"],
                     evidence=" · ".join(h.quote() for h in list(parts.values())[:2]),
                     feedback=fb, matched=list(parts), missing=missing)


def _grade_change(m: Matcher, prompt: DesignPrompt) -> ItemGrade:
    ch = prompt.requirement_change
    hits = _concept_hits(m, ch.expects, SIM_PHRASE)
    score = min(2, len(hits))
    fb = ("The design responded to the change." if score == 2 else
          f"After “{ch.announcement}” the design should change: say which boxes or choices "
          f"move and what that costs.")
    return ItemGrade(id="requirement_change", title=ITEM_TITLES["requirement_change"],
                     score=score, max=ITEM_MAX["requirement_change"],
                     evidence=" · ".join(h.quote() for h in hits.values()),
                     feedback=fb, matched=list(hits),
                     missing=[] if score == 2 else ["a response to the change"])


def weights(mode: str) -> dict[str, float]:
    if mode != "mock":
        return dict(WEIGHTS)
    scale = (100 - CHANGE_WEIGHT) / 100
    return {**{k: v * scale for k, v in WEIGHTS.items()}, "requirement_change": CHANGE_WEIGHT}


_LEVEL_RANK = [name for _, name in reversed(LEVELS)]


def level_of(total: int) -> str:
    return next(name for floor, name in LEVELS if total >= floor)


def total_and_level(items: Sequence[ItemGrade], mode: str) -> tuple[int, str]:
    """The weighted 0-100 total, and the level band (L5 and up need the trap half done)."""
    w = weights(mode)
    total = sum(w.get(i.id, 0) * min(i.score, i.max) / i.max for i in items)
    total_i = int(round(total))
    level = level_of(total_i)
    trap = next((i for i in items if i.id == "trap"), None)
    if level in ("L5", "L6") and trap is not None and trap.score < trap.max / 2:
        level = "L4"
    return total_i, level


def echo_sources(prompt: DesignPrompt) -> list[str]:
    """Text the learner was shown or is shown in feedback: copying it earns nothing."""
    return [prompt.title, prompt.prompt, prompt.trap, *prompt.strong_answer_weighs,
            prompt.requirement_change.announcement, *(i.title for i in DIMENSIONS.values()),
            *(label for label, _ in BOXES.values()), *ITEM_TITLES.values(),
            *(d for d, _ in TRADEOFF_AXES.values()), *(d for d, _ in EVAL_PARTS.values()),
            *_EVAL_HINTS.values()]


_RELEVANCE: dict[tuple[str, ...], cl.Relevance] = {}


def _profile(p: DesignPrompt) -> str:
    reqs = [p.hidden_requirements.get(d) for d in Dimension]
    return "\n".join([p.title, p.prompt, p.headline_answer, p.trap, *p.trap_concepts,
                      *p.strong_answer_weighs, *(r.answer for r in reqs),
                      *(e for r in reqs for e in r.expects), p.requirement_change.announcement,
                      *p.requirement_change.expects])


def relevance_for(prompt: DesignPrompt, others: Sequence[DesignPrompt] | None = None
                  ) -> cl.Relevance:
    """The relevance model over `others` (default: the content prompts) plus `prompt`."""
    if others is None:
        from labs.whiteboard.loader import load_prompts

        others = list(load_prompts().values())
    pool = {p.id: p for p in others}
    pool[prompt.id] = prompt
    key = tuple(sorted(f"{p.id}:{hash(p.prompt)}" for p in pool.values()))
    if key not in _RELEVANCE:
        _RELEVANCE.clear()
        _RELEVANCE[key] = cl.Relevance.build({pid: _profile(p) for pid, p in pool.items()})
    return _RELEVANCE[key]


@dataclass(frozen=True)
class Reading:
    """An answer as the grader reads it: its claims and what was ignored."""

    claims: list[Claim]
    ignored: list[str]
    words: int

    @property
    def counted(self) -> list[Claim]:
        return [c for c in self.claims if c.counts]


def read_answer(prompt: DesignPrompt, answer: str) -> Reading:
    """Clean, split and classify an answer's sentences (no embedding: cheap)."""
    visible, ignored = cl.visible_text(answer)
    cleaned = neutralise(visible)
    ignored = ignored + cleaned.dropped
    n_words = len(cleaned.text.split())
    if n_words > MAX_ANSWER_WORDS:
        raise AnswerTooLong(
            f"the answer is {n_words:,} words; the offline grader reads up to "
            f"{MAX_ANSWER_WORDS:,} (the reference answers are about 150-500). Keep the design "
            f"itself (requirements, boxes, trade-offs, eval plan) and grade that.")
    pairs = sections(cleaned.text)
    if len(pairs) > cl.MAX_SENTENCES:
        ignored.append(f"{len(pairs) - cl.MAX_SENTENCES} sentence(s) past the first "
                       f"{cl.MAX_SENTENCES} were not read")
        pairs = pairs[: cl.MAX_SENTENCES]
    echo = cl.Echo(echo_sources(prompt))
    skeletons = [cl.skeleton(s) for _, s in pairs]
    repeats = Counter(k for k in skeletons if k)
    out = []
    for (heading, s), k in zip(pairs, skeletons, strict=True):
        neg = cl.negation(s)
        templated = k is not None and repeats[k] >= cl.TEMPLATE_REPEATS
        out.append(Claim(s, heading, neg.affirmed, neg.negated,
                         templated or cl.is_term_list(s), echo.is_echo(s)))
    return Reading(out, ignored, n_words)


LIST_NOTE = ("These look like a list of terms, not a design: say what you would do and why, "
             "in sentences.")


def grade_offline(prompt: DesignPrompt, answer: str, *, questions_asked: Sequence[dict] = (),
                  mode: str = "whiteboard", embedder: Any = None,
                  others: Sequence[DesignPrompt] | None = None) -> Grade:
    """Grade one answer against the prompt's rubric. Deterministic for a given model.
    `questions_asked` is the interviewer log the app recorded, never read from the answer."""
    if embedder is None:
        from labs.embeddings import get_embedder

        embedder = get_embedder()
    reading = read_answer(prompt, answer)
    m = Matcher(reading.claims, embedder)
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
    items += [_grade_architecture(m, prompt), _grade_trap(m, prompt), _grade_bottleneck(m),
              _grade_tradeoffs(m, prompt), _grade_eval_plan(m, prompt)]
    if mode == "mock":
        items.append(_grade_change(m, prompt))
    total, level = total_and_level(items, mode)
    notes: list[str] = []
    listed = [c for c in reading.claims if c.term_list and len(cl.words(c.text)) >= 3]
    list_words = sum(len(cl.words(c.text)) for c in listed)
    all_words = sum(len(cl.words(c.text)) for c in reading.claims) or 1
    if listed and (list_words / all_words >= 0.3 or len(listed) >= 4):
        notes.append(f"{LIST_NOTE} ({len(listed)} line(s) earned nothing.)")
    if list_words / all_words > 0.5:  # mostly a term dump: its few sentences count less
        total = int(round(total * 2 * (1 - list_words / all_words)))
        total, level = total, min(level, level_of(total), key=_LEVEL_RANK.index)
    echoed = [c for c in reading.claims if c.echo and not c.term_list]
    if echoed:
        notes.append(f"{len(echoed)} sentence(s) repeat the prompt or the rubric's own words "
                     f"and earn nothing by themselves.")
    looks_like = relevance_for(prompt, others).looks_like(
        prompt.id, "\n".join(c.affirmed for c in reading.counted))
    if looks_like:
        notes.append(f"This answer is about another design prompt ({looks_like}), not this "
                     f"one: it is capped below the ok band.")
        if total > OFF_PROMPT_CAP:
            total, level = OFF_PROMPT_CAP, level_of(OFF_PROMPT_CAP)
    return Grade(prompt_id=prompt.id, total=total, level=level, items=items, mode=mode,
                 ignored_lines=reading.ignored, notes=notes, looks_like=looks_like)

"""The offline rubric judge: score an answer against a reference by claims, not word overlap.

1. Key points: the item's `key_points`, or the reference split into atomic clauses (at `;`,
   `, and`, `, but`, `, so`, `because`, ...: each side must keep two content words). A key point
   that itself joins two claims ("first tokens arrive sooner so latency drops") is split too:
   every part must be found.
2. The answer is split the same way into clauses. A part is *covered* by a clause when the
   clause holds >= 60% of the part's content words (Porter stems, numbers read as values, so
   "five" = "5") or the bundled MiniLM puts them at cosine >= 0.62 with >= 25% shared words,
   and no contradiction sign fires.
3. Contradiction signs, checked on every clause that talks about the part (>= 34% shared words
   or cosine >= 0.5): negation on one side only ("not", "never", "no", "without", "n't"...); a
   number of the part missing while the clause gives other numbers ("6,000" for "600") or no
   limit at all ("retried forever"); the same number with another unit ("five calendar
   months" for "five business days"); a word
   from an opposing group ("new card" for "original card", "deleted" for "kept"), or an
   opposite in the same slot, before the same word ("trains *fewer* parameters", "*off* the
   critical path"); the two sides of "than" trading words ("a body match counts more than a
   title match"); and swapped roles, where the clause carries most of the part's words but
   replaces one with a word of another key point ("the user decides when to call tools" when
   the model does), or the part's subject with a word only the question uses ("the *secret*
   is older than five minutes", asked why a signature fails though the secret is right).
   A part that no clause covers and one contradicts is *contradicted*, not merely missing.
4. Closeness in meaning counts only for answer text that says something beyond the question:
   an echo of the question or filler ("it depends on many factors") is close to every point
   and evidence of none. One clause is weak evidence for one point only, and none once it
   covers another. A key point that is only "Yes" or "No" is checked against how the answer
   opens.
5. A point not found, in an answer that is on topic (cosine >= 0.35 to the reference) and
   contradicts nothing, may be said in other words by a clause no other point used: it is
   "possibly reworded", half credit, flagged for a person. A partial answer has no such clause
   left, so this separates a paraphrase MiniLM cannot read from an answer that stops short.
6. Score: 1 + 4 x (share of key points covered; partly covered 0.75, possibly reworded 0.5),
   minus one for an answer clause that asserts something on topic the reference does not
   support (a number or a name of its own; acronyms of the reference's words count as its
   own); any contradicted point caps the score at 2, and half the points contradicted gives 1.
   Length and confidence earn nothing.

Every point comes back with its evidence: "covered by ...", "not found" or "contradicted by
...". This is a rubric judge, deterministic and offline, not an LLM: it knows no synonyms
beyond what MiniLM encodes, so a paraphrase with no shared words and a low cosine is missed.

Left out: coreference ("it" for "the refund"), arithmetic between units (600 a minute = 10 a
second), world knowledge.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

COVER_LEXICAL = 0.6
COVER_COSINE = 0.62
COVER_COSINE_MIN_LEXICAL = 0.25
WEAK_COSINE = 0.38  # close in meaning, nothing shared to confirm it: half credit
TOPIC_LEXICAL = 0.34
TOPIC_COSINE = 0.5
NEGATION_COSINE = 0.6
POSTPOSED_NEGATIONS = frozenset({"unchanged"})
SWAP_LEXICAL = 0.4
SUPPORT_LEXICAL = 0.5
SUPPORT_COSINE = 0.6
CLAIM_TOPIC_COSINE = 0.4
MAX_PENALTY = 1
CREDIT = {"covered": 1.0, "partly covered": 0.75, "possibly reworded": 0.5}
ON_TOPIC_COSINE = 0.35  # answer vs reference: below it, nothing unconfirmed earns credit
SPARE_CLAUSE_COSINE = 0.3  # an unused answer clause this close to the reference may reword a point
POLARITY = {"yes": "yes", "yeah": "yes", "no": "no", "nope": "no"}
# words that fill an answer without saying anything checkable: a clause made of these and of
# the question's own words cannot stand in for a key point
FILLER_WORDS = """important importance crucial essential key critical consider considered
consideration think thinking carefully careful depends depend various many several thing things
aspect aspects factor factors quality approach approaches good best practice practices matter
matters need needs way ways help helps helpful useful understand clear clarity keep mind great
question aim ensure make sure often generally general overall certain case cases situation
context""".split()

STOPWORDS = frozenset("""
a an the and or but if of to in on at for by with from as is are was were be been being it its
this that these those there their they them you your we our i me my do does did can could
should would will shall may might must than then so such into over about what which who whom
when where why how all any each both more most other some only own same too very just also per
via has have had get gets got us he she his her one ones while because whereas thus hence
usually typically probably really always within about around""".split())
NEGATIONS = frozenset("not no never none nothing nobody nowhere neither nor without cannot "
                      "unable impossible instead".split())  # "instead of X" denies X
# words of one group contradict words of another group in the same set
TIME_UNITS = frozenset("second minute hour day week month year".split())
OPPOSITES: list[list[set[str]]] = [
    [{"business", "working"}, {"calendar"}],
    [{"original", "same", "old"}, {"new", "different", "another"}],
    # quantity only: "increases latency" and "slower" say the same thing, so speed and time
    # words are groups of their own
    [{"more", "higher", "increase", "increases", "increased", "raise", "raises", "above", "over",
      "greater", "larger", "bigger"},
     {"less", "fewer", "lower", "decrease", "decreases", "decreased", "reduce", "reduces",
      "below", "under", "smaller"}],
    [{"sooner", "earlier"}, {"later"}],
    [{"longer", "lengthens"}, {"shorter", "shortens"}],
    [{"small", "smaller", "tiny"}, {"large", "larger", "big", "huge"}],
    [{"rare", "rarely", "seldom"}, {"often", "common", "frequent", "frequently", "most",
                                    "usually"}],
    [{"always", "every"}, {"never", "sometimes"}],
    [{"first", "earliest"}, {"last", "final", "latest"}],
    [{"before"}, {"after"}],
    [{"keep", "keeps", "kept", "retain", "retained", "store", "stored", "move", "moved", "goes",
      "preserve", "saved"},
     {"delete", "deleted", "remove", "removed", "discard", "discarded", "drop", "dropped",
      "wipe", "wiped", "purge", "purged", "lose", "loses", "lost"}],
    [{"accept", "accepts", "accepted", "allow", "allows", "allowed"},
     {"reject", "rejects", "rejected", "deny", "denies", "block", "blocks", "forbid",
      "forbidden"}],
    [{"exponential", "exponentially"}, {"linear", "constant", "fixed"}],
    [{"cheaper", "cheap"}, {"expensive", "costlier"}],
    [{"slow", "slower"}, {"fast", "faster", "quick", "quicker"}],
    [{"synchronous", "sync"}, {"asynchronous", "async"}],
    [{"minimum", "min", "least"}, {"maximum", "max", "most"}],
    [{"true", "correct"}, {"false", "wrong"}],
    [{"enable", "enabled"}, {"disable", "disabled"}],
    [{"reliably", "reliable"}, {"unreliably", "unreliable"}],
    [{"overfit", "overfits", "overfitting"}, {"generalise", "generalises", "generalize"}],
]
# a count or a limit replaced by no limit at all ("retried forever" for "retried eight times")
UNBOUNDED = frozenset("forever unlimited infinite infinitely indefinitely endlessly endless "
                      "unbounded limitless".split())
# opposites that only count in the same slot ("on the critical path" vs "off the critical
# path"): alone they are too common to oppose anything
SLOT_OPPOSITES: list[list[set[str]]] = [
    [{"on"}, {"off"}],
    [{"few"}, {"many"}],
    [{"with"}, {"without"}],
    [{"can"}, {"cannot"}],
    [{"before"}, {"after"}],
]
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_NUMBER_WORDS |= {w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:'[a-z]+)?|\d+(?:,\d{3})*(?:\.\d+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
_CLAUSE = re.compile(r"(,?\s+(?:and|but|so|because|whereas|while|then|although|though|plus|"
                     r"since)\s+|,\s+(?:which|so that|rather than|instead of)\s+|,\s+|\s+\(|"
                     r"\)\s*)", re.I)


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@lru_cache(maxsize=20000)
def _stem(word: str) -> str:
    return _stemmer().stem(word)


def tokens(text: str) -> list[str]:
    """Lower-cased words and numbers, "n't" read as "not", number words as values.

    >>> tokens("Six hundred requests, not 6,000; it isn't 99.9%")
    ['#600', 'requests', 'not', '#6000', 'it', 'is', 'not', '#99.9']
    """
    low = text.lower().replace("n't", " not").replace("cannot", "can not")
    raw = _TOKEN.findall(low.replace("rather than", "instead of"))
    out: list[str] = []
    i = 0
    while i < len(raw):
        w = raw[i]
        if w[0].isdigit():
            out.append("#" + _number(w.replace(",", "")))
            i += 1
            continue
        if w in _NUMBER_WORDS:
            value, i = _NUMBER_WORDS[w], i + 1
            if value >= 20 and i < len(raw) and raw[i] in _NUMBER_WORDS and \
                    _NUMBER_WORDS[raw[i]] < 10:
                value, i = value + _NUMBER_WORDS[raw[i]], i + 1
            while i < len(raw) and raw[i] in _SCALES:
                value, i = value * _SCALES[raw[i]], i + 1
            out.append(f"#{value}")
            continue
        out.append(w)
        i += 1
    return out


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() and "." not in text else str(value)


def content(toks: list[str]) -> list[str]:
    """Stems of the words that carry content (numbers kept as "#value")."""
    return [t if t[0] == "#" else _stem(t) for t in toks
            if t[0] == "#" or (t not in STOPWORDS and t not in NEGATIONS and len(t) > 1)]


def split_sentences(text: str) -> list[str]:
    return [s.strip(" .!?;:") for s in _SENTENCE_END.split(text.strip()) if s.strip(" .!?;:")]


def split_clauses(text: str) -> list[str]:
    """Sentences cut at connectives into clauses that each keep two content words.

    >>> split_clauses("Refunds take five days and go back to the original card.")
    ['Refunds take five days', 'go back to the original card']
    >>> split_clauses("BM25 and dense retrieval")
    ['BM25 and dense retrieval']
    """
    out: list[str] = []
    for sentence in split_sentences(text):
        bits = _CLAUSE.split(sentence)  # text, separator, text, ...
        merged: list[str] = []
        for k in range(0, len(bits), 2):
            piece, sep = bits[k].strip(" ,.;:"), bits[k - 1] if k else ""
            if not piece:
                continue
            need = 3 if sep.strip() == "," else 2  # a bare comma often lists, not asserts
            if merged and (len(content(tokens(piece))) < need or
                           len(content(tokens(merged[-1]))) < need):
                merged[-1] = f"{merged[-1]}{sep}{piece}"  # too small to stand alone
            else:
                merged.append(piece)
        out.extend(merged)
    return out


@dataclass(frozen=True)
class Clause:
    text: str
    toks: list[str]
    words: set[str]  # content stems
    numbers: set[str]
    negated: set[str]  # content stems inside a negation's scope (after the cue, in the clause)
    names: set[str]  # capitalised words inside the clause: names, products, acronyms
    required: frozenset[str] = frozenset()  # for a key point: the words an answer must say
    glue: frozenset[str] = frozenset()  # a key point's words the reference never uses

    @classmethod
    def of(cls, text: str) -> Clause:
        toks = tokens(text)
        words = set(content(toks))
        cue = next((i for i, t in enumerate(toks) if t in NEGATIONS), None)
        scope = set(content(toks[cue + 1:])) if cue is not None else set()
        if POSTPOSED_NEGATIONS & set(toks):
            scope = words  # "total time unchanged" denies the whole clause
        names = {w.lower() for w in re.findall(r"(?<=\w[\s,(])([A-Z][A-Za-z0-9]+)", text)}
        return cls(text, toks, words, {w for w in words if w[0] == "#"}, scope, names)


def _units_after(c: Clause) -> dict[str, str]:
    """number → the time unit that follows it within three words ("#5" → "days")."""
    out = {}
    for i, t in enumerate(c.toks):
        if t[0] == "#":
            for nxt in c.toks[i + 1:i + 4]:
                if nxt.rstrip("s") in TIME_UNITS:
                    out[t] = nxt.rstrip("s")
                    break
    return out


def _opposed(point: Clause, clause: Clause, given: set[str]) -> str | None:
    p, c = set(point.toks), set(clause.toks)
    for groups in OPPOSITES:
        mine = [g for g in groups if g & p]
        for g in mine:
            if g & c:
                continue  # the clause says the point's word too
            for other in groups:
                if other is not g and other not in mine and other & c and not other & given:
                    return f"{sorted(g & p)[0]} vs {sorted(other & c)[0]}"
    return None


def _slot_opposed(point: Clause, clause: Clause, other_points: set[str]) -> str | None:
    """An opposite word in the same slot: the word next to it is the same on both sides
    ("trains *more* parameters" vs "trains *fewer* parameters", "*on* the critical path" vs
    "*off* the critical path"), whatever else either side says. Not when another key point
    uses the clause's word: "large chunks are hard to search" is about the point on large
    chunks, not against the one on small chunks."""
    def slots(toks: list[str]) -> dict[str, set[str]]:
        """The word that comes next (skipping stopwords, at most two on) -> the words before it."""
        out: dict[str, set[str]] = {}
        for i, t in enumerate(toks):
            nxt = next((x for x in toks[i + 1:i + 3] if x not in STOPWORDS), None)
            if nxt is not None and nxt != t:
                out.setdefault(_stem(nxt) if nxt[0] != "#" else nxt, set()).add(t)
        return out

    mine, theirs = slots(point.toks), slots(clause.toks)
    for key, ws in mine.items():
        for w in ws - theirs.get(key, ws):
            for x in theirs[key] - ws:
                if _stem(x) in other_points:
                    continue
                for groups in OPPOSITES + SLOT_OPPOSITES:
                    a = next((g for g in groups if w in g), None)
                    b = next((g for g in groups if x in g), None)
                    if a is not None and b is not None and a is not b:
                        return f"{w} vs {x}"
    return None


def _swapped_comparison(point: Clause, clause: Clause) -> str | None:
    """"A says more than B" read as "B says more than A": the sides of "than" trade words."""
    if "than" not in point.toks or "than" not in clause.toks:
        return None
    pi, ci = point.toks.index("than"), clause.toks.index("than")
    p_left, p_right = set(content(point.toks[:pi])), set(content(point.toks[pi + 1:]))
    c_left, c_right = set(content(clause.toks[:ci])), set(content(clause.toks[ci + 1:]))
    moved = (p_left - p_right) & (c_right - c_left)
    back = (p_right - p_left) & (c_left - c_right)
    if moved and back:
        return f"{sorted(moved)[0]} and {sorted(back)[0]} trade sides of 'than'"
    return None


def contradiction(point: Clause, clause: Clause, lexical: float, cosine: float,
                  other_points: set[str], given: set[str],
                  asked: frozenset[str] | set[str] = frozenset()) -> str | None:
    """Why `clause` contradicts `point`, or None. Only asked of clauses on the point's topic;
    `given` is what the reference and question say, which no clause can contradict."""
    shared = point.words & clause.words
    same_words = len(shared) / len(point.words) if point.words else 0.0
    if bool(point.negated & shared) != bool(clause.negated & shared) and \
            (same_words >= TOPIC_LEXICAL or lexical >= COVER_LEXICAL or
             cosine >= NEGATION_COSINE):
        return "negation"
    if point.numbers and clause.numbers and not point.numbers & clause.numbers:
        return "changed number"
    if point.numbers and clause.numbers and not point.numbers <= clause.numbers and \
            clause.numbers - point.numbers:
        return "changed number"
    if point.numbers and not clause.numbers and shared and UNBOUNDED & set(clause.toks):
        return f"changed number ({sorted(UNBOUNDED & set(clause.toks))[0]})"
    pu, cu = _units_after(point), _units_after(clause)
    if any(n in cu and cu[n] != u for n, u in pu.items()):
        return "changed unit"
    if why := _opposed(point, clause, given) or _slot_opposed(point, clause, other_points):
        return f"opposite ({why})"
    if why := _swapped_comparison(point, clause):
        return f"swapped ({why})"
    if same_words >= SWAP_LEXICAL and (swap := _swapped(point, clause, other_points, asked)):
        return f"swapped ({swap[1]} for {swap[0]})"
    return None


def _neighbours(words: list[str], i: int) -> set[tuple[str, str]]:
    return ({("prev", words[i - 1])} if i > 0 else set()) | \
        ({("next", words[i + 1])} if i + 1 < len(words) else set())


def _swapped(point: Clause, clause: Clause, other_points: set[str],
             asked: frozenset[str] | set[str] = frozenset()) -> tuple[str, str] | None:
    """A word of the point replaced, in the same slot, by a word of another key point, or the
    point's subject (its first content word) by a word of the question.

    "model decides tool calls" vs "the user decides when to call tools": "user" (another key
    point's word) sits where "model" sat, before "decides". "timestamp older than five
    minutes" vs "the signature secret is older than five minutes", asked why a signature
    fails "even though the secret is right".
    """
    pw, cw = content(point.toks), content(clause.toks)
    for i, m in enumerate(pw):
        if m in clause.words or m in point.glue:
            continue
        movable = other_points | asked if i == 0 else other_points
        for j, x in enumerate(cw):
            if x in movable and x not in point.words and \
                    _neighbours(pw, i) & _neighbours(cw, j):
                return m, x
    return None


@dataclass
class PointResult:
    point: str
    status: str  # "covered", "partly covered", "possibly reworded", "not found", "contradicted"
    evidence: str = ""  # the answer clause that covered or contradicted it
    why: str = ""
    strength: float = 0.0  # the cosine behind a partial match, to share a clause fairly

    @property
    def reason(self) -> str:
        if self.status == "covered":
            return f"covered by: {self.evidence!r}: {self.point}"
        if self.status == "contradicted":
            return f"contradicted by {self.evidence!r} ({self.why}): {self.point}"
        if self.status == "partly covered":
            return f"partly covered by {self.evidence!r} ({self.why}): {self.point}"
        if self.status == "possibly reworded":
            return (f"possibly said in other words by {self.evidence!r} ({self.why}; the "
                    f"judge cannot confirm it, a person should): {self.point}")
        return f"not found: {self.point}"


@dataclass
class ClaimScore:
    score: int
    points: list[PointResult]
    unsupported: list[str] = field(default_factory=list)  # on-topic claims the reference lacks

    @property
    def reasons(self) -> list[str]:
        out = [p.reason for p in self.points]
        out += [f"unsupported claim: {u!r}" for u in self.unsupported]
        return out or ["empty answer"]


def key_points_of(reference: str) -> list[str]:
    """The reference as atomic claims."""
    return split_clauses(reference) or [reference.strip()]


def _lexical(point: Clause, clause: Clause) -> float:
    need = point.required or point.words
    return len(need & clause.words) / len(need) if need else 0.0


def _required(part: Clause, reference_words: set[str], question_words: set[str]) -> Clause:
    """What the question already says need not be repeated, and a key point's own glue words
    ("applies", "between attempts") that the reference never uses cannot be asked for."""
    need = (part.words & reference_words) - question_words or part.words - question_words
    return replace(part, required=frozenset(need or part.words),
                   glue=frozenset(part.words - reference_words - question_words))


@lru_cache(maxsize=1)
def _filler_stems() -> frozenset[str]:
    return frozenset(content(FILLER_WORDS))


def _polarity(text: str) -> str | None:
    """"yes" or "no" when the text opens with one ("No; temperature 0 picks ...")."""
    toks = tokens(text)
    return POLARITY.get(toks[0]) if toks else None


def _acronyms(text: str) -> set[str]:
    """Initials of runs of two to five words: "dead-letter queue" gives "dlq"."""
    words = re.findall(r"[A-Za-z0-9]+", text)
    return {"".join(w[0] for w in words[i:i + n]).lower()
            for n in range(2, 6) for i in range(len(words) - n + 1)}


def score_answer(question: str, reference: str, answer: str, embedder,
                 key_points: list[str] | None = None) -> ClaimScore:
    """Score 1-5 with per-point evidence; `embedder.encode(texts)` gives unit vectors."""
    points = [p for p in (key_points or key_points_of(reference)) if p.strip()]
    polar = {p for p in points if not content(tokens(p)) and _polarity(p)}
    answer_polarity = _polarity(answer)
    opening = answer.split(";")[0][:80]
    polar_results = {  # an answer that opens with neither is judged on the other points
        p: PointResult(p, "covered", opening) if answer_polarity == _polarity(p) else
        PointResult(p, "contradicted", opening, f"opposite ({_polarity(p)} vs {answer_polarity})")
        for p in polar if answer_polarity}
    points = [p for p in points if p not in polar] or points
    ref_words, q_words = set(content(tokens(reference))), set(content(tokens(question)))
    parts = [[_required(Clause.of(c), ref_words, q_words) for c in (split_clauses(p) or [p])]
             for p in points]
    sentences = [s for s in split_sentences(answer) if content(tokens(s))]
    clauses = [Clause.of(c) for s in sentences for c in split_clauses(s)]
    clauses = [c for c in clauses if c.words]
    if not clauses:
        return ClaimScore(1, [PointResult(p, "not found") for p in points])
    ref_clauses = [Clause.of(c) for c in key_points_of(reference) + points]
    flat_parts = [c for ps in parts for c in ps]
    texts = ([c.text for c in flat_parts] + [c.text for c in clauses] +
             [c.text for c in ref_clauses] + sentences + [question, reference, answer])
    vecs = np.asarray(embedder.encode(texts))
    n_parts, n_cl = len(flat_parts), len(clauses)
    part_vecs, cl_vecs = vecs[:n_parts], vecs[n_parts:n_parts + n_cl]
    ref_vecs = vecs[n_parts + n_cl:n_parts + n_cl + len(ref_clauses)]
    sent_vecs = vecs[n_parts + n_cl + len(ref_clauses):-3]
    ref_vec, answer_cos = vecs[-2], float(vecs[-2] @ vecs[-1])
    # closeness in meaning counts only for text that says something of its own: an echo of
    # the question or filler is close to every point and evidence of none
    filler = _filler_stems()
    said = [len(c.words - q_words - filler) >= 2 for c in clauses]
    sent_said = np.array([len(set(content(tokens(s))) - q_words - filler) >= 2
                          for s in sentences])
    cos = part_vecs @ cl_vecs.T
    # a paraphrase may spread one point over a whole sentence: half credit at most
    sent_cos = np.where(sent_said, part_vecs @ sent_vecs.T, 0.0)

    given = set(tokens(reference)) | set(tokens(question))
    results, row = [], 0
    for point, ps in zip(points, parts, strict=True):
        others = {w for other in parts if other is not ps for c in other for w in c.words}
        part_results = []
        for part in ps:
            result = _judge_part(part, clauses, cos[row], said, others, given,
                                 q_words - ref_words)
            if result.status == "not found" and sent_cos[row].max() >= WEAK_COSINE:
                j = int(sent_cos[row].argmax())
                result = PointResult(part.text, "partly covered", sentences[j],
                                     f"cosine {sent_cos[row, j]:.2f}, few shared words",
                                     float(sent_cos[row, j]))
            part_results.append(result)
            row += 1
        results.append(_combine(point, part_results))
    results = _share_weak_evidence(results)
    supporting = {i for r in results if r.status in ("covered", "partly covered")
                  for i, c in enumerate(clauses) if c.text in r.evidence}

    known = {w for c in ref_clauses for w in c.words} | set(content(tokens(question)))
    given_names = {w.lower() for w in re.findall(r"[A-Za-z0-9]+", f"{reference} {question}")}
    given_names |= _acronyms(f"{reference} {question}")
    ref_cos = cl_vecs @ ref_vecs.T
    contradicting = {r.evidence for r in results if r.status == "contradicted"}
    unsupported = []
    for i, c in enumerate(clauses):
        if i in supporting or c.text in contradicting:
            continue
        share_known = len(c.words & known) / len(c.words)
        if share_known >= SUPPORT_LEXICAL or ref_cos[i].max() >= SUPPORT_COSINE:
            continue
        if c.numbers - known - {"#1"} or c.names - given_names:  # "one" is rarely a claim
            unsupported.append(c.text)  # a specific claim: a number or a name of its own

    if not contradicting and answer_cos >= ON_TOPIC_COSINE:
        spare = [i for i, c in enumerate(clauses) if i not in supporting and
                 c.text not in unsupported and said[i] and
                 float(cl_vecs[i] @ ref_vec) >= SPARE_CLAUSE_COSINE]
        results = _reworded(results, clauses, spare, cl_vecs @ ref_vec)
    results = [polar_results.get(p.point, p) for p in results] + \
        [r for p, r in polar_results.items() if all(x.point != p for x in results)]

    n = len(results)
    credit = sum(CREDIT.get(r.status, 0.0) for r in results)
    contradicted = sum(r.status == "contradicted" for r in results)
    if contradicted:
        score = 1 if 2 * contradicted >= n or credit == 0 else 2
    elif credit == 0:
        score = 1
    else:
        score = math.floor(1.5 + 4 * credit / n) - min(MAX_PENALTY, len(unsupported))
    return ClaimScore(max(1, min(5, score)), results, unsupported)


def _share_weak_evidence(results: list[PointResult]) -> list[PointResult]:
    """One answer clause is weak evidence for one point only: the point it is closest to,
    and none once it fully covers another point ("large chunks are harder to search" is not
    also half of "small chunks lose context")."""
    covering = {r.evidence for r in results if r.status == "covered"}
    best: dict[str, float] = {}
    for r in results:
        if r.status == "partly covered" and r.strength:
            best[r.evidence] = max(best.get(r.evidence, 0.0), r.strength)
    out = []
    for r in results:
        if r.status == "partly covered" and r.strength and \
                (r.evidence in covering or r.strength < best[r.evidence]):
            r = PointResult(r.point, "not found")
        out.append(r)
    return out


def _reworded(results: list[PointResult], clauses: list[Clause], spare: list[int],
              closeness: np.ndarray) -> list[PointResult]:
    """Points not found, in an on-topic answer with no contradiction, that a clause no other
    point used may say in other words: half credit, flagged for a person. A partial answer has
    no such clause left (its words all went to the points it does make)."""
    spare = sorted(spare, key=lambda i: -closeness[i])
    out = []
    for r in results:
        if r.status == "not found" and spare:
            i = spare.pop(0)
            r = PointResult(r.point, "possibly reworded", clauses[i].text,
                            f"on topic, cosine {closeness[i]:.2f} to the reference")
        out.append(r)
    return out


def _judge_part(part: Clause, clauses: list[Clause], cos_row: np.ndarray, said: list[bool],
                others: set[str], given: set[str], asked: set[str]) -> PointResult:
    """How one part of a key point fares: covered, contradicted, partly covered (close in
    meaning, few shared words) or not found. Closeness alone counts only for a clause that
    says something beyond the question (`said`); any clause on topic can contradict."""
    best_cover: tuple[float, int] | None = None
    best_weak: tuple[float, int] | None = None
    worst: tuple[float, int, str] | None = None
    for i, c in enumerate(clauses):
        lex, sim = _lexical(part, c), float(cos_row[i])
        on_topic = lex >= TOPIC_LEXICAL or sim >= min(TOPIC_COSINE, WEAK_COSINE)
        if not on_topic:
            continue
        why = contradiction(part, c, lex, sim, others, given, asked)
        strength = max(lex, sim)
        if why:
            if worst is None or strength > worst[0]:
                worst = (strength, i, why)
            continue
        covers = lex >= COVER_LEXICAL or (said[i] and sim >= COVER_COSINE and
                                          lex >= COVER_COSINE_MIN_LEXICAL)
        if part.numbers and not part.numbers & c.numbers and lex < 1:
            covers = covers and sim >= COVER_COSINE + 0.1  # a number stated in other words
        if covers and (best_cover is None or strength > best_cover[0]):
            best_cover = (strength, i)
        elif said[i] and sim >= WEAK_COSINE and (best_weak is None or sim > best_weak[0]):
            best_weak = (sim, i)
    if best_cover is not None:
        return PointResult(part.text, "covered", clauses[best_cover[1]].text)
    if worst is not None:
        return PointResult(part.text, "contradicted", clauses[worst[1]].text, worst[2])
    if best_weak is not None:
        return PointResult(part.text, "partly covered", clauses[best_weak[1]].text,
                           f"cosine {best_weak[0]:.2f}, few shared words", best_weak[0])
    return PointResult(part.text, "not found")


def _combine(point: str, parts: list[PointResult]) -> PointResult:
    """A key point made of several claims: contradicted if any is, covered if all are."""
    for p in parts:
        if p.status == "contradicted":
            return PointResult(point, "contradicted", p.evidence, p.why)
    evidence = " / ".join(dict.fromkeys(p.evidence for p in parts if p.evidence))
    if all(p.status == "covered" for p in parts):
        return PointResult(point, "covered", evidence)
    if all(p.status != "not found" for p in parts):
        return PointResult(point, "partly covered", evidence, parts[-1].why,
                           min(p.strength or 1.0 for p in parts))
    return PointResult(point, "not found")

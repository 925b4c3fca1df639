"""Reading an answer as claims rather than vocabulary: what a reader of the rendered answer
sees (`clean`), which words a sentence negates (`negation`), whether it has clause
structure or is a list of terms (`is_term_list`), whether it only repeats the prompt's own
text (`Echo`), and which design prompt an answer is about (`Relevance`).

All of it is deterministic, pure Python and linear in the answer: every token is cut to
MAX_TOKEN_CHARS, every sentence to MAX_SENTENCE_TOKENS and an answer to MAX_SENTENCES, so
no paste, however odd, costs more than the longest normal answer.

Negation follows NegEx (Chapman et al., 2001): a trigger ("not", "no", "without", "rather
than", "skip", "is overkill" …) negates the words after it (or, for a post-trigger, before
it) up to a terminator (a comma, "but", "because" …) or SCOPE tokens; pseudo-triggers
("no more than", "not only") negate nothing. What it leaves out: double negation, sarcasm,
and negation carried across sentences ("Reranker? No.") — the second sentence has no claim
and earns nothing, the first is a bare term and earns nothing either.
"""

from __future__ import annotations

import html
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import yaml

MAX_TOKEN_CHARS = 32  # longer tokens are cut: no English word or API name needs more
MAX_SENTENCE_TOKENS = 60
MAX_SENTENCES = 300
SCOPE = 8  # a negation reaches at most this many tokens

# --- what a reader sees ------------------------------------------------------------------

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HIDDEN_STYLE = (r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])"
                 r"|opacity\s*:\s*0(?![.\d]*[1-9])|color\s*:\s*(?:white|#fff(?:fff)?|transparent)"
                 r"|height\s*:\s*0(?![.\d]*[1-9])|left\s*:\s*-\d{3,}")
_HIDDEN_EL = re.compile(
    r"<(?P<tag>[a-z][a-z0-9]*)\b(?=[^>]*(?:style\s*=\s*[\"'][^\"']*(?:" + _HIDDEN_STYLE
    + r")|\shidden\b|aria-hidden\s*=\s*[\"']?true|class\s*=\s*[\"'][^\"']*\b(?:hidden|sr-only"
      r"|visually-hidden)\b))[^>]*>.*?(?:</(?P=tag)\s*>|\Z)", re.S | re.I)
_TAG = re.compile(r"</?[a-z][a-z0-9]*\b[^>]*>|<[a-z][a-z0-9]*\b[^>]*/>", re.I)
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Latin look-alikes from other scripts (Unicode's confusables.txt, the letters that matter
# for English words); NFKC already folds full-width and mathematical letters.
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "ɡ": "g", "ԛ": "q",
    "ԝ": "w", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y", "α": "a", "ο": "o",
    "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u", "χ": "x", "Α": "A", "Β": "B",
    "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
    "Τ": "T", "Υ": "Y", "Χ": "X", "ı": "i", "ℓ": "l", "ǀ": "l", "׀": "l", "٥": "o", "۰": ".",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "﹣": "-", "−": "-", "ꓸ": ".",
})
_WRAPPER_TEXT_KEYS = ("answer", "answer_text", "text", "design", "content", "body")
_LONG_TOKEN = re.compile(rf"\S{{{MAX_TOKEN_CHARS + 1},}}")


def _short(s: str, n: int = 120) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _unwrap(text: str, dropped: list[str]) -> str:
    """A JSON or YAML wrapper around the answer: keep the answer's text, drop the rest
    (scores, rubrics, a `questions_asked` log) and list what was dropped."""
    s = text.strip()
    data = None
    if s[:1] in "{[":
        try:
            data = json.loads(s)
        except ValueError:
            return text
        kind = "JSON"
    elif re.match(r"^[A-Za-z_][\w-]*\s*:", s) and "\n" in s:
        try:
            data = yaml.safe_load(s)
        except yaml.YAMLError:
            return text
        if not isinstance(data, dict) or not any(k in data for k in _WRAPPER_TEXT_KEYS):
            return text
        kind = "YAML"
    else:
        return text
    if isinstance(data, list):
        dropped.append(f"{kind} wrapper (a list) ignored")
        return ""
    if not isinstance(data, dict):
        return text
    kept = [str(data[k]) for k in _WRAPPER_TEXT_KEYS if isinstance(data.get(k), str)]
    others = [k for k in data if k not in _WRAPPER_TEXT_KEYS or not isinstance(data[k], str)]
    if others:
        dropped.append(f"{kind} wrapper: fields ignored: {', '.join(map(str, others))[:200]}")
    return "\n".join(kept)


def _front_matter(text: str, dropped: list[str]) -> str:
    m = re.match(r"\A\s*---\s*\n(.*?)\n---\s*(?:\n|\Z)", text, re.S)
    if not m:
        return text
    dropped.append("YAML front matter: " + _short(m.group(1)))
    return text[m.end():]


def visible_text(text: str) -> tuple[str, list[str]]:
    """The answer as a reader of the rendered Markdown sees it, plus what was taken out.

    Drops HTML comments and hidden elements (display:none, visibility:hidden, zero size or
    opacity, the `hidden` attribute), JSON/YAML wrappers and front matter; removes the tags
    of visible HTML; deletes zero-width and other invisible format characters; drops a line
    carrying bidi controls (it shows in another order than it is read); folds NFKC and
    Latin look-alikes so "ѕуѕtеm:" is seen as "system:"; cuts very long tokens."""
    dropped: list[str] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _front_matter(_unwrap(text, dropped), dropped)
    for m in _COMMENT.findall(text):
        if m.strip("<!-> \n"):
            dropped.append("HTML comment: " + _short(m[4:].removesuffix("-->")))
    text = _COMMENT.sub("", text)
    for m in _HIDDEN_EL.finditer(text):
        inner = _TAG.sub(" ", m.group(0))
        dropped.append("hidden HTML: " + _short(inner))
    text = _HIDDEN_EL.sub("", text)
    text = html.unescape(_TAG.sub(" ", text))
    lines: list[str] = []
    invisible = 0
    for line in text.split("\n"):
        if any(c in _BIDI for c in line):
            dropped.append("bidi control characters: " + _short(
                "".join(c for c in line if c not in _BIDI)))
            continue
        kept = "".join(c for c in line if unicodedata.category(c) != "Cf")
        invisible += len(line) - len(kept)
        lines.append(unicodedata.normalize("NFKC", kept).translate(_CONFUSABLES))
    if invisible:
        dropped.append(f"{invisible} invisible character(s) removed (zero-width or format)")
    out = _LONG_TOKEN.sub(lambda m: m.group(0)[:MAX_TOKEN_CHARS], "\n".join(lines))
    return out, dropped


# --- negation ------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9@%$][A-Za-z0-9@%$'’/+\-_.]*[A-Za-z0-9@%$]|[A-Za-z0-9@%$]"
                   r"|[,;:.!?()→]")
_PSEUDO = [("no", "more", "than"), ("not", "more", "than"), ("no", "later", "than"),
           ("no", "less", "than"), ("no", "fewer", "than"), ("not", "only"), ("no", "doubt"),
           ("not", "exceed"), ("never", "exceed"), ("no", "matter"), ("not", "longer", "than"),
           ("no", "slower", "than"), ("not", "over")]
_PRE = [("decided", "against"), ("decide", "against"), ("recommend", "against"),
        ("argue", "against"), ("advise", "against"), ("leave", "out"), ("left", "out"),
        ("forget", "about"), ("rather", "than"), ("instead", "of"), ("no", "need", "for"),
        ("no", "need", "to"),
        ("rules", "out"), ("rule", "out"), ("ruled", "out"), ("do", "away", "with"),
        ("not",), ("no",), ("never",), ("without",), ("nor",), ("neither",), ("none",),
        ("skip",), ("skipping",), ("skipped",), ("forgo",), ("omit",), ("omitting",),
        ("won't",), ("wont",), ("don't",), ("dont",), ("doesn't",), ("didn't",), ("isn't",),
        ("aren't",), ("wasn't",), ("weren't",), ("wouldn't",), ("shouldn't",), ("can't",),
        ("cannot",), ("couldn't",), ("mustn't",), ("needn't",), ("hardly",)]
_POST = [("not", "needed"), ("not", "necessary"), ("not", "required"), ("unnecessary",),
         ("overkill",), ("not", "worth"), ("not", "a", "concern"), ("not", "really", "a"),
         ("doesn't", "matter"), ("don't", "matter"), ("does", "not", "matter"),
         ("do", "not", "matter"), ("matters", "little"), ("not", "important"),
         ("irrelevant",), ("can", "wait"), ("is", "optional"), ("are", "optional"),
         ("not", "matter"), ("out", "of", "scope"), ("is", "pointless"), ("useless",),
         ("isn't", "needed"), ("aren't", "needed"), ("isn't", "necessary"),
         ("aren't", "necessary"), ("isn't", "required"), ("isn't", "worth"),
         ("aren't", "worth"), ("isn't", "important"), ("not", "useful"), ("isn't", "useful"),
         ("doesn't", "help"), ("won't", "help"), ("is", "a", "waste"), ("not", "a", "priority")]
_MULTI = [p for p in _PRE if len(p) > 1]
_TERMINATORS = {",", ";", ":", ".", "!", "?", "(", ")", "→", "but", "however", "although",
                "though", "yet", "because", "since", "so", "which", "while", "whereas",
                "except", "instead", "then", "unless", "whereby", "who"}


def _norm_tok(t: str) -> str:
    return t.lower().replace("’", "'")


def _at(toks: Sequence[str], i: int, pat: tuple[str, ...]) -> bool:
    return tuple(toks[i : i + len(pat)]) == pat


@dataclass(frozen=True)
class Negation:
    """A sentence split into what it affirms and what it negates."""

    affirmed: str
    negated: str  # the negated words, joined (empty when nothing is negated)


def negation(sentence: str) -> Negation:
    raw = _WORD.findall(sentence)[: MAX_SENTENCE_TOKENS * 2]
    toks = [_norm_tok(t) for t in raw]
    neg = [False] * len(toks)
    trig = [False] * len(toks)
    i = 0
    while i < len(toks):
        if any(_at(toks, i, p) for p in _PSEUDO):
            i += 2
            continue
        post = next((p for p in _POST if _at(toks, i, p)), None)
        if post:
            for k in range(i, i + len(post)):
                trig[k] = True
            j = i - 1
            while j >= 0 and i - j <= SCOPE and toks[j] not in _TERMINATORS:
                neg[j] = True
                j -= 1
            i += len(post)
            continue
        pre = next((p for p in _PRE if _at(toks, i, p)), None)
        if pre:
            for k in range(i, i + len(pre)):
                trig[k] = True
            j = i + len(pre)
            # "I don't think X matters": the thought verb carries the scope on
            while j < len(toks) and j - i <= SCOPE and toks[j] not in _TERMINATORS:
                if any(_at(toks, j, p) for p in _MULTI):  # a new trigger starts
                    break
                neg[j] = True
                j += 1
            i += len(pre)
            continue
        i += 1
    affirmed = " ".join(t for t, n, g in zip(raw, neg, trig, strict=True) if not (n or g))
    negated = " ".join(t for t, n in zip(raw, neg, strict=True) if n)
    return Negation(affirmed, negated)


_NEG_WORDS = {p[0] for p in _PRE + _POST if len(p) == 1} | {"not", "no"}


def has_negation_word(phrase: str) -> bool:
    """"no writes", "i don't know", "skip the reranker": phrases that are negative in form,
    matched against the sentence as written rather than its affirmed part."""
    return any(_norm_tok(t) in _NEG_WORDS for t in _WORD.findall(phrase))


# --- clause structure ----------------------------------------------------------------------

_FUNCTION = set("""
i we you it they he she this that these those our its their my your one each every all some
any a an the is are was were be been being will would can could should must may might do does
did has have had 's 're 'll 'd of to in on at for with by from into over under per through
within before after between against without than as via and or but so if because since when
while which who where then also only just not no never more less most least very we'd i'd
it's we'll i'll that's they'd they'll there here what how why whether
""".split())
_VERBISH = set("""
is are was were be been will would can could should must may might do does did has have had
need needs use uses using used keep keeps run runs send sends store stores add adds make makes
get gets take takes go goes let lets give gives put puts call calls route routes cache caches
split splits embed embeds rank ranks filter filters check checks build builds serve serves
return returns write writes read reads answer answers ask asks choose chooses pick picks cut
cuts save saves cost costs drop drops fall falls start starts block blocks catch catches
hold holds sit sits live lives mean means matter matters want wants show shows measure
measures track tracks log logs trace traces gate gates fail fails scale scales stream streams
triggers trigger isolate isolates retrieve retrieves merge merges re-embed rebuild rebuilds
sync syncs expire expires refresh refreshes escalate escalates extract extracts map maps
update updates redact redacts upload uploads verify verifies leave leaves sits expect expects
matter matters rerank reranks index indexes fuse fuses shard shards batch batches queue queues
retry retries
push pushes pull pulls ship ships handle handles protect protects prevent prevents avoid
avoids stop stops reject rejects lose loses depend depends decide decides compare compares
label labels grade grades score scores judge judges replace replaces beat beats win wins
""".split())
_LIST_SEP = re.compile(r"\s*(?:,|;|/|\+|\||·|•|&|\band\b|\bor\b|\bbecause\b|\bversus\b|\bvs\.?"
                       r"|\bover\b|\bthan\b)\s*", re.I)


def words(text: str) -> list[str]:
    return [_norm_tok(t) for t in _WORD.findall(text) if t[0].isalnum() or t[0] in "@%$"]


def is_term_list(sentence: str) -> bool:
    """True for text without clause structure: a run of terms, however punctuated.

    A clause has a verb-like word (an auxiliary, a modal, a common design verb or a form
    ending -ed/-ing/-es next to a subject) and a fair share of function words. A line of
    comma-separated items each a few words long, with no verb, is a list."""
    ws = words(sentence)
    if len(ws) < 3:
        return True
    if sentence.count("→") + sentence.count("->") >= 2:
        return False  # a request path drawn as text: structure, not a bag of words
    func = sum(1 for w in ws if w in _FUNCTION)
    verbish = any(w in _VERBISH for w in ws) or any(
        w.endswith(("ed", "ing")) and len(w) > 4 for w in ws)
    items = [p for p in _LIST_SEP.split(sentence) if p.strip()]
    share = func / len(ws)
    if len(ws) >= 8 and len(set(ws)) / len(ws) < 0.65:
        return True  # "A because B, B versus A": the same terms shuffled
    if len(items) >= 3 and max(len(p.split()) for p in items) <= 4 and share < 0.25:
        return True  # short items joined by commas, "because" or "versus": a list
    if not verbish:
        numbered = any(ch.isdigit() for ch in sentence) and func >= 1
        return not numbered and share < 0.3
    return share < 0.1


def skeleton(sentence: str) -> str | None:
    """The sentence with its content words blanked ("we use _ _ because it _"), or None when
    it is too short to say: three or more sentences of one skeleton are a template filled
    with terms, i.e. stuffing."""
    ws = words(sentence)
    if len(ws) < 5 or sum(w in _FUNCTION for w in ws) < 2:
        return None
    return " ".join(w if w in _FUNCTION else "_" for w in ws)


TEMPLATE_REPEATS = 3


def joins_clauses(sentence: str, markers: Iterable[str]) -> bool:
    """A marker ("because", "versus", "rather than") counts only when there is a clause on
    each side of it: at least three words before and after, and the whole is not a list."""
    low = f" {sentence.lower()} "
    for mk in markers:
        k = low.find(mk)
        while k >= 0:
            before, after = words(low[:k]), words(low[k + len(mk):])
            if len(before) >= 3 and len(after) >= 3 and not is_term_list(sentence):
                return True
            k = low.find(mk, k + 1)
    return False


# --- echoes ----------------------------------------------------------------------------------


class Echo:
    """Text the learner was given (the prompt, the question titles, box names, the rubric's
    feedback lines): a sentence mostly made of its word trigrams says nothing new."""

    def __init__(self, sources: Iterable[str], *, share: float = 0.6):
        self.share = share
        self.grams: set[tuple[str, ...]] = set()
        self.whole: set[str] = set()
        for s in sources:
            ws = words(s)
            self.whole.add(" ".join(ws))
            self.grams.update(zip(ws, ws[1:], ws[2:], strict=False))

    def is_echo(self, sentence: str) -> bool:
        ws = words(sentence)
        if not ws:
            return True
        if " ".join(ws) in self.whole:
            return True
        covered = [False] * len(ws)
        for k in range(len(ws) - 2):
            if tuple(ws[k : k + 3]) in self.grams:
                covered[k] = covered[k + 1] = covered[k + 2] = True
        return sum(covered) / len(ws) >= self.share


# --- relevance -------------------------------------------------------------------------------


@dataclass
class Relevance:
    """TF-IDF over stems of each prompt's own text (prompt, headline, trap, requirements,
    what a strong answer weighs; never its reference answers): which prompt an answer is
    about. An answer is off-prompt when another prompt fits it clearly better."""

    profiles: dict[str, Counter[str]]
    idf: dict[str, float] = field(default_factory=dict)
    margin: float = 1.25

    @classmethod
    def build(cls, texts: dict[str, str]) -> Relevance:
        from labs.whiteboard.text import stems

        profiles = {pid: Counter(w for w in stems(t) if len(w) > 2 and w not in _FUNCTION)
                    for pid, t in texts.items()}
        n = len(profiles)
        df: Counter[str] = Counter()
        for c in profiles.values():
            df.update(set(c))
        idf = {w: math.log((1 + n) / (1 + d)) + 0.2 for w, d in df.items()}
        return cls(profiles, idf)

    def _vec(self, counts: Counter[str]) -> dict[str, float]:
        v = {w: (1 + math.log(c)) * self.idf.get(w, 0.0) for w, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    def scores(self, text: str) -> dict[str, float]:
        from labs.whiteboard.text import stems

        a = self._vec(Counter(w for w in stems(text) if len(w) > 2 and w not in _FUNCTION))
        out = {}
        for pid, c in self.profiles.items():
            p = self._vec(c)
            out[pid] = sum(x * p.get(w, 0.0) for w, x in a.items())
        return out

    def looks_like(self, prompt_id: str, text: str) -> str | None:
        """The other prompt this text is about, or None when it fits `prompt_id` well enough."""
        sc = self.scores(text)
        best = max(sc, key=lambda k: sc[k])
        if best == prompt_id or sc[best] <= 0.05:
            return None
        return best if sc[best] > self.margin * sc.get(prompt_id, 0.0) else None

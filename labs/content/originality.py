"""Originality of everything written in our own words: no sentence in content/ shares a
run of nine words with the source track (except allow-listed slogans), and no sentence of 12
or more words is a near-copy (70% or more of its 3-word runs found in the track: a 15-word
sentence with one word swapped scores about 77%; our own sentences score at most 45%). The
track itself is not shipped: only a fingerprint of its 9- and 3-word runs (a short hash of
each), made by `aie-bridge content fingerprint --track FILE`.

Leaves out: semantic near-copies (a paraphrase that keeps every idea); a reviewer still reads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

RUN_WORDS = 9
NEAR_WORDS = 3  # near-copy check: share of a sentence's 3-word runs found in the track
NEAR_MIN_WORDS = 12
NEAR_SHARE = 0.70
ALLOWED_RUNS = ("cost per call is the new latency per call",)  # the track's slogan, quoted
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lower-case word tokens; punctuation, dashes and hyphens split words.

    >>> words("Cost-per-call is the new latency—per call.")
    ['cost', 'per', 'call', 'is', 'the', 'new', 'latency', 'per', 'call']
    """
    return _WORD.findall(text.lower().replace("’", "'").replace("'", ""))


def _hash(run: Iterable[str]) -> str:
    return hashlib.blake2b(" ".join(run).encode(), digest_size=8).hexdigest()


def _runs(tokens: list[str], n: int = RUN_WORDS) -> Iterator[tuple[int, tuple[str, ...]]]:
    for i in range(len(tokens) - n + 1):
        yield i, tuple(tokens[i : i + n])


@dataclass(frozen=True)
class Fingerprint:
    """Hashed word runs of the track: enough to detect copying, not to read it back."""

    runs: frozenset[str]  # every 9-word run
    trigrams: frozenset[str]  # every 3-word run

    def lines(self) -> list[str]:
        return [f"{RUN_WORDS} {h}" for h in sorted(self.runs)] + \
            [f"{NEAR_WORDS} {h}" for h in sorted(self.trigrams)]


def fingerprint(track_text: str) -> Fingerprint:
    tokens = words(track_text)
    return Fingerprint(frozenset(_hash(run) for _, run in _runs(tokens)),
                       frozenset(_hash(run) for _, run in _runs(tokens, NEAR_WORDS)))


def load_fingerprint(path: Path) -> Fingerprint:
    runs, trigrams = set(), set()
    for line in path.read_text(encoding="utf-8").splitlines():
        n, _, h = line.strip().partition(" ")
        if n == str(RUN_WORDS):
            runs.add(h)
        elif n == str(NEAR_WORDS):
            trigrams.add(h)
    return Fingerprint(frozenset(runs), frozenset(trigrams))


_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+|\n\s*\n|\n\s*[-*|#]|\|")


def near_copies(text: str, track: Fingerprint) -> list[str]:
    """Sentences of 12+ words that repeat the track with a word or two changed.

    Raw YAML or Markdown is fine: list items, table cells and blank lines end a sentence.
    """
    out = []
    for sentence in _SENTENCE_BREAK.split(text):
        tokens = words(sentence)
        if len(tokens) < NEAR_MIN_WORDS:
            continue
        grams = [_hash(run) for _, run in _runs(tokens, NEAR_WORDS)]
        if sum(g in track.trigrams for g in grams) / len(grams) >= NEAR_SHARE:
            out.append(" ".join(sentence.split()))
    return out


def shared_runs(text: str, track: Fingerprint,
                allowed: Iterable[str] = ALLOWED_RUNS) -> list[str]:
    """The stretches of `text` that repeat nine or more consecutive words of the track.

    Overlapping hits merge into one stretch; a stretch inside an allow-listed phrase is fine.
    """
    tokens = words(text)
    hits = [i for i, run in _runs(tokens) if _hash(run) in track.runs]
    stretches: list[list[int]] = []
    for i in hits:
        if stretches and i <= stretches[-1][1] + 1:
            stretches[-1][1] = i
        else:
            stretches.append([i, i])
    allowed_text = [" ".join(words(a)) for a in allowed]
    out = []
    for start, end in stretches:
        phrase = " ".join(tokens[start : end + RUN_WORDS])
        if not any(phrase in a for a in allowed_text):
            out.append(phrase)
    return out


FINGERPRINT = "track_fingerprint.txt"  # under content/
# what is written in our own words: everything but the retrieval corpus and the lab data
ORIGINAL_TEXT = ("modules/*.md", "quizzes/*.yaml", "flashcards/*.yaml", "decision_trainer.yaml",
                 "whiteboard/prompts/*.yaml", "evals/*.yaml")


def check_originality(root: Path) -> str:
    """Every file of ORIGINAL_TEXT against the fingerprint; ContentError names each copy."""
    from labs.content import ContentError

    fp_path = root / FINGERPRINT
    if not fp_path.exists():
        raise ContentError([f"{fp_path}: file is missing (make it with `aie-bridge content "
                            "fingerprint --track FILE`)"])
    track = load_fingerprint(fp_path)
    problems, n = [], 0
    for pattern in ORIGINAL_TEXT:
        for path in sorted(root.glob(pattern)):
            n += 1
            text = path.read_text(encoding="utf-8")
            for run in shared_runs(text, track):
                problems.append(f"{path}: repeats {len(run.split())} words of the track in a "
                                f"row: \"{run}\" (say it in our own words)")
            for sentence in near_copies(text, track):
                problems.append(f"{path}: nearly copies a sentence of the track: "
                                f"\"{sentence[:120]}\" (say it in our own words)")
    if problems:
        raise ContentError(problems)
    return f"{n} files share no {RUN_WORDS}-word run and no near-copied sentence with the track"

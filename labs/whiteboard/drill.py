"""The 90-second drill: word count, pace and a structure check of a spoken-answer script
against module 9's outline (six beats, each with cue phrases).

At about 150 words a minute, 90 seconds is about 225 words. A beat is present when one of
its cues appears in a sentence; the beats should appear in the outline's order; each beat's
word budget is its seconds × 150 / 60. Left out: speech (the learner types or pastes).

    >>> r = analyse("Assuming read-only users. The architecture is hybrid RAG.", outline=[])
    >>> r.words, r.target_words
    (8, 225)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from labs.whiteboard.text import phrase_in, sentences

WPM = 150
SECONDS = 90


@dataclass(frozen=True)
class Beat:
    id: str
    title: str
    present: bool
    cue: str | None  # the cue that matched
    sentence_index: int | None  # the first sentence carrying it
    words: int  # words in the sentences assigned to it
    budget_words: int


@dataclass(frozen=True)
class DrillReport:
    words: int
    target_words: int
    spoken_seconds: float  # at WPM
    elapsed_seconds: float | None  # how long the learner took, if timed
    pace_verdict: str
    beats: list[Beat]
    in_order: bool

    @property
    def missing(self) -> list[str]:
        return [b.title for b in self.beats if not b.present]


def analyse(script: str, *, outline: Sequence[Any], seconds: int = SECONDS, wpm: int = WPM,
            elapsed_seconds: float | None = None) -> DrillReport:
    """`outline` is module 9's `script_outline` (steps with id, title, seconds, cues)."""
    sents = sentences(script, min_words=1)
    words = len(script.split())
    target = round(seconds * wpm / 60)
    spoken = words / wpm * 60
    if words == 0:
        verdict = "Nothing to time yet."
    elif spoken > seconds * 1.15:
        verdict = f"Too long: about {spoken:.0f} s at {wpm} wpm. Cut {words - target} words."
    elif spoken < seconds * 0.7:
        verdict = f"Short: about {spoken:.0f} s at {wpm} wpm; there is room for {target - words} " \
                  f"more words."
    else:
        verdict = f"On pace: about {spoken:.0f} s at {wpm} wpm."
    # each sentence goes to the first beat (in outline order) whose cue it carries
    owner: list[int | None] = []
    for s in sents:
        owner.append(next((k for k, step in enumerate(outline)
                           if any(phrase_in(s, c) for c in step.cues)), None))
    beats = []
    for k, step in enumerate(outline):
        idx = next((i for i, o in enumerate(owner) if o == k), None)
        if idx is None:  # a cue in a sentence claimed by an earlier beat still counts
            idx = next((i for i, s in enumerate(sents) if any(phrase_in(s, c)
                                                              for c in step.cues)), None)
        cue = next((c for c in step.cues if idx is not None and phrase_in(sents[idx], c)), None)
        beats.append(Beat(step.id, step.title, idx is not None, cue, idx,
                          sum(len(sents[i].split()) for i, o in enumerate(owner) if o == k),
                          round(step.seconds * wpm / 60)))
    firsts = [b.sentence_index for b in beats if b.sentence_index is not None]
    return DrillReport(words, target, round(spoken, 1), elapsed_seconds, verdict, beats,
                       in_order=firsts == sorted(firsts))

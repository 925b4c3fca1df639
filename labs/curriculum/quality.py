"""Quiz shape, which `aie-bridge content check` enforces. A quiz is an instrument, and one a
test-wise learner can pass without knowing the subject measures nothing. We measure the
classic cues: the key is the longest option, keys are longer than distractors on average, and
absolute words ("always", "never") sit in the distractors. Option order is shuffled at render
time, so file position is not a cue. (Originality, for all our text, is
`labs.content.originality`.)

Leaves out: grammar cues ("an" before a vowel key); a reviewer still reads the options.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from labs.curriculum.models import Question

MAX_KEY_LONGEST_SHARE = 0.40  # the key may be the longest option in at most 40% of questions
MAX_LENGTH_RATIO = 1.3  # mean key length / mean distractor length
MAX_ABSOLUTE_SKEW = 1.5  # absolute words per distractor / per key, when the gap is material
ABSOLUTE = re.compile(r"\b(always|never|only|all|every|none|must|guarantees?|guaranteed|"
                      r"completely|entirely|impossible)\b", re.I)


@dataclass(frozen=True)
class QuizShape:
    questions: int
    key_longest: int  # questions whose key is (or ties for) the longest option
    key_shortest: int  # the opposite cue, from overcorrecting
    longest_pick_score: float  # expected share right when always picking the longest option
    length_ratio: float  # mean key length / mean distractor length, in characters
    absolute_per_key: float  # absolute words per key
    absolute_per_distractor: float

    @property
    def key_longest_share(self) -> float:
        return self.key_longest / self.questions if self.questions else 0.0

    def problems(self) -> list[str]:
        """What makes the quizzes guessable, in words a content author can act on."""
        out = []
        if self.key_longest_share > MAX_KEY_LONGEST_SHARE:
            out.append(f"the key is the longest option in {self.key_longest} of {self.questions} "
                       f"questions ({self.key_longest_share:.0%}; at most "
                       f"{MAX_KEY_LONGEST_SHARE:.0%} allowed): lengthen distractors or trim keys")
        if self.length_ratio > MAX_LENGTH_RATIO:
            out.append(f"keys average {self.length_ratio:.2f}x the length of distractors "
                       f"(at most {MAX_LENGTH_RATIO}x allowed)")
        if self.key_shortest / max(self.questions, 1) > MAX_KEY_LONGEST_SHARE:
            out.append(f"the key is the shortest option in {self.key_shortest} of "
                       f"{self.questions} questions: trimming keys made brevity the cue")
        gap = self.absolute_per_distractor - self.absolute_per_key
        if gap > 0.05 and self.absolute_per_distractor > MAX_ABSOLUTE_SKEW * self.absolute_per_key:
            out.append(f"distractors use absolute words ('always', 'never', ...) "
                       f"{self.absolute_per_distractor:.2f} times per option against "
                       f"{self.absolute_per_key:.2f} in keys: a test-wise learner rules them out")
        return out

    def summary(self) -> str:
        return (f"key longest in {self.key_longest_share:.0%} of questions, picking the longest "
                f"scores {self.longest_pick_score:.0%}, key/distractor length "
                f"{self.length_ratio:.2f}x")


def quiz_shape(questions: Iterable[Question]) -> QuizShape:
    """Measure the length and wording cues across all questions.

    Ties count against the key: if the key shares the top length it "is" the longest, and the
    always-longest strategy picks among the tied options at random.
    """
    n = key_longest = key_shortest = 0
    score = 0.0
    key_chars: list[int] = []
    distractor_chars: list[int] = []
    key_abs = distractor_abs = 0
    for q in questions:
        n += 1
        lengths = [len(o.text) for o in q.options]
        top = [i for i, length in enumerate(lengths) if length == max(lengths)]
        key_shortest += lengths[q.answer] == min(lengths)
        if q.answer in top:
            key_longest += 1
            score += 1 / len(top)
        for i, o in enumerate(q.options):
            words = len(ABSOLUTE.findall(o.text))
            if i == q.answer:
                key_chars.append(lengths[i])
                key_abs += words
            else:
                distractor_chars.append(lengths[i])
                distractor_abs += words
    mean_key = sum(key_chars) / len(key_chars) if key_chars else 0.0
    mean_distractor = sum(distractor_chars) / len(distractor_chars) if distractor_chars else 1.0
    return QuizShape(
        questions=n, key_longest=key_longest, key_shortest=key_shortest,
        longest_pick_score=score / n if n else 0.0,
        length_ratio=mean_key / mean_distractor,
        absolute_per_key=key_abs / len(key_chars) if key_chars else 0.0,
        absolute_per_distractor=distractor_abs / len(distractor_chars) if distractor_chars
        else 0.0)

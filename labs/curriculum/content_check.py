"""The curriculum's checks for `aie-bridge content check`: every file valid and
cross-referenced, quizzes a test-wise guesser cannot pass, and all our text our own."""

from __future__ import annotations

from pathlib import Path

from labs.content import ContentError
from labs.content.originality import check_originality
from labs.curriculum.loader import load_curriculum
from labs.curriculum.quality import quiz_shape


def check_curriculum(root: Path) -> str:
    cur = load_curriculum(root)
    n_q = sum(len(q.questions) for q in cur.quizzes.values())
    n_c = sum(len(d.cards) for d in cur.decks.values())
    shape = quiz_shape(cur.questions().values())  # a quiz a test-wise guesser passes fails
    if shape.problems():
        raise ContentError([f"{root / 'quizzes'}: {p}" for p in shape.problems()])
    return (f"{len(cur.modules)} modules, {n_q} quiz questions, {n_c} flashcards, "
            f"{len(cur.trainer.scenarios)} decision scenarios; {shape.summary()}")


CHECKS = [("curriculum", check_curriculum), ("originality", check_originality)]

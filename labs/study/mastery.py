"""A small learner model: how well each module is known, and what to do next.

Mastery per module combines three signals the app already stores, each in [0, 1]:
- quiz accuracy, recency-weighted: the latest answer weighs 1, the one before 0.7, then
  0.49 and so on, so a question missed a month ago and answered right today counts as
  mostly known;
- flashcard recall: fsrs's predicted retrievability now, averaged over the module's deck
  cards (a card never reviewed counts 0);
- design rubric: for the rubric items that belong to the module, the share of whiteboard
  attempts in which they were covered (half marks or more).
Mastery is the mean of the signals the learner has produced, weighted 2:2:1; a module with
no signal is "not started". The weights are a teaching choice, not a fitted model: the page
shows each signal beside the total so the learner can see why.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

QUIZ_DECAY = 0.7
WEIGHTS = {"quiz": 2.0, "cards": 2.0, "rubric": 1.0}

# Which module teaches each whiteboard rubric item (unknown items go to system design).
RUBRIC_MODULE = {
    "read_write": "system-design", "freshness": "rag", "latency_budget": "cost-latency",
    "eval_rubric": "evals", "multi_tenancy": "system-design", "architecture": "system-design",
    "trap": "system-design", "tradeoffs": "cost-latency", "eval_plan": "evals",
    "bottleneck": "system-design", "requirement_change": "system-design",
}


@dataclass(frozen=True)
class RubricRecord:
    """Per rubric item: in how many graded designs it was covered, out of how many."""

    item_id: str
    title: str
    covered: int
    attempts: int

    @property
    def missed(self) -> int:
        return self.attempts - self.covered


@dataclass(frozen=True)
class ModuleMastery:
    module_id: str
    title: str
    quiz: float | None  # recency-weighted accuracy
    quiz_answers: int
    cards: float | None  # mean predicted recall over the deck
    cards_reviewed: int
    cards_total: int
    rubric: float | None
    rubric_items: list[RubricRecord] = field(default_factory=list)
    lesson_read: bool = False

    @property
    def score(self) -> float | None:
        parts = [(WEIGHTS["quiz"], self.quiz), (WEIGHTS["cards"], self.cards),
                 (WEIGHTS["rubric"], self.rubric)]
        known = [(w, v) for w, v in parts if v is not None]
        if not known:
            return None
        return round(sum(w * v for w, v in known) / sum(w for w, _ in known), 3)


def weighted_accuracy(answers: Sequence[bool]) -> float | None:
    """Recency-weighted share right, oldest answer first.

    >>> weighted_accuracy([False, True])  # (0.7*0 + 1*1) / 1.7
    0.588
    """
    if not answers:
        return None
    weights = [QUIZ_DECAY ** (len(answers) - 1 - i) for i in range(len(answers))]
    return round(sum(w for w, a in zip(weights, answers, strict=True) if a) / sum(weights), 3)


def rubric_records(grades_json: Iterable[str]) -> list[RubricRecord]:
    """Count, per rubric item, the graded designs that covered it (score >= half its max)."""
    covered: dict[str, int] = {}
    seen: dict[str, int] = {}
    titles: dict[str, str] = {}
    for raw in grades_json:
        try:
            items = json.loads(raw).get("items", [])
        except (ValueError, AttributeError):
            continue
        for item in items:
            iid, mx = str(item.get("id", "")), float(item.get("max") or 0)
            if not iid or mx <= 0:
                continue
            seen[iid] = seen.get(iid, 0) + 1
            covered[iid] = covered.get(iid, 0) + (float(item.get("score", 0)) >= mx / 2)
            titles[iid] = str(item.get("title") or iid)
    return [RubricRecord(i, titles[i], covered[i], seen[i]) for i in seen]


def module_mastery(
    modules: Sequence[tuple[str, str]], quiz_answers: dict[str, list[bool]],
    card_recall: dict[str, list[float]], deck_sizes: dict[str, int],
    rubric: Sequence[RubricRecord], lessons_read: set[str],
) -> list[ModuleMastery]:
    """Mastery per module, in learning-path order. `card_recall` holds the predicted recall of
    each reviewed deck card by module; cards never reviewed count 0 against `deck_sizes`."""
    out = []
    for mid, title in modules:
        recalls = card_recall.get(mid, [])
        total = deck_sizes.get(mid, 0)
        items = [r for r in rubric if RUBRIC_MODULE.get(r.item_id, "system-design") == mid]
        attempts = sum(r.attempts for r in items)
        out.append(ModuleMastery(
            module_id=mid, title=title,
            quiz=weighted_accuracy(quiz_answers.get(mid, [])),
            quiz_answers=len(quiz_answers.get(mid, [])),
            cards=round(sum(recalls) / total, 3) if recalls and total else None,
            cards_reviewed=len(recalls), cards_total=total,
            rubric=round(sum(r.covered for r in items) / attempts, 3) if attempts else None,
            rubric_items=items, lesson_read=mid in lessons_read,
        ))
    return out


def weakest_first(mastery: Sequence[ModuleMastery]) -> list[str]:
    """Module ids, weakest first; modules not started come after the weak ones they follow,
    in path order (a learner should not be sent to module 9 before module 1)."""
    started = sorted((m for m in mastery if m.score is not None), key=lambda m: m.score or 0)
    fresh = [m for m in mastery if m.score is None]
    return [m.module_id for m in started if (m.score or 0) < 0.6] + [m.module_id for m in fresh] \
        + [m.module_id for m in started if (m.score or 0) >= 0.6]


@dataclass(frozen=True)
class NextStep:
    kind: str  # review | quiz | design | lesson | plan
    title: str
    why: str
    page: str  # the nav page key
    module_id: str | None = None
    priority: float = 0.0


def next_steps(mastery: Sequence[ModuleMastery], *, due_reviews: int, due_new: int,
               plan_message: str | None = None, plan_fits: bool = True,
               now: datetime | None = None, limit: int = 3) -> list[NextStep]:
    """The next `limit` things to do, most useful first, each with the reason it was picked."""
    steps: list[NextStep] = []
    if due_reviews:
        steps.append(NextStep("review", f"Review {due_reviews} flashcards due",
                              "reviews done on their due day keep recall at your target; "
                              "late ones cost more work later", "review", priority=0.95))
    if plan_message and not plan_fits:
        steps.append(NextStep("plan", "Adjust your study plan", plan_message, "study",
                              priority=0.9))
    for m in mastery:
        if m.quiz is not None and m.quiz < 0.7 and m.quiz_answers:
            steps.append(NextStep(
                "quiz", f"Retake the {m.title} quiz",
                f"recent answers {m.quiz:.0%} right over {m.quiz_answers} answers",
                "modules", m.module_id, priority=0.8 - m.quiz * 0.3))
        for r in m.rubric_items:
            if r.attempts and r.missed / r.attempts >= 0.5:
                steps.append(NextStep(
                    "design", f"Practise a design: {r.title}",
                    f"you missed {r.title.removeprefix('Q: ').lower()} in {r.missed} of "
                    f"{r.attempts} designs", "whiteboard", m.module_id,
                    priority=0.6 + 0.3 * r.missed / r.attempts))
    unread = [m for m in mastery if not m.lesson_read]
    if unread:
        m = unread[0]
        steps.append(NextStep("lesson", f"Read module: {m.title}",
                              "the next lesson on your path you have not marked read",
                              "modules", m.module_id, priority=0.5))
    if due_new and not due_reviews:
        steps.append(NextStep("review", f"Learn {due_new} new flashcards",
                              "today's new cards", "review", priority=0.45))
    steps.sort(key=lambda s: -s.priority)
    return steps[:limit]


__all__ = ["ModuleMastery", "NextStep", "RUBRIC_MODULE", "RubricRecord", "module_mastery",
           "next_steps", "rubric_records", "weakest_first", "weighted_accuracy"]

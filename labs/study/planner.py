"""Plan flashcard reviews backwards from an interview date.

FSRS schedules for long-term retention: each review's next interval is the time until the
predicted probability of recall (retrievability) falls to the desired retention. Someone with
an interview on a known day wants something narrower: every card introduced in time, and
every card's retrievability *on that day* at or above a target. This module forecasts that
day by day, with fsrs's own model:

- the scheduler runs at the learner's desired retention (default 0.9), so a card whose next
  due falls after the interview is still at or above target on the day;
- `cap_due` pulls a due in to the day before the interview when rounding (fsrs intervals are
  whole days) would leave a card just under target on the day;
- new cards are introduced evenly until a few days before the interview (weakest modules
  first), so each gets several reviews before it;
- each day shows at most `max_per_day` cards (new plus review; the same-day learning steps of
  a card count once): reviews first, the most at-risk first, then new cards.

The forecast assumes every review is rated Good. A real "Again" changes that card's state,
and the next plan (drawn from the stored states) accounts for it. It leaves out review time
per card and fuzzing (the plan turns fuzz off so it can promise a date).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from fsrs import Card, Rating, Scheduler, State

DEFAULT_RETENTION = 0.9
DEFAULT_MAX_PER_DAY = 60
LEAD_DAYS = 5  # new cards stop this many days before the interview (when there is room)


@dataclass(frozen=True)
class PlanCard:
    """One card of the learner's deck: `card` is its fsrs state, None while it is new."""

    card_id: str
    module_id: str
    card: Card | None = None


@dataclass(frozen=True)
class PlanDay:
    day: date
    new: list[str] = field(default_factory=list)  # card ids introduced that day
    review: list[str] = field(default_factory=list)  # card ids reviewed that day
    postponed: int = 0  # due reviews pushed to a later day by the daily cap

    def as_dict(self) -> dict:
        return {"date": self.day.isoformat(), "new": len(self.new), "review": len(self.review)}


@dataclass(frozen=True)
class Plan:
    today: date
    interview: date
    retention: float
    max_per_day: int
    days: list[PlanDay]
    recall_on_day: dict[str, float]  # card id -> predicted retrievability on the interview day
    card_module: dict[str, str]
    never_introduced: list[str]

    @property
    def below_target(self) -> list[str]:
        return [c for c, r in self.recall_on_day.items() if r < self.retention]

    @property
    def fits(self) -> bool:
        return not self.below_target

    def retention_by_module(self) -> dict[str, float]:
        by: dict[str, list[float]] = {}
        for cid, r in self.recall_on_day.items():
            by.setdefault(self.card_module[cid], []).append(r)
        return {m: round(sum(v) / len(v), 4) for m, v in sorted(by.items())}

    @property
    def overall(self) -> float:
        values = list(self.recall_on_day.values())
        return round(sum(values) / len(values), 4) if values else 1.0


def scheduler(retention: float = DEFAULT_RETENTION,
              parameters: Sequence[float] | None = None, *, fuzz: bool = False) -> Scheduler:
    """The fsrs scheduler a plan (and the learner's reviews, once a date is set) runs on."""
    kwargs = {"parameters": tuple(parameters)} if parameters else {}
    return Scheduler(desired_retention=retention, enable_fuzzing=fuzz, **kwargs)


def interview_moment(interview: date) -> datetime:
    """Retrievability "on the day" is measured at midday UTC of the interview day."""
    return datetime.combine(interview, time(12), tzinfo=UTC)


def recall_on(sched: Scheduler, card: Card | None, interview: date) -> float:
    """Predicted probability of recall on the interview day; 0 for a card never reviewed."""
    if card is None:
        return 0.0
    return float(sched.get_card_retrievability(card, interview_moment(interview)))


def cap_due(sched: Scheduler, card: Card, interview: date, retention: float,
            reviewed_on: date) -> Card:
    """Pull the next due in to the day before the interview when the card would otherwise
    be seen next after the interview and be under `retention` on the day.

    >>> s = scheduler(0.9)
    >>> c, _ = s.review_card(Card(due=datetime(2026, 1, 1, 12, tzinfo=UTC)), Rating.Good,
    ...                      review_datetime=datetime(2026, 1, 1, 12, tzinfo=UTC))
    >>> c, _ = s.review_card(c, Rating.Good, review_datetime=c.due)  # learning step done
    >>> c.due.date()  # fsrs's next review, the day of an interview on 3 January
    datetime.date(2026, 1, 3)
    >>> round(recall_on(s, c, date(2026, 1, 3)), 3)  # below a 0.96 target on the day
    0.947
    >>> cap_due(s, c, date(2026, 1, 3), 0.96, date(2026, 1, 1)).due.date()  # so: day before
    datetime.date(2026, 1, 2)
    >>> cap_due(s, c, date(2026, 1, 3), 0.9, date(2026, 1, 1)).due.date()  # 0.947 is enough
    datetime.date(2026, 1, 3)
    """
    if card.due.date() < interview or reviewed_on >= interview - timedelta(days=1):
        return card
    if recall_on(sched, card, interview) >= retention:
        return card
    return replace_due(card, datetime.combine(interview - timedelta(days=1), time(0), tzinfo=UTC))


def replace_due(card: Card, due: datetime) -> Card:
    out = Card.from_dict(card.to_dict())
    out.due = due
    return out


def review_session(sched: Scheduler, card: Card | None, at: datetime, interview: date | None,
                   retention: float, rating: Rating = Rating.Good) -> Card:
    """One sitting with a card: the review and its same-day learning steps, all rated
    `rating`, then the due capped for the interview."""
    card = Card(due=at) if card is None else Card.from_dict(card.to_dict())
    card, _ = sched.review_card(card, rating, review_datetime=at)
    end_of_day = datetime.combine(at.date() + timedelta(days=1), time(0), tzinfo=UTC)
    while card.state != State.Review and card.due < end_of_day:  # learning steps
        card, _ = sched.review_card(card, Rating.Good, review_datetime=max(card.due, at))
    if interview is not None:
        card = cap_due(sched, card, interview, retention, at.date())
    return card


def plan(cards: Sequence[PlanCard], *, today: date, interview: date,
         retention: float = DEFAULT_RETENTION, max_per_day: int = DEFAULT_MAX_PER_DAY,
         parameters: Sequence[float] | None = None,
         module_order: Sequence[str] = (), now: datetime | None = None,
         shown_today: int = 0, introduced_today: int = 0) -> Plan:
    """Forecast every day from `today` to the day before `interview`.

    `module_order` lists modules weakest first: their new cards are introduced first, so when
    the date is too close for the whole deck the weakest modules are the ones covered.
    `now`, `shown_today` and `introduced_today` describe today's sitting so far, so that the
    plan redrawn after each review keeps today's cap and new-card quota.
    """
    if interview < today:
        raise ValueError(f"the interview date {interview} is in the past (today is {today})")
    if not 0.5 <= retention < 1:
        raise ValueError("desired retention must be between 0.5 and 0.99")
    if max_per_day < 1:
        raise ValueError("the daily cap must be at least one card")
    sched = scheduler(retention, parameters)
    rank = {m: i for i, m in enumerate(module_order)}
    state: dict[str, Card | None] = {c.card_id: c.card for c in cards}
    new_queue = sorted((c for c in cards if c.card is None),
                       key=lambda c: rank.get(c.module_id, len(rank)))
    horizon = (interview - today).days
    last_intro = max(0, horizon - 1 - LEAD_DAYS)
    days: list[PlanDay] = []
    for offset in range(horizon):
        day = today + timedelta(days=offset)
        at = now if offset == 0 and now is not None else datetime.combine(day, time(12),
                                                                           tzinfo=UTC)
        cap = max_per_day - shown_today if offset == 0 else max_per_day
        due = [cid for cid, c in state.items() if c is not None and c.due.date() <= day]
        due.sort(key=lambda cid: sched.get_card_retrievability(state[cid], at))  # at risk first
        reviewed = due[:max(0, cap)]
        for cid in reviewed:
            state[cid] = review_session(sched, state[cid], at, interview, retention)
        room = cap - len(reviewed)
        window = max(1, last_intro - offset + 1)
        earlier = introduced_today if offset == 0 else 0  # today's quota counts those already
        quota = (math.ceil((len(new_queue) + earlier) / window) - earlier
                 if offset <= last_intro else len(new_queue))
        introduced = [c.card_id for c in new_queue[:max(0, min(room, quota))]]
        del new_queue[:len(introduced)]
        for cid in introduced:
            state[cid] = review_session(sched, None, at, interview, retention)
        days.append(PlanDay(day, introduced, reviewed, len(due) - len(reviewed)))
    return Plan(
        today=today, interview=interview, retention=retention, max_per_day=max_per_day,
        days=days, recall_on_day={cid: recall_on(sched, c, interview) for cid, c in state.items()},
        card_module={c.card_id: c.module_id for c in cards},
        never_introduced=[c.card_id for c in new_queue],
    )


def smallest_cap(replan: Callable[[int], Plan], n_cards: int) -> int | None:
    """The smallest daily cap at which `replan(cap)` fits, or None when no cap does (the date
    is too close for fsrs to bring every card to target)."""
    hi = max(1, n_cards)
    if not replan(hi).fits:
        return None
    lo = 1
    while lo < hi:  # fitting is monotone in the cap: more room never hurts
        mid = (lo + hi) // 2
        if replan(mid).fits:
            hi = mid
        else:
            lo = mid + 1
    return lo


def describe(p: Plan, replan: Callable[[int], Plan]) -> str:
    """One plain sentence about whether the plan fits, and what would make it fit;
    `replan(cap)` redraws the same plan with another daily cap."""
    target = f"{p.retention:.0%}"
    if p.fits:
        peak = max((len(d.new) + len(d.review) for d in p.days), default=0)
        return (f"All {len(p.recall_on_day)} cards reach the interview at or above {target} "
                f"predicted recall (mean {p.overall:.0%}), with at most {peak} cards a day.")
    parts = [f"{len(p.below_target)} of {len(p.recall_on_day)} cards would be below {target} "
             f"on {p.interview.isoformat()} with at most {p.max_per_day} cards a day"]
    if p.never_introduced:
        parts.append(f"{len(p.never_introduced)} are never introduced (the weakest modules "
                     f"go first)")
    need = smallest_cap(replan, len(p.recall_on_day)) if p.days else None
    if need is not None:
        parts.append(f"a cap of {need} a day would fit")
    else:
        parts.append("no daily cap fits: move the date later or lower the target")
    return "; ".join(parts) + "."


__all__ = ["DEFAULT_MAX_PER_DAY", "DEFAULT_RETENTION", "Plan", "PlanCard", "PlanDay",
           "cap_due", "describe", "interview_moment", "plan", "recall_on",
           "review_session", "scheduler", "smallest_cap"]

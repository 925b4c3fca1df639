"""Online metrics lag: a simulation of what production signals show after a bad release.

Each day N users rate answers (thumbs up with probability q, the quality) and some ask a
follow-up (a sign the answer did not land: probability 1 - q scaled). A regression ships on
`ship_day`, dropping quality by `drop`. Users do not react at once: each day after the release
only a growing share of traffic has met the new model (`exposure_days` to reach everyone) and
feedback itself arrives late (`feedback_delay_days`). A detector compares the 7-day rolling
thumbs-up rate against the pre-release baseline and alarms when it falls `alarm_drop` below it.
The detection delay is the number of days from release to alarm, the cost of relying on
online metrics alone; an offline golden set would have caught the drop before shipping.

Seeded, so a given set of inputs always draws the same days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OnlineSim:
    days: list[int]
    quality: list[float]  # true quality served that day
    thumbs_up_rate: list[float]
    follow_up_rate: list[float]
    rolling_thumbs_up: list[float]  # 7-day mean of what has been observed by then
    ship_day: int
    alarm_day: int | None

    @property
    def detection_delay(self) -> int | None:
        return None if self.alarm_day is None else self.alarm_day - self.ship_day


def simulate(*, days: int = 60, ship_day: int = 30, base_quality: float = 0.82,
             drop: float = 0.08, users_per_day: int = 2000, rating_share: float = 0.05,
             exposure_days: int = 5, feedback_delay_days: int = 2, alarm_drop: float = 0.04,
             window: int = 7, seed: int = 7) -> OnlineSim:
    if not 0 < ship_day < days:
        raise ValueError("the release day must fall inside the simulated period")
    rng = np.random.default_rng(seed)
    quality, up, follow = [], [], []
    for d in range(days):
        exposed = 0.0 if d < ship_day else min(1.0, (d - ship_day + 1) / exposure_days)
        q = base_quality - drop * exposed
        raters = max(1, rng.binomial(users_per_day, rating_share))
        quality.append(q)
        up.append(rng.binomial(raters, q) / raters)
        follow.append(rng.binomial(users_per_day, 0.6 * (1 - q)) / users_per_day)
    # feedback for day d is only visible on day d + delay
    observed = [up[d - feedback_delay_days] if d >= feedback_delay_days else up[0]
                for d in range(days)]
    rolling = [float(np.mean(observed[max(0, d - window + 1): d + 1])) for d in range(days)]
    baseline = float(np.mean(observed[max(0, ship_day - 21): ship_day]))
    alarm = next((d for d in range(ship_day, days) if rolling[d] < baseline - alarm_drop), None)
    return OnlineSim(list(range(days)), quality, up, follow, rolling, ship_day, alarm)

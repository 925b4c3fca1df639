"""What each layer of the pyramid costs per 1,000 evaluations, in money and in time.

Local layers (reference metrics, embedding similarity, the offline judge) are timed on this
machine and cost no API money. The LLM judge is priced with genai-prices (the gateway's
`price`) from its real prompt size: input tokens are counted with the bundled MiniLM tokenizer
when loaded, else estimated at 4 characters a token, and the output is taken as 120 tokens.
Human labelling is priced from the rate and seconds per label the learner enters. Online
metrics cost nothing per item but arrive days late (see `online.py`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from labs.llm.accounting import price
from labs.llm.providers import Usage

JUDGE_OUTPUT_TOKENS = 120
JUDGE_MODELS = [("anthropic", "claude-haiku-4-5"), ("anthropic", "claude-sonnet-4-5"),
                ("openai", "gpt-4o-mini"), ("openai", "gpt-4.1")]


@dataclass(frozen=True)
class LayerCost:
    layer: str
    usd_per_1000: float | None  # None: the price is unknown
    seconds_per_1000: float
    note: str


def time_ms(fn, repeats: int = 20) -> float:
    """Mean wall time of `fn()` in milliseconds over `repeats` runs."""
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1000


def estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def judge_cost(prompt_tokens: int, provider: str, model: str, calls_per_eval: int = 1
               ) -> float | None:
    """USD for 1,000 evaluations of `calls_per_eval` judge calls each (pairwise with the swap
    probe makes two)."""
    one = price(Usage(input_tokens=prompt_tokens, output_tokens=JUDGE_OUTPUT_TOKENS), model,
                provider_id=provider)
    return None if one is None else one * calls_per_eval * 1000


def human_cost(usd_per_hour: float, seconds_per_label: float) -> LayerCost:
    return LayerCost("human", usd_per_hour * seconds_per_label / 3600 * 1000,
                     seconds_per_label * 1000, f"${usd_per_hour:.0f}/h, {seconds_per_label:.0f} s "
                     "a label; the ground truth the other layers are calibrated against")


def layer_costs(item, usd_per_hour: float, seconds_per_label: float,
                local_ms: tuple[float, float] | None = None) -> list[LayerCost]:
    """Every layer's cost per 1,000 evaluations for answers like `item`'s first one.

    `local_ms` is (reference metrics, rubric judge) milliseconds per evaluation, measured
    here when not given."""
    from labs.evals import judge as J
    from labs.evals import reference

    answer, refs = item.answers[0].text, list(item.references)
    jitem = J.JudgeItem(item.question, list(item.key_points), refs[0])
    if local_ms is None:
        rubric = J.RubricJudge()
        local_ms = (time_ms(lambda: reference.score(answer, refs)),
                    time_ms(lambda: rubric.score(jitem, answer), repeats=3))
    prompt_tokens = estimate_tokens(J.absolute_messages(jitem, answer)[1]["content"])
    rows = [LayerCost("reference metrics", 0.0, local_ms[0], "local CPU, measured here"),
            LayerCost("embedding similarity", 0.0, 1000 / 50,
                      "local MiniLM at ~50 short texts/s on 2 cores"),
            LayerCost("offline rubric judge", 0.0, local_ms[1], "local, measured here")]
    for provider, model in JUDGE_MODELS:
        rows.append(LayerCost(f"LLM judge: {model}", judge_cost(prompt_tokens, provider, model),
                              1000 * 1.5, f"{prompt_tokens} input + {JUDGE_OUTPUT_TOKENS} output "
                              "tokens a call; ~1.5 s a call, sequential"))
    rows.append(human_cost(usd_per_hour, seconds_per_label))
    rows.append(LayerCost("online metrics", 0.0, 0.0, "free per item, but days late"))
    return rows

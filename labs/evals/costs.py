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

"""Which LLM to use: the provider, the model, the key and the knobs, resolved from the
environment, `.streamlit/secrets.toml`, or a config the app builds from its sidebar.

Order: a config passed in (the sidebar, this session only) wins; otherwise
`AIE_BRIDGE_LLM=provider:model` picks the provider and model, and the keys come from
`ANTHROPIC_API_KEY` / `OPENAI_API_KEY` / `OPENAI_BASE_URL`, the environment first, then the
secrets file. With no setting at all the provider is `offline`.

Left out: storing keys anywhere. A key lives in the process environment, the secrets file
the user wrote, or the Streamlit session; `LLMConfig` never prints it (its repr hides it).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from labs.llm.providers import PROVIDERS

ALIASES = {"ollama": "openai-compatible", "vllm": "openai-compatible",
           "lmstudio": "openai-compatible", "local": "openai-compatible", "claude": "anthropic"}
SETTINGS = ("AIE_BRIDGE_LLM", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY",
            "OPENAI_BASE_URL", "AIE_BRIDGE_LLM_TIMEOUT", "AIE_BRIDGE_LLM_CACHE",
            "AIE_BRIDGE_LLM_WAIT_BUDGET")


@dataclass(frozen=True)
class LLMConfig:
    """One provider and model, with the knobs the gateway uses.

    `max_retries` counts retries after the first attempt; the wait before retry n is
    `backoff_base * 2**(n-1)` plus up to 50 % jitter, capped at `backoff_max`, or the
    server's `Retry-After` when it sends one (capped at `retry_after_max`). `wait_budget` caps
    the seconds one call may spend waiting between attempts, all retries together
    (AIE_BRIDGE_LLM_WAIT_BUDGET), so a rate limit never holds a learner for minutes.
    """

    provider: str = "offline"
    model: str = ""
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    timeout: float = 30.0
    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 20.0
    retry_after_max: float = 60.0
    wait_budget: float = 20.0
    cache: bool = True
    source: str = "default"  # default | env | secrets | session

    def __post_init__(self) -> None:
        provider = ALIASES.get(self.provider.strip().lower(), self.provider.strip().lower())
        if provider not in PROVIDERS:
            raise ValueError(f"Unknown LLM provider {self.provider!r}; "
                             f"choose one of {', '.join(PROVIDERS)}.")
        object.__setattr__(self, "provider", provider)
        if not self.model:
            object.__setattr__(self, "model", PROVIDERS[provider].default_model)
        if not self.base_url and PROVIDERS[provider].default_base_url:
            object.__setattr__(self, "base_url", PROVIDERS[provider].default_base_url)
        if self.timeout <= 0 or self.max_retries < 0 or self.backoff_base < 0 \
                or self.wait_budget < 0:
            raise ValueError("timeout must be > 0, max_retries, backoff_base and wait_budget "
                             ">= 0")

    def replace(self, **changes: object) -> LLMConfig:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def has_key(self) -> bool:
        return bool(self.api_key)

    @property
    def label(self) -> str:
        """`anthropic:claude-haiku-4-5`, `offline` — safe to show anywhere."""
        return "offline" if self.provider == "offline" else f"{self.provider}:{self.model}"

    def describe(self) -> str:
        """A one-line, key-free description for the sidebar and the CLI."""
        if self.provider == "offline":
            return "offline (no LLM configured)"
        key = "key set" if self.has_key else "no key"
        where = f" at {self.base_url}" if self.base_url else ""
        return f"{self.label}{where} · {key} · from {self.source}"


def is_offline(config: LLMConfig | None = None) -> bool:
    """True when calls will not reach an LLM (the provider is `offline`)."""
    return (config or current_config()).provider == "offline"


def secrets_paths() -> list[Path]:
    """Where Streamlit reads secrets: the user's ~/.streamlit and the working directory's,
    or the files listed in AIE_BRIDGE_SECRETS (os.pathsep-separated; tests point it away)."""
    if (listed := os.environ.get("AIE_BRIDGE_SECRETS")) is not None:
        return [Path(p) for p in listed.split(os.pathsep) if p]
    return [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]


def read_secrets(paths: list[Path] | None = None) -> dict[str, str]:
    """The LLM settings found in secrets.toml files (top level or an `[llm]` table); later
    files win. An unreadable file is skipped: secrets are optional."""
    found: dict[str, str] = {}
    for path in paths if paths is not None else secrets_paths():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        for table in (data, data.get("llm") if isinstance(data.get("llm"), dict) else {}):
            for name in SETTINGS:
                value = table.get(name, table.get(name.lower()))
                if isinstance(value, str | int | float | bool) and str(value).strip():
                    found[name] = str(value).strip()
    return found


def config_from_settings(settings: Mapping[str, str], source: str) -> LLMConfig:
    """Build a config from flat settings (env-style names). Raises ValueError on nonsense."""
    provider, model = "", ""
    if choice := settings.get("AIE_BRIDGE_LLM", "").strip():
        provider, _, model = choice.partition(":")
        model = model.strip()
    elif settings.get("ANTHROPIC_API_KEY"):
        provider = "anthropic"
    elif settings.get("OPENAI_BASE_URL"):
        provider = "openai-compatible"
    elif settings.get("OPENAI_API_KEY"):
        provider = "openai"
    else:
        return LLMConfig(source="default")
    provider = ALIASES.get(provider.lower(), provider.lower())
    if provider == "offline":
        return LLMConfig(source=source)
    known = PROVIDERS.get(provider)  # an unknown name fails in LLMConfig, with the choices
    key = settings.get(known.key_env_var or "", "") or None if known else None
    if provider == "anthropic":
        base_url = settings.get("ANTHROPIC_BASE_URL") or None
    else:
        base_url = settings.get("OPENAI_BASE_URL") or None
    knobs: dict = {}
    if t := settings.get("AIE_BRIDGE_LLM_TIMEOUT"):
        knobs["timeout"] = float(t)
    if w := settings.get("AIE_BRIDGE_LLM_WAIT_BUDGET"):
        knobs["wait_budget"] = float(w)
    if c := settings.get("AIE_BRIDGE_LLM_CACHE"):
        knobs["cache"] = c.strip().lower() not in ("0", "false", "no", "off")
    return LLMConfig(provider=provider, model=model, api_key=key, base_url=base_url,
                     source=source, **knobs)


def current_config(session: LLMConfig | None = None, *,
                   env: Mapping[str, str] | None = None,
                   secrets: list[Path] | None = None) -> LLMConfig:
    """The config to use now: `session` if given, else environment over secrets.toml."""
    if session is not None:
        return session
    env = os.environ if env is None else env
    from_secrets = read_secrets(secrets)
    from_env = {k: env[k] for k in SETTINGS if env.get(k)}
    merged = {**from_secrets, **from_env}
    source = "env" if from_env else "secrets"
    return config_from_settings(merged, source) if merged else LLMConfig()

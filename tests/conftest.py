"""Every test runs against a temporary data folder and with no LLM keys or network settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app" / "streamlit_app.py")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# As in .streamlit/config.toml: no magic, so no ast.parse of page scripts in AppTest threads.
os.environ.setdefault("STREAMLIT_RUNNER_MAGIC_ENABLED", "false")
# The app gives torch one core fewer than the machine on a server; tests keep torch's default.
os.environ.setdefault("AIE_BRIDGE_TORCH_THREADS", "0")

_SCRUBBED = ("DATABASE_URL", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL",
             "AIE_BRIDGE_LLM", "ANTHROPIC_BASE_URL")


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("AIE_BRIDGE_DATA_DIR", str(data))
    for var in _SCRUBBED:
        monkeypatch.delenv(var, raising=False)
    return data


def page_test(page: str | None = None, timeout: float = 60):
    """An AppTest of the whole app, switched to `page` (a path under app/) when given."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=timeout)
    if page:
        at.run()  # pages registered with a custom url_path are known only after a first run
        at.switch_page(page)
    return at


def llm_calls():
    """Every LLMCall row the gateway recorded, oldest first."""
    from sqlmodel import select

    from labs.llm.accounting import default_store
    from labs.store.models import LLMCall

    with default_store().session() as db:
        return list(db.exec(select(LLMCall).order_by(LLMCall.id)).all())


def no_exceptions(at) -> None:
    """Fail with the page's exception messages if it showed any."""
    assert not at.exception, [e.value for e in at.exception]


def open_dashboard(at, code: str, passphrase: str) -> None:
    """Fill the instructor's dashboard form on the Instructor page and submit it."""
    at.text_input(key="wsi_open_code").input(code)
    at.text_input(key="wsi_open_pass").input(passphrase)
    at.button(key="FormSubmitter:wsi_open-Open dashboard").click().run()


def join(at, code: str, name: str) -> None:
    """Fill the join form on the Join a workshop page and submit it."""
    at.text_input(key="ws_code").input(code)
    at.text_input(key="ws_name").input(name)
    at.button(key="FormSubmitter:ws_join_form-Join").click().run()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of content/, for tests that break a file on purpose."""
    import shutil

    from labs.content import CONTENT_DIR

    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


@pytest.fixture(scope="session")
def embedder():
    """The one loaded MiniLM model for the whole test session (its cache is per test run)."""
    import tempfile

    from labs.embeddings import get_embedder

    return get_embedder(Path(tempfile.mkdtemp(prefix="aie-emb-")) / "embeddings.sqlite")


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server for the session (skips, saying why, only if none can be had)."""
    from tests.pg import PostgresUnavailable, throwaway_cluster

    try:
        cm = throwaway_cluster()
        url = cm.__enter__()
    except PostgresUnavailable as e:
        pytest.skip(f"PostgreSQL unavailable: {e}")
    yield url
    cm.__exit__(None, None, None)


@pytest.fixture
def llm_server():
    """A local Anthropic + OpenAI wire-format server (tests/llm_server.py), scripted per test.

    `llm_server.config("anthropic" | "openai" | "openai-compatible")` is an LLMConfig
    pointing the real SDK at it with tiny retry waits; push replies with `push_text`,
    `push_structured`, `push_stream`, `push_error`, `push_slow`, or set `responder`.
    """
    from tests.llm_server import LLMServer

    with LLMServer() as server:
        yield server


@pytest.fixture(autouse=True)
def no_llm_secrets_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's ~/.streamlit/secrets.toml (and its LLM keys) out of every test."""
    monkeypatch.setenv("AIE_BRIDGE_SECRETS", "")

"""The favicon ships with the app: nothing the browser shows comes from the internet."""

from __future__ import annotations

from streamlit.commands import page_config

from tests.conftest import no_exceptions, page_test


def test_the_favicon_is_inline_data_not_a_url_on_the_internet(monkeypatch):
    seen: list[str] = []
    real = page_config._get_favicon_string

    def spy(icon):
        seen.append(out := real(icon))
        return out

    monkeypatch.setattr(page_config, "_get_favicon_string", spy)
    at = page_test().run()
    no_exceptions(at)
    assert seen and all(s.startswith(("data:image/", "emoji:")) for s in seen), seen

"""A real browser opens every page: Debian's chromium, headless, driven by Playwright.

Screenshots land in artifacts/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import shutil

import pytest

from app.nav import built_pages
from tests.conftest import ROOT
from tests.test_startup import free_port, start_server, wait_healthy

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH: install Debian's "
                       "`chromium` package (.ci/run does) to run the browser test"),
]


@pytest.fixture(scope="module")
def browser_data(tmp_path_factory):
    """The served app's data folder, so a test can put rows in before the browser looks."""
    return tmp_path_factory.mktemp("browser-data")


@pytest.fixture(scope="module")
def server(browser_data):
    port = free_port()
    proc = start_server(port, browser_data)
    try:
        wait_healthy(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_every_page_opens_in_chromium_without_an_exception(server):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for spec in built_pages():
            url = server if spec.key == "home" else f"{server}/{spec.key}"
            page.goto(url, wait_until="networkidle", timeout=60_000)
            page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=60_000)
            # wait until the script run finishes: the status widget shows "Running" until then
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                timeout=120_000)
            page.wait_for_timeout(800)
            page.screenshot(path=str(SHOTS / f"{spec.key}.png"), full_page=True)
            errors = page.locator('[data-testid="stException"]')
            if errors.count():
                problems.append(f"{spec.key}: {errors.first.inner_text()[:500]}")
        browser.close()
    assert not problems, problems


def test_a_markdown_and_html_display_name_renders_as_literal_text_on_the_dashboard(
        server, browser_data):
    from datetime import UTC, datetime, timedelta

    from playwright.sync_api import sync_playwright

    from labs.store import Store
    from labs.workshop import create_workshop, join_workshop

    hostile = "![x](http://h/p.png) [Session expired: log in](http://e) <b>hi</b> :red[x]"
    passphrase = "correct horse battery"
    store = Store(f"sqlite:///{browser_data / 'aie-bridge.db'}")
    now = datetime.now(UTC)
    ws = create_workshop(store, title="Browser clinic", passphrase=passphrase, module_ids=["rag"],
                         starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    join_workshop(store, ws.code, hostile)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server}/instructor", wait_until="networkidle", timeout=60_000)
        page.get_by_role("tab", name="Dashboard").click()
        page.get_by_label("Join code").fill(ws.code)
        page.get_by_label("Instructor passphrase", exact=True).fill(passphrase)
        page.get_by_role("button", name="Open dashboard").click()
        joined = page.locator('[data-testid="stCaptionContainer"]', has_text="Joined:")
        joined.wait_for(timeout=60_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "instructor-hostile-name.png"), full_page=True)
        assert joined.inner_text().strip() == f"Joined: {hostile}"
        main = page.locator('[data-testid="stMainBlockContainer"]')
        assert main.locator('img[src*="p.png"]').count() == 0
        assert main.locator('a[href="http://e"]').count() == 0
        assert main.locator("b", has_text="hi").count() == 0
        browser.close()

"""The API's docs page in a real browser: Debian's Chromium driven by Playwright.

The page is Swagger UI served from the swagger-ui-bundle-v2 package; the test
reads the document through it and adds a task with "Try it out". It skips when
``/usr/bin/chromium`` is missing (``apt-get install chromium``), and when
Playwright is not installed unless ``CI`` is set. No browser is downloaded.
"""

from __future__ import annotations

import importlib.util
import os
import typing as t
from pathlib import Path

import pytest
from api import create_app

from microflask import Microflask

if t.TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"No Chromium was found at {CHROMIUM}: apt-get install chromium to run these."
    if importlib.util.find_spec("playwright") is None and not os.environ.get("CI"):
        return "Playwright is not installed: pip install -e '.[browser]' to run these."
    return None


pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or ""),
]


@pytest.fixture
def app() -> Microflask:
    return create_app({"TESTING": True})


@pytest.fixture
def page(live_server: str) -> t.Iterator[Page]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=_ARGS
        )
        context = browser.new_context(base_url=live_server)
        context.set_default_timeout(15_000)
        yield context.new_page()
        browser.close()


def test_docs_page_shows_the_api_and_tries_a_call(page: Page) -> None:
    asset_urls: list[str] = []
    page.on("request", lambda request: asset_urls.append(request.url))
    page.goto("/docs")
    page.wait_for_selector(".info .title:has-text('To-do API')")
    # Every request the page made stayed on the app: no CDN.
    base = page.url.removesuffix("/docs")
    assert asset_urls and all(url.startswith(base) for url in asset_urls)

    operation = page.locator(".opblock-post:has([data-path='/tasks'])")
    from playwright.sync_api import expect

    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("textarea.body-param__text").fill('{"title": "from the docs"}')
    operation.locator("button.execute").click()
    answer = operation.locator(".live-responses-table tbody")
    expect(answer.locator(".response-col_status")).to_have_text("201")
    expect(answer).to_contain_text('"title": "from the docs"')

"""The blog in a real browser: Debian's Chromium driven by Playwright.

The tests skip when ``/usr/bin/chromium`` is missing (``apt-get install
chromium``; ``.ci/run`` does it), and when Playwright is not installed unless
``CI`` is set (``pip install -e '.[browser]'``). No browser is downloaded.
The journey writes ``docs/blog-index.png`` when it is missing, or always with
``UPDATE_SCREENSHOT=1``, so a test run leaves the tree clean.
"""

from __future__ import annotations

import importlib.util
import os
import typing as t
from pathlib import Path

import pytest

if t.TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "blog-index.png"
_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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


@pytest.fixture(scope="module")
def browser() -> t.Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> t.Iterator[Page]:
    context = browser.new_context(base_url=live_server, viewport={"width": 900, "height": 640})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _fill_credentials(page: Page, username: str, password: str) -> None:
    page.fill("#username", username)
    page.fill("#password", password)


def _flash(page: Page) -> str:
    return page.inner_text("p.flash")


def test_register_login_and_publish(page: Page) -> None:
    page.goto("/")
    page.click("text=Register")
    _fill_credentials(page, "ada", "lovelace")
    page.click("button:has-text('Register')")
    assert page.url.endswith("/auth/login")
    assert _flash(page) == "Registered. Please log in."

    _fill_credentials(page, "ada", "babbage")
    page.click("button:has-text('Log In')")
    assert page.get_attribute("p.flash", "class") == "flash error"
    assert _flash(page) == "Incorrect username or password."
    assert page.input_value("#username") == "ada"

    _fill_credentials(page, "ada", "lovelace")
    page.click("button:has-text('Log In')")
    assert _flash(page) == "Welcome, ada."
    assert page.inner_text("nav .user") == "ada"

    page.click("text=New post")
    page.fill("#title", "Notes on the Analytical Engine")
    page.fill("#body", "It might act upon other things besides number.")
    page.click("button:has-text('Publish')")
    assert page.url.endswith("/")
    titles = page.locator("article.post h3").all_inner_texts()
    assert titles == ["Notes on the Analytical Engine", "First post"]
    if not SCREENSHOT.exists() or os.environ.get("UPDATE_SCREENSHOT"):
        page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_form_without_its_csrf_token_is_refused(page: Page) -> None:
    page.goto("/auth/login")
    _fill_credentials(page, "test", "test")
    page.click("button:has-text('Log In')")
    page.click("text=New post")
    page.eval_on_selector("main input[name=csrf_token]", "field => field.remove()")
    page.fill("#title", "Forged")
    with page.expect_navigation() as navigation:
        page.click("button:has-text('Publish')")
    response = navigation.value
    assert response is not None
    assert response.status == 400
    assert "The CSRF token is missing." in page.content()
    page.goto("/")
    assert "Forged" not in page.content()


def test_logout_button_ends_the_session(page: Page) -> None:
    page.goto("/auth/login")
    _fill_credentials(page, "test", "test")
    page.click("button:has-text('Log In')")
    page.click("button:has-text('Log Out')")
    assert page.locator("nav >> text=Log In").count() == 1
    assert page.locator("nav .user").count() == 0

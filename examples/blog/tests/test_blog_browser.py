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

from microflask import Microflask

from .conftest import add_posts

if t.TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Response

CHROMIUM = Path("/usr/bin/chromium")
EXPIRED = "This form had expired, so nothing was saved."
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
    """One Chromium for the module, as pytest-playwright's fixture gives.

    Each test's ``live_server`` is forked while it runs; the plugin keeps the
    forked server from finalizing Playwright's objects.
    """
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
    _close(context)


def _close(context: BrowserContext) -> None:
    """Close *context* once its pages have loaded (see the logout test)."""
    for open_page in context.pages:
        open_page.wait_for_load_state()
    context.close()


def _fill_credentials(page: Page, username: str, password: str) -> None:
    page.fill("#username", username)
    page.fill("#password", password)


def _flash(page: Page) -> str:
    return page.inner_text("p.flash")


def test_register_login_and_publish(page: Page) -> None:
    from playwright.sync_api import expect

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
    # The click waits for the navigation to commit, not for the new page to load:
    # expect() waits for the list, where reading it at once could find it empty.
    expect(page.locator("article.post h3")).to_have_text(
        ["Notes on the Analytical Engine", "First post"]
    )
    if not SCREENSHOT.exists() or os.environ.get("UPDATE_SCREENSHOT"):
        page.screenshot(path=str(SCREENSHOT), full_page=True)


def _log_in(page: Page, username: str = "test") -> None:
    page.goto("/auth/login")
    _fill_credentials(page, username, username)
    page.click("button:has-text('Log In')")
    assert _flash(page) == f"Welcome, {username}."


def _write_draft(page: Page) -> None:
    page.goto("/create")
    page.fill("#title", "Draft <title>")
    page.fill("#body", "Typed before the other tab acted.")


def _publish(page: Page) -> Response:
    with page.expect_navigation() as navigation:
        page.click("button:has-text('Publish')")
    response = navigation.value
    assert response is not None
    return response


def test_form_without_its_csrf_token_comes_back_filled_in(page: Page) -> None:
    _log_in(page)
    page.click("text=New post")
    page.eval_on_selector("main input[name=csrf_token]", "field => field.remove()")
    page.fill("#title", "Forged")
    assert _publish(page).status == 400
    assert _flash(page).startswith(EXPIRED)
    assert page.input_value("#title") == "Forged"
    page.goto("/")
    assert "Forged" not in page.inner_text("#posts")


def test_post_sent_after_logging_in_again_in_another_tab_is_kept(page: Page) -> None:
    _log_in(page)
    _write_draft(page)
    other_tab = page.context.new_page()
    _log_in(other_tab)  # a new session, so a new CSRF token
    other_tab.close()

    assert _publish(page).status == 400
    assert page.url.endswith("/create")
    assert _flash(page).startswith(EXPIRED)
    assert page.input_value("#title") == "Draft <title>"
    assert page.input_value("#body") == "Typed before the other tab acted."

    assert _publish(page).status == 200
    assert _flash(page) == "Published “Draft <title>”."
    assert page.locator("article.post h3").first.inner_text() == "Draft <title>"


def test_post_sent_after_logging_out_in_another_tab_goes_to_login(page: Page) -> None:
    _log_in(page)
    _write_draft(page)
    other_tab = page.context.new_page()
    other_tab.goto("/")
    # Closed only once the logout's page has loaded: Chromium can ignore a close that
    # races a navigation's commit, and Playwright's close then waits forever
    # (crbug.com/536385539, microsoft/playwright#42366).
    with other_tab.expect_navigation():
        other_tab.click("button:has-text('Log Out')")
    other_tab.close()

    _publish(page)
    assert page.url.endswith("/auth/login?next=/create")
    assert _flash(page) == "Please log in first."
    _fill_credentials(page, "test", "test")
    page.click("button:has-text('Log In')")
    assert page.url.endswith("/create")


def test_logout_button_ends_the_session_with_a_flash(page: Page) -> None:
    _log_in(page)
    page.click("button:has-text('Log Out')")
    assert _flash(page) == "You are logged out."
    assert page.locator("nav >> text=Log In").count() == 1
    assert page.locator("nav .user").count() == 0


# --- error pages -------------------------------------------------------------------------


@pytest.fixture
def failing_view(app: Microflask) -> None:
    """Add /boom, a view that raises, for the 500 page to answer."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("a bug in a view")


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/no/such/page", 404, "404 Not Found"),
        ("/auth/logout", 405, "405 Method Not Allowed"),
        ("/?page=minus-one", 400, "400 Bad Request"),
        ("/boom", 500, "500 Internal Server Error"),
    ],
)
def test_error_pages_are_styled_in_the_blogs_layout(
    failing_view: None, page: Page, path: str, status: int, heading: str
) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status
    assert page.inner_text("main h2") == heading
    assert page.title() == f"{heading} · Microblog"
    _assert_styled(page)
    page.click("text=Back to the posts")
    assert page.url.endswith("/")


def test_403_page_for_another_authors_post(page: Page) -> None:
    _log_in(page, "other")
    response = page.goto("/1/update")
    assert response is not None and response.status == 403
    assert page.inner_text("main h2") == "403 Forbidden"
    assert page.inner_text("nav .user") == "other"
    _assert_styled(page)


def _assert_styled(page: Page) -> None:
    """Check the stylesheet applied: the main column is a white card."""
    background = page.eval_on_selector("main", "main => getComputedStyle(main).backgroundColor")
    assert background == "rgb(255, 255, 255)"
    assert page.is_visible("nav h1 >> text=Microblog")


# --- paging with fragments --------------------------------------------------------------


@pytest.fixture
def paged(app: Microflask) -> None:
    """Give the blog six posts, two a page; request it before ``page``."""
    app.config["POSTS_PER_PAGE"] = 2
    add_posts(app, 5)


def _titles(page: Page) -> list[str]:
    return page.locator("#posts article h3").all_inner_texts()


def test_older_posts_swap_in_without_reloading_the_page(paged: None, page: Page) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    assert _titles(page) == ["Post 5", "Post 4"]
    page.evaluate("window.loadedOnce = true")  # gone if the page reloads
    with page.expect_request(lambda request: "page=2" in request.url) as fragment_request:
        page.click("text=Older posts")
    assert fragment_request.value.headers.get("x-fragment") == "posts"
    expect(page.locator("#posts article h3")).to_have_text(["Post 3", "Post 2"])
    assert page.url.endswith("/?page=2")
    assert page.inner_text(".page-number") == "Page 2 of 3"

    page.click("text=Older posts")
    expect(page.locator("#posts article h3")).to_have_text(["Post 1", "First post"])
    page.go_back()
    expect(page.locator("#posts article h3")).to_have_text(["Post 3", "Post 2"])
    page.go_back()
    expect(page.locator("#posts article h3")).to_have_text(["Post 5", "Post 4"])
    assert page.evaluate("window.loadedOnce") is True
    assert page.locator("nav h1").count() == 1  # the fragment brought no second layout


def test_paging_links_work_without_javascript(
    paged: None, browser: Browser, live_server: str
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        with page.expect_navigation():
            page.click("text=Older posts")
        assert page.url.endswith("/?page=2")
        assert _titles(page) == ["Post 3", "Post 2"]
        assert page.title() == "Posts · Microblog"
    finally:
        _close(context)

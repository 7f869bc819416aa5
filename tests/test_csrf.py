"""Tests for the cross-origin check and the opt-in CSRF tokens."""

from __future__ import annotations

import html
import re
import typing as t

import pytest
from werkzeug.exceptions import Forbidden

from microflask import Blueprint, Microflask, render_template_string, request, session
from microflask.csrf import csrf_exempt, csrf_token, generate_csrf, protect
from microflask.testing import MicroflaskClient
from microflask.views import MethodView
from microflask.wrappers import Response

HOST = "app.example"


@pytest.fixture(autouse=True)
def csrf_views(app: Microflask) -> None:
    """Add views to submit forms to, one exempt, to the shared app."""

    @app.route("/submit", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def submit() -> str:
        return f"done {request.method}"

    @app.post("/webhook")
    @csrf_exempt
    def webhook() -> str:
        return "hooked"

    @app.get("/form")
    def form() -> str:
        return generate_csrf()


# --- the cross-origin layer ---------------------------------------------------

CROSS_ORIGIN_CASES = [
    # (Sec-Fetch-Site, Origin, expected status)
    (None, None, 200),
    ("same-origin", None, 200),
    ("same-site", None, 403),  # a sibling subdomain may be hostile, as Go refuses it
    ("none", None, 200),
    ("cross-site", None, 403),
    ("cross-site", f"http://{HOST}", 403),
    ("same-origin", "https://evil.example", 200),
    (None, f"http://{HOST}", 200),
    (None, f"https://{HOST}", 200),
    (None, "https://evil.example", 403),
    (None, f"http://{HOST}:8080", 403),
    (None, f"http://{HOST}.evil.example", 403),
    (None, "null", 403),
    (None, "http://[::1", 403),
    ("unexpected", None, 403),
]


# What a plain HTML form (or a no-cors fetch) can send without a preflight.
SIMPLE_BODIES = [
    None,
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "Text/Plain;charset=UTF-8",
]


@pytest.mark.parametrize("content_type", SIMPLE_BODIES)
@pytest.mark.parametrize(("fetch_site", "origin", "status"), CROSS_ORIGIN_CASES)
def test_cross_origin_table(
    client: MicroflaskClient,
    content_type: str | None,
    fetch_site: str | None,
    origin: str | None,
    status: int,
) -> None:
    method = "POST"
    headers: dict[str, str] = {} if content_type is None else {"Content-Type": content_type}
    if fetch_site is not None:
        headers["Sec-Fetch-Site"] = fetch_site
    if origin is not None:
        headers["Origin"] = origin
    response = client.open("/submit", method=method, base_url=f"http://{HOST}", headers=headers)
    assert response.status_code == status
    if status == 200:
        assert response.text == f"done {method}"
    else:
        assert "Cross-origin request refused" in response.text


PREFLIGHTED = [
    # (method, Content-Type): a browser sends these cross-origin only after a
    # CORS preflight that the app approved
    ("POST", "application/json"),
    ("POST", "application/json; charset=utf-8"),
    ("POST", "application/xml"),
    ("PUT", None),
    ("PATCH", "application/merge-patch+json"),
    ("DELETE", None),
]


@pytest.mark.parametrize("fetch_site", ["cross-site", "same-site", None])
@pytest.mark.parametrize(("method", "content_type"), PREFLIGHTED)
def test_request_that_needed_a_preflight_passes(
    client: MicroflaskClient, fetch_site: str | None, method: str, content_type: str | None
) -> None:
    headers = {"Origin": "http://spa.example", "Sec-Fetch-Mode": "cors"}
    if fetch_site is not None:
        headers["Sec-Fetch-Site"] = fetch_site
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = client.open("/submit", method=method, base_url=f"http://{HOST}", headers=headers)
    assert response.status_code == 200
    assert response.text == f"done {method}"


@pytest.mark.parametrize("mode", ["no-cors", "navigate", "same-origin"])
def test_preflight_exemption_needs_cors_mode(client: MicroflaskClient, mode: str) -> None:
    response = client.put(
        "/submit",
        headers={
            "Origin": "http://spa.example",
            "Sec-Fetch-Site": "cross-site",
            "Sec-Fetch-Mode": mode,
        },
    )
    assert response.status_code == 403


@pytest.mark.parametrize("content_type", ["application/csp-report", "application/reports+json"])
def test_reports_a_browser_posts_unpreflighted_are_refused(
    client: MicroflaskClient, content_type: str
) -> None:
    response = client.post(
        "/submit",
        headers={"Origin": "https://evil.example", "Content-Type": content_type},
        data=b"{}",
    )
    assert response.status_code == 403


def test_refusal_names_origin_and_setting(client: MicroflaskClient) -> None:
    response = client.post(
        "/submit",
        base_url="http://localhost:5000",
        headers={"Origin": "http://localhost:5173", "Sec-Fetch-Site": "same-site"},
        data={"title": "x"},
    )
    assert response.status_code == 403
    text = html.unescape(response.text)
    assert (
        "Sec-Fetch-Site is 'same-site'. The request came from Origin 'http://localhost:5173'."
        in text
    )
    assert "CSRF_TRUSTED_ORIGINS = ['http://localhost:5173']" in text


def test_refusal_without_origin_says_so(client: MicroflaskClient) -> None:
    response = client.post("/submit", headers={"Sec-Fetch-Site": "cross-site"})
    assert "Without a real Origin header" in html.unescape(response.text)


@pytest.mark.parametrize("origin", ["", "http://[::1", "https://user@evil.example", "https://x/y"])
def test_refusal_suggests_no_entry_the_setting_would_refuse(
    client: MicroflaskClient, origin: str
) -> None:
    response = client.post("/submit", headers={"Origin": origin})
    assert response.status_code == 403
    text = html.unescape(response.text)
    assert "CSRF_TRUSTED_ORIGINS = [" not in text
    assert "Without a real Origin header" in text


def test_refusal_suggests_the_entry_as_the_setting_reads_it(client: MicroflaskClient) -> None:
    response = client.post("/submit", headers={"Origin": "https://Partner.example"})
    assert "CSRF_TRUSTED_ORIGINS = ['https://partner.example']" in html.unescape(response.text)


def test_refusal_is_logged_as_warning(
    client: MicroflaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING"):
        client.post("/submit", headers={"Origin": "https://evil.example"})
    [record] = [r for r in caplog.records if "cross-origin" in r.getMessage()]
    assert record.levelname == "WARNING"
    assert "'https://evil.example'" in record.getMessage()
    assert "to /submit " in record.getMessage()
    assert "CSRF_TRUSTED_ORIGINS" in record.getMessage()


@pytest.mark.parametrize(
    ("entry", "suggestion"),
    [
        ("localhost:5173", "http://localhost:5173"),
        ("example.com", "https://example.com"),
        ("https://example.com/app", "https://example.com"),
        ("https://example.com/?next=http://x", "https://example.com"),
        ("https://*.example.com", "https://example.com"),
        ("https://example.com?x=1", None),
        ("//example.com", "https://example.com"),
        ("//localhost:5173", "http://localhost:5173"),
        ("http://[::1", None),
        (42, None),
        # Never a browser's Origin: userinfo, a port that is not one, a space.
        ("https://user@example.com", "https://example.com"),
        ("https://example.com:https", None),
        ("https://example.com:99999", None),
        ("https://exa mple.com", None),
    ],
)
def test_trusted_origin_entry_without_scheme_is_an_error(
    app: Microflask, client: MicroflaskClient, entry: object, suggestion: str | None
) -> None:
    app.config["CSRF_TRUSTED_ORIGINS"] = ["https://fine.example", entry]
    with pytest.raises(ValueError, match="CSRF_TRUSTED_ORIGINS entry") as info:
        # even a same-origin write shows the mistake, not only the request it concerns
        client.post("/submit", headers={"Sec-Fetch-Site": "same-origin"})
    assert repr(entry) in str(info.value)
    if suggestion is not None:
        assert repr(suggestion) in str(info.value)


def test_trusted_origins_are_revalidated_when_changed(
    app: Microflask, client: MicroflaskClient
) -> None:
    trusted = ["https://partner.example"]
    app.config["CSRF_TRUSTED_ORIGINS"] = trusted
    headers = {"Origin": "https://other.example"}
    assert client.post("/submit", headers=headers).status_code == 403
    trusted.append("https://other.example")  # changed in place
    assert client.post("/submit", headers=headers).status_code == 200
    trusted.append("other.example")
    with pytest.raises(ValueError, match="'other.example'"):
        client.post("/submit", headers=headers)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_safe_methods_are_never_checked(client: MicroflaskClient, method: str) -> None:
    response = client.open(
        "/submit",
        method=method,
        base_url=f"http://{HOST}",
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )
    assert response.status_code == 200


def test_refusal_names_the_header_and_value(client: MicroflaskClient) -> None:
    response = client.post(
        "/submit", base_url=f"http://{HOST}", headers={"Origin": "https://evil.example"}
    )
    assert "Origin 'https://evil.example'" in html.unescape(response.text)
    assert f"host '{HOST}'" in html.unescape(response.text)
    response = client.post("/submit", headers={"Sec-Fetch-Site": "cross-site"})
    assert "Sec-Fetch-Site is 'cross-site'" in html.unescape(response.text)


def test_protect_ignores_safe_methods_when_called_directly(app: Microflask) -> None:
    with app.test_request_context("/submit", headers={"Sec-Fetch-Site": "cross-site"}) as ctx:
        protect(app, ctx.request)  # raises if the request were checked


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://partner.example"},
        {"Origin": "https://partner.example"},
        {"Origin": "HTTPS://Partner.example/"},
    ],
)
def test_trusted_origin_passes(
    app: Microflask, client: MicroflaskClient, headers: dict[str, str]
) -> None:
    app.config["CSRF_TRUSTED_ORIGINS"] = ["https://partner.example"]
    assert client.post("/submit", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("entry", "origin"),
    [
        ("https://partner.example:443", "https://partner.example"),
        ("http://partner.example:80/", "http://partner.example"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("https://BÜCHER.example:8443", "https://xn--bcher-kva.example:8443"),
    ],
)
def test_trusted_origin_is_matched_as_the_browser_spells_it(
    app: Microflask, client: MicroflaskClient, entry: str, origin: str
) -> None:
    """A default port is left out of an Origin header, and a host is in IDNA form."""
    app.config["CSRF_TRUSTED_ORIGINS"] = [entry]
    headers = {"Origin": origin, "Sec-Fetch-Site": "cross-site"}
    assert client.post("/submit", headers=headers).status_code == 200


def test_untrusted_origin_still_refused_with_trusted_list(
    app: Microflask, client: MicroflaskClient
) -> None:
    app.config["CSRF_TRUSTED_ORIGINS"] = ["https://partner.example"]
    response = client.post("/submit", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


@pytest.mark.parametrize("setting", ["https://partner.example", None, 42])
def test_trusted_origins_not_a_list_raises_type_error(
    app: Microflask, client: MicroflaskClient, setting: object
) -> None:
    app.config["CSRF_TRUSTED_ORIGINS"] = setting
    with pytest.raises(TypeError, match="CSRF_TRUSTED_ORIGINS must be a list"):
        client.post("/submit", headers={"Origin": "https://evil.example"})


def test_exempt_view_accepts_cross_site_requests(client: MicroflaskClient) -> None:
    response = client.post("/webhook", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200
    assert response.text == "hooked"


def test_protection_can_be_turned_off(app: Microflask, client: MicroflaskClient) -> None:
    app.config["CSRF_CROSS_ORIGIN_PROTECTION"] = False
    response = client.post("/submit", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200


def test_refusal_goes_through_error_handlers_and_after_request(
    app: Microflask, client: MicroflaskClient
) -> None:
    @app.errorhandler(403)
    def forbidden(e: Forbidden) -> tuple[str, int]:
        return f"handled: {e.description}", 403

    @app.after_request
    def mark(response: Response) -> Response:
        response.headers["X-After"] = "yes"
        return response

    response = client.post("/submit", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert response.text.startswith("handled: Cross-origin request refused")
    assert response.headers["X-After"] == "yes"


def test_refusal_happens_before_before_request(app: Microflask, client: MicroflaskClient) -> None:
    calls: list[str] = []
    app.before_request(lambda: calls.append("before"))
    response = client.post("/submit", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert calls == []


# --- the token layer ----------------------------------------------------------


@pytest.fixture
def token_app(app: Microflask) -> Microflask:
    app.config["CSRF_ENABLED"] = True
    return app


def test_tokens_are_off_by_default(client: MicroflaskClient) -> None:
    assert client.post("/submit").status_code == 200


def test_missing_token_is_400(token_app: Microflask) -> None:
    response = token_app.test_client().post("/submit")
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text


def test_missing_token_message_names_the_field_and_the_header(token_app: Microflask) -> None:
    client = token_app.test_client()
    client.get("/form")
    response = client.post("/submit", headers={"X-CSRF": "token"})
    assert response.status_code == 400
    text = html.unescape(response.text)
    assert "in the 'csrf_token' form field or the 'X-CSRF-Token' header." in text


def test_form_field_token_passes(token_app: Microflask) -> None:
    client = token_app.test_client()
    token = client.get("/form").text
    response = client.post("/submit", data={"csrf_token": token})
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["X-CSRF-Token", "X-CSRFToken"])
def test_header_token_passes(token_app: Microflask, header: str) -> None:
    # X-CSRFToken: Flask-WTF's header, which its apps' scripts send.
    client = token_app.test_client()
    token = client.get("/form").text
    response = client.put("/submit", headers={header: token})
    assert response.status_code == 200
    assert client.put("/submit", headers={header: token + "x"}).status_code == 400


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.rpartition(".")[0],
        lambda token: "nonsense",
    ],
    ids=["bad signature", "unsigned", "garbage"],
)
def test_wrong_token_is_400(token_app: Microflask, forge: t.Callable[[str], str]) -> None:
    client = token_app.test_client()
    token = client.get("/form").text
    response = client.post("/submit", data={"csrf_token": forge(token)})
    assert response.status_code == 400
    assert "The CSRF token is invalid." in response.text


@pytest.mark.parametrize("where", [1, -5])
def test_token_with_a_non_ascii_character_added_is_invalid(
    token_app: Microflask, where: int
) -> None:
    client = token_app.test_client()
    token = client.get("/form").text
    tampered = token[:where] + "\u00e9" + token[where:]
    response = client.post("/submit", data={"csrf_token": tampered})
    assert response.status_code == 400
    assert "The CSRF token is invalid." in response.text
    assert client.post("/submit", data={"csrf_token": token}).status_code == 200


def test_token_from_another_session_is_invalid(token_app: Microflask) -> None:
    other = token_app.test_client().get("/form").text
    client = token_app.test_client()
    client.get("/form")
    response = client.post("/submit", data={"csrf_token": other})
    assert response.status_code == 400
    assert "invalid" in response.text


def test_token_signed_with_another_key_is_invalid(token_app: Microflask) -> None:
    client = token_app.test_client()
    token = client.get("/form").text
    with client.session_transaction() as sess:
        raw = sess["_csrf_token"]
    token_app.secret_key = "another key"
    token_app.config["SECRET_KEY_FALLBACKS"] = []
    with client.session_transaction() as sess:
        sess["_csrf_token"] = raw
    response = client.post("/submit", data={"csrf_token": token})
    assert response.status_code == 400


def test_token_is_stable_within_a_session(token_app: Microflask) -> None:
    client = token_app.test_client()
    first = client.get("/form").text
    assert client.get("/form").text == first
    assert token_app.test_client().get("/form").text != first


def test_token_is_not_the_raw_session_value(token_app: Microflask) -> None:
    client = token_app.test_client()
    token = client.get("/form").text
    with client.session_transaction() as sess:
        raw = sess["_csrf_token"]
    assert token != raw
    assert re.fullmatch(r"[0-9a-f]{64}", raw)


def test_exempt_view_needs_no_token(token_app: Microflask) -> None:
    assert token_app.test_client().post("/webhook").status_code == 200


def test_exempt_blueprint_and_its_nested_blueprints_need_no_token(
    token_app: Microflask,
) -> None:
    hooks = Blueprint("hooks", __name__, url_prefix="/hooks")
    nested = Blueprint("nested", __name__, url_prefix="/nested")
    other = Blueprint("other", __name__, url_prefix="/other")
    for bp in (hooks, nested, other):
        bp.add_url_rule("/in", "receive", lambda: "in", methods=["POST"])
    hooks.register_blueprint(nested)
    token_app.register_blueprint(csrf_exempt(hooks))
    token_app.register_blueprint(other)
    client = token_app.test_client()
    assert client.post("/hooks/in").text == "in"
    assert client.post("/hooks/nested/in").text == "in"
    assert client.post("/other/in").status_code == 400
    cross_site = {"Sec-Fetch-Site": "cross-site"}
    assert client.post("/hooks/in", headers=cross_site).status_code == 200


def test_exempt_view_class_needs_no_token(token_app: Microflask) -> None:
    @csrf_exempt
    class Receive(MethodView):
        def post(self) -> str:
            return "received"

    token_app.add_url_rule("/receive", view_func=Receive.as_view("receive"))
    assert token_app.test_client().post("/receive").text == "received"


def test_token_failure_goes_through_error_handlers(token_app: Microflask) -> None:
    @token_app.errorhandler(400)
    def bad_request(e: Forbidden) -> tuple[str, int]:
        return f"handled: {e.description}", 400

    response = token_app.test_client().post("/submit")
    assert response.text.startswith("handled: The CSRF token is missing.")


def test_cross_origin_check_runs_before_the_token_check(
    token_app: Microflask,
) -> None:
    response = token_app.test_client().post("/submit", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_csrf_token_template_global(token_app: Microflask) -> None:
    @token_app.get("/page")
    def page() -> str:
        return render_template_string("{{ csrf_token() }}")

    client = token_app.test_client()
    token = client.get("/page").text
    assert token == client.get("/form").text
    assert client.post("/submit", data={"csrf_token": token}).status_code == 200


@pytest.mark.parametrize("enabled", [False, True])
def test_csrf_token_global_is_true_only_with_tokens_on(app: Microflask, enabled: bool) -> None:
    # Flask-Admin's templates add a token field when ``csrf_token`` is true, as for
    # Flask-WTF: with tokens off, a page must not get a session cookie from that.
    app.secret_key = "k"
    app.config["CSRF_ENABLED"] = enabled

    @app.get("/page")
    def page() -> str:
        return render_template_string(
            "{% if csrf_token %}{{ csrf_token() }}{% else %}none{% endif %}"
        )

    response = app.test_client().get("/page")
    assert (response.text != "none") is enabled
    assert ("Set-Cookie" in response.headers) is enabled
    assert bool(app.jinja_env.globals["csrf_token"]) is False  # outside any app context


def test_csrf_token_global_can_be_called_with_tokens_off(app: Microflask) -> None:
    app.secret_key = "k"
    with app.test_request_context():
        token = render_template_string("{{ csrf_token() }}")
        assert token == generate_csrf()


def test_csrf_token_stores_the_secret_in_the_session(token_app: Microflask) -> None:
    with token_app.test_request_context():
        assert "_csrf_token" not in session
        token = csrf_token()
        assert session["_csrf_token"]
        assert token == generate_csrf()


def test_generate_csrf_without_secret_key_raises(token_app: Microflask) -> None:
    token_app.secret_key = None
    with token_app.test_request_context():
        with pytest.raises(RuntimeError, match=r"app\.secret_key"):
            generate_csrf()


def test_token_check_without_secret_key_raises(token_app: Microflask) -> None:
    token_app.secret_key = None
    with pytest.raises(RuntimeError, match=r"app\.secret_key"):
        token_app.test_client().post("/submit", headers={"X-CSRF-Token": "x.y"})

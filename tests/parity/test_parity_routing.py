"""Pin the URL map's static index and the bind shortcut to Werkzeug's results.

``microflask.routing.Map`` answers static paths from an index instead of
Werkzeug's general search, and ``app.create_url_adapter`` binds the map to a
request without ``Map.bind_to_environ``. Both must give what Werkzeug gives, on
generated rule sets, paths and WSGI environs.
"""

from __future__ import annotations

import typing as t
import warnings
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, MapAdapter, Rule
from werkzeug.routing.exceptions import BuildError

from microflask import Microflask
from microflask.routing import Map as MicroflaskMap
from microflask.wrappers import Request

SEGMENTS = ["a", "b", "dir", "2", "ws", "x y", "é"]
VARIABLES = ["<v{i}>", "<int:v{i}>", "<path:v{i}>", "<any(a, b):v{i}>"]
METHODS = ["GET", "POST", "PUT", "DELETE"]
SUBDOMAINS = ["", "api", "www"]
HOSTS = ["example.com", "api.example.com", "other.test"]


@dataclass
class _RuleSpec:
    """What it takes to build the same rule for two maps (a Rule binds once)."""

    path: str
    endpoint: str
    methods: list[str] | None
    strict_slashes: bool | None
    defaults: dict[str, t.Any] | None
    subdomain: str | None
    host: str | None
    alias: bool
    websocket: bool
    redirect_to: str | None = None
    options: dict[str, t.Any] = field(default_factory=dict)

    def build(self) -> Rule:
        return Rule(
            self.path,
            endpoint=self.endpoint,
            methods=self.methods,
            strict_slashes=self.strict_slashes,
            defaults=self.defaults,
            subdomain=self.subdomain,
            host=self.host,
            alias=self.alias,
            websocket=self.websocket,
            redirect_to=self.redirect_to,
        )


@st.composite
def _rule_path(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for i in range(draw(st.integers(0, 3))):
        if draw(st.integers(0, 3)) == 0:
            parts.append(draw(st.sampled_from(VARIABLES)).format(i=i))
        else:
            parts.append(draw(st.sampled_from(SEGMENTS)))
    trailing = "/" if draw(st.booleans()) and parts else ""
    return "/" + "/".join(parts) + trailing


@st.composite
def _rule_spec(draw: st.DrawFn, index: int, host_matching: bool) -> _RuleSpec:
    path = draw(_rule_path())
    websocket = draw(st.integers(0, 5)) == 0
    methods = draw(st.none() | st.lists(st.sampled_from(METHODS), min_size=1, unique=True))
    if websocket:
        methods = None if methods is None else ["GET"]
    has_variables = "<" in path
    defaults = {"d": draw(st.integers(0, 2))} if not has_variables and draw(st.booleans()) else None
    return _RuleSpec(
        path=path,
        endpoint=f"e{index}",
        methods=methods,
        strict_slashes=draw(st.sampled_from([None, True, False])),
        defaults=defaults,
        subdomain=None if host_matching else draw(st.sampled_from([None, *SUBDOMAINS])),
        host=draw(st.sampled_from(HOSTS)) if host_matching else None,
        alias=draw(st.integers(0, 5)) == 0,
        websocket=websocket,
        redirect_to=draw(st.sampled_from([None, None, None, "/a"])),
    )


@dataclass
class _MapSpec:
    rules: list[_RuleSpec]
    strict_slashes: bool
    merge_slashes: bool
    host_matching: bool
    default_subdomain: str

    def build(self, cls: type[Map]) -> Map:
        return cls(
            [rule.build() for rule in self.rules],
            default_subdomain=self.default_subdomain,
            strict_slashes=self.strict_slashes,
            merge_slashes=self.merge_slashes,
            host_matching=self.host_matching,
        )


@st.composite
def _map_spec(draw: st.DrawFn) -> _MapSpec:
    host_matching = draw(st.booleans())
    count = draw(st.integers(1, 8))
    return _MapSpec(
        rules=[draw(_rule_spec(i, host_matching)) for i in range(count)],
        strict_slashes=draw(st.booleans()),
        merge_slashes=draw(st.booleans()),
        host_matching=host_matching,
        default_subdomain="" if host_matching else draw(st.sampled_from(SUBDOMAINS)),
    )


@st.composite
def _request_path(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(["", "a", "b", "dir", "2", "ws", "x y", "é", "a/b"])))
    return "/" + "/".join(parts)


def _outcome(urls: MapAdapter, path: str, method: str, websocket: bool) -> object:
    """Return what matching gives, in a form that compares across maps."""
    try:
        rule, args = urls.match(path, method, return_rule=True, websocket=websocket)
    except HTTPException as e:
        valid = getattr(e, "valid_methods", None)
        return type(e).__name__, getattr(e, "new_url", None), valid
    return rule.endpoint, rule.rule, args


@settings(max_examples=80, deadline=None)
@given(
    spec=_map_spec(),
    paths=st.lists(_request_path(), min_size=1, max_size=5),
    method=st.sampled_from([*METHODS, "HEAD", "OPTIONS"]),
    websocket=st.booleans(),
    where=st.sampled_from(SUBDOMAINS),
    host=st.sampled_from(HOSTS),
)
def test_static_index_matches_like_werkzeugs_map(
    spec: _MapSpec,
    paths: list[str],
    method: str,
    websocket: bool,
    where: str,
    host: str,
) -> None:
    ours, theirs = spec.build(MicroflaskMap), spec.build(Map)
    if spec.host_matching:
        adapters = [m.bind(host) for m in (ours, theirs)]
    else:
        adapters = [m.bind("example.com", subdomain=where) for m in (ours, theirs)]
    for path in paths:
        found = [_outcome(urls, path, method, websocket) for urls in adapters]
        assert found[0] == found[1], path


def _fixed_rules() -> list[Rule]:
    """A rule set with every case the index must pass on: an alias, methods, websocket."""
    return [
        Rule("/", endpoint="index"),
        Rule("/a", endpoint="a_get", methods=["GET"]),
        Rule("/a", endpoint="a_post", methods=["POST"]),
        Rule("/a/b", endpoint="ab"),
        Rule("/a/<x>", endpoint="a_var"),
        Rule("/dir/", endpoint="dir"),
        Rule("/loose/", endpoint="loose", strict_slashes=False),
        Rule("/page", endpoint="page", defaults={"n": 1}),
        Rule("/page/<int:n>", endpoint="page"),
        Rule("/old", endpoint="page", alias=True),
        Rule("/ws", endpoint="ws", websocket=True),
        Rule("/ws", endpoint="ws_http"),
        Rule("/b/<path:rest>", endpoint="rest"),
        Rule("/sub", endpoint="sub", subdomain="api"),
    ]


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(
        st.sampled_from(["", "a", "b", "dir", "loose", "page", "2", "old", "ws", "sub"])
    ),
    method=st.sampled_from(["GET", "POST", "PUT", "HEAD"]),
    websocket=st.booleans(),
    subdomain=st.sampled_from(["", "api"]),
)
def test_static_index_matches_like_werkzeug_on_a_fixed_rule_set(
    parts: list[str], method: str, websocket: bool, subdomain: str
) -> None:
    ours = MicroflaskMap(_fixed_rules(), default_subdomain="")
    theirs = Map(_fixed_rules(), default_subdomain="")
    path = "/" + "/".join(parts)
    found = [
        _outcome(m.bind("example.com", subdomain=subdomain), path, method, websocket)
        for m in (ours, theirs)
    ]
    assert found[0] == found[1]


# --- the bind shortcut: app.create_url_adapter(request) vs bind_to_environ -----

ENDPOINTS = ["index", "page", "item", "dir", "sub", "ws"]


def _app(server_name: str | None, subdomain_matching: bool) -> Microflask:
    app = Microflask(__name__, subdomain_matching=subdomain_matching)
    app.config["SERVER_NAME"] = server_name
    rules: list[tuple[str, str, dict[str, t.Any]]] = [
        ("/", "index", {}),
        ("/page", "page", {"methods": ["GET", "POST"]}),
        ("/item/<int:n>", "item", {}),
        ("/dir/", "dir", {}),
        ("/sub", "sub", {"subdomain": "api"}),
        ("/ws", "ws", {"websocket": True}),
    ]
    for path, endpoint, options in rules:
        app.add_url_rule(path, endpoint, lambda **kw: "", **options)
    return app


def _reference_adapter(app: Microflask, request: Request) -> MapAdapter:
    """Bind the map to the request as Flask 3.1's ``create_url_adapter`` does.

    The request's own query string is bound: microflask reads raw bytes that are
    not UTF-8 as percent-encoded (CHANGES.md), where Werkzeug replaces them with
    U+FFFD; that documented difference is pinned on its own below.
    """
    environ = {**request.environ, "QUERY_STRING": request.query_string.decode("latin-1")}
    subdomain = None if app.subdomain_matching else (app.url_map.default_subdomain or "")
    return app.url_map.bind_to_environ(
        environ, server_name=app.config["SERVER_NAME"], subdomain=subdomain
    )


_host_names = st.sampled_from(
    ["localhost", "Example.COM", "example.com", "api.example.com", "bücher.example", "b.example"]
)
_ports = st.sampled_from(["", ":80", ":443", ":8080"])
_wsgi_text = st.text(
    st.sampled_from(["a", "/", "é", "%", "2", " ", "?", "\xff", "\x80", "~"]), max_size=10
)


@st.composite
def _environ(draw: st.DrawFn) -> dict[str, t.Any]:
    scheme = draw(st.sampled_from(["http", "https"]))
    environ: dict[str, t.Any] = {
        "REQUEST_METHOD": draw(st.sampled_from(["GET", "POST", "HEAD", "PUT"])),
        "wsgi.url_scheme": scheme,
        "SERVER_NAME": "server.local",
        "SERVER_PORT": "80" if scheme == "http" else "443",
        "SCRIPT_NAME": draw(st.sampled_from(["", "/app", "/app/", "/é"])),
        "PATH_INFO": draw(
            st.sampled_from(["", "/", "/page", "/item/3", "/dir", "/sub", "/ws", "//page"])
            | _wsgi_text.map(lambda s: "/" + s)
        ),
        # Valid UTF-8 only: raw bytes that are not are pinned on their own below.
        "QUERY_STRING": draw(
            (st.sampled_from(["", "a=1", "a=%FF", "b=é"]) | _wsgi_text.filter(str.isascii)).map(
                lambda s: s.encode().decode("latin-1")
            )
        ),
    }
    if draw(st.booleans()):
        environ["HTTP_HOST"] = draw(_host_names) + draw(_ports)
    return environ


def _adapter_state(urls: MapAdapter) -> dict[str, object]:
    return {
        "server_name": urls.server_name,
        "script_name": urls.script_name,
        "subdomain": urls.subdomain,
        "url_scheme": urls.url_scheme,
        "default_method": urls.default_method,
        "query_args": urls.query_args,
    }


def _match(urls: MapAdapter) -> object:
    try:
        return urls.match(return_rule=False)
    except HTTPException as e:
        return type(e).__name__, getattr(e, "new_url", None), getattr(e, "valid_methods", None)


def _builds(urls: MapAdapter) -> list[str]:
    built = []
    for endpoint, values, external in [
        ("index", {}, False),
        ("index", {}, True),
        ("item", {"n": 7, "q": "é"}, True),
        ("dir", {}, False),
        ("sub", {}, True),
    ]:
        try:
            built.append(urls.build(endpoint, values, force_external=external))
        except BuildError as e:
            built.append(f"BuildError {e.endpoint}")
    return built


def _compare_adapters(app: Microflask, environ: dict[str, t.Any]) -> None:
    # A host outside SERVER_NAME makes Werkzeug warn (pushing the context binds too);
    # both bindings must warn alike.
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        with app.test_request_context(environ_overrides=environ) as ctx:
            start = len(warned)
            ours = app.create_url_adapter(ctx.request)
            middle = len(warned)
            theirs = _reference_adapter(app, ctx.request)
            messages = [str(w.message) for w in warned]
            assert messages[start:middle] == messages[middle:]
            _compare_bound(ours, theirs)


def _compare_bound(ours: MapAdapter | None, theirs: MapAdapter) -> None:
    assert ours is not None
    assert _adapter_state(ours) == _adapter_state(theirs)
    assert _match(ours) == _match(theirs)
    assert _builds(ours) == _builds(theirs)


@settings(max_examples=70, deadline=None)
@given(
    environ=_environ(),
    server_name=st.sampled_from([None, "example.com", "Example.com:8080", "example.com:80"]),
    subdomain_matching=st.booleans(),
)
def test_bind_shortcut_binds_like_bind_to_environ(
    environ: dict[str, t.Any], server_name: str | None, subdomain_matching: bool
) -> None:
    _compare_adapters(_app(server_name, subdomain_matching), environ)


def _bind(app: Microflask, environ: dict[str, str]) -> tuple[MapAdapter, MapAdapter]:
    environ = {"REQUEST_METHOD": "GET", "wsgi.url_scheme": "http", **environ}
    with app.test_request_context(environ_overrides=environ) as ctx:
        ours = app.create_url_adapter(ctx.request)
        assert ours is not None
        return ours, _reference_adapter(app, ctx.request)


def test_bind_shortcut_path_info_differs_only_in_leading_slashes() -> None:
    ours, theirs = _bind(_app(None, False), {"PATH_INFO": "//page"})
    # The shortcut binds request.path; MapAdapter.match strips the leading slashes of
    # the raw PATH_INFO Werkzeug binds, so both match (and redirect) the same.
    assert (ours.path_info, theirs.path_info) == ("/page", "//page")
    assert ours.match() == theirs.match() == ("page", {})


def test_bind_shortcut_keeps_script_name_trailing_slashes() -> None:
    ours, theirs = _bind(_app(None, False), {"SCRIPT_NAME": "/app//", "PATH_INFO": "/page"})
    assert ours.script_name == theirs.script_name == "/app//"
    assert ours.build("page") == theirs.build("page")


@pytest.mark.parametrize(
    "path",
    [
        "/dir",
        "",
    ],
)
def test_bind_shortcut_binds_invalid_utf8_query_percent_encoded(path: str) -> None:
    app = _app(None, False)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "a=\xff"}
    with app.test_request_context(environ_overrides=environ) as ctx:
        ours = app.create_url_adapter(ctx.request)
        assert ours is not None
        assert ours.query_args == "a=%FF"  # Werkzeug's bind_to_environ: "a=\ufffd"
        with pytest.raises(HTTPException) as caught:
            ours.match()
        assert getattr(caught.value, "new_url", None) == f"http://localhost{path}/?a=%FF"


@pytest.mark.parametrize("host", ["a" * 64 + ".example", "xn--.example", "Bücher.example:8080"])
@pytest.mark.parametrize("server_name", [None, "example.com"])
def test_bind_shortcut_refuses_hosts_idna_cannot_encode_as_werkzeug(
    host: str, server_name: str | None
) -> None:
    app = _app(server_name, False)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/page",
        "HTTP_HOST": host,
        "wsgi.url_scheme": "http",
    }
    request = Request(environ)
    outcomes = []
    for bind in (app.create_url_adapter, lambda r: _reference_adapter(app, r)):
        try:
            urls = bind(request)
        except HTTPException as e:
            outcomes.append(type(e).__name__)
        else:
            assert urls is not None
            outcomes.append(urls.server_name)
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(("server_name", "scheme"), [("[::1]:80", "http"), ("[::1]:443", "https")])
def test_bind_shortcut_drops_the_default_port_of_an_ipv6_server_name(
    server_name: str, scheme: str
) -> None:
    environ = {"PATH_INFO": "/page", "HTTP_HOST": server_name, "wsgi.url_scheme": scheme}
    ours, theirs = _bind(_app(server_name, False), environ)
    assert ours.server_name == theirs.server_name == "[::1]"
    assert ours.build("page", force_external=True) == theirs.build("page", force_external=True)

"""Compare generated apps' routing, blueprints, hooks and url_for with Flask 3.1.

Hypothesis draws one app description: rules with converters and options, a
blueprint (prefix, subdomain, url_defaults) registered once or twice with a
nested child, hooks at every level that log their calls, error handlers, and
url_for calls each view makes. Both frameworks build it; the same requests,
drawn to hit and miss the rules, must get the same answers and hook logs.
Routing 404s and 405s under a blueprint prefix are left out: microflask gives
them to that blueprint's handlers, a documented difference.
"""

from __future__ import annotations

import re
import types
import typing as t
import warnings

from flask_parity import FRAMEWORKS, ROOT, Answer, _normalise_header, app_class
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

Spec = dict[str, t.Any]
_CONVERTERS = ["<{}>", "<int:{}>", "<path:{}>", "<any(a, 'é'):{}>", "<int(min=1):{}>"]
_FILLS = {"": ["a", "é", "a%20b"], "int": ["3", "0", "x"], "path": ["a/b", "a"], "any": ["a", "é"]}
_HOOKS = ["before_request", "after_request", "teardown_request", "url_value_preprocessor"]
_BP_HOOKS = [*_HOOKS, "url_defaults", "before_app_request", "after_app_request"]
_ENDPOINTS = ["e0", "e1", ".e0", "bp.e0", "bp.child.e1", "again.e0", ".child.e0", "nope"]


@st.composite
def _rule(draw: st.DrawFn, index: int) -> Spec:
    parts = []
    for i in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(["a", "x", "é"])))
        else:
            parts.append(draw(st.sampled_from(_CONVERTERS)).format(f"v{i}"))
    options: dict[str, t.Any] = {}
    if draw(st.integers(0, 3)) == 0:
        options["methods"] = draw(st.sampled_from([["POST"], ["GET", "PUT"]]))
    if draw(st.integers(0, 3)) == 0:
        options["strict_slashes"] = False
    if draw(st.integers(0, 5)) == 0:
        options["subdomain"] = "api"
    slash = "/" if draw(st.booleans()) and parts else ""
    calls = draw(st.lists(st.tuples(st.sampled_from(_ENDPOINTS), _url_values), max_size=2))
    return {
        "rule": "/" + "/".join(parts) + slash,
        "endpoint": f"e{index}",
        "options": options,
        "abort": draw(st.sampled_from([None, None, 403])),
        "calls": calls,
    }


_url_values = st.fixed_dictionaries(
    {},
    optional={
        "v0": st.sampled_from(["a", "é", 3]),
        "q": st.sampled_from(["a b", "é"]),
        "_external": st.booleans(),
        "_anchor": st.just("a b"),
        "_method": st.sampled_from(["GET", "POST"]),
    },
)


def _hooks(kinds: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(kinds), max_size=3)


@st.composite
def _blueprint(draw: st.DrawFn, nested: bool) -> Spec:
    return {
        "url_prefix": draw(st.sampled_from([None, "/bp", "/bp/", "/<lang>"])),
        "url_defaults": draw(st.sampled_from([None, {"lang": "en"}])),
        "routes": [draw(_rule(i)) for i in range(draw(st.integers(0, 2)))],
        "hooks": draw(_hooks(_BP_HOOKS)),
        "twice": not nested and draw(st.booleans()),
        "child": None if nested else draw(st.none() | _blueprint(True)),
    }


@st.composite
def _case(draw: st.DrawFn) -> tuple[Spec, list[tuple[str, str, str]]]:
    spec: Spec = {
        "server_name": draw(st.sampled_from([None, "example.test"])),
        "subdomain_matching": draw(st.booleans()),
        "routes": [draw(_rule(i)) for i in range(draw(st.integers(0, 3)))],
        "hooks": draw(_hooks([*_HOOKS, "url_defaults"])),
        "bp": draw(_blueprint(False)),
    }
    child = spec["bp"]["child"] or {"routes": []}
    rules = [r["rule"] for r in spec["routes"]]
    for prefix in ("", "/bp", "/en", "/again"):
        rules += [f"{prefix}{r['rule']}" for r in spec["bp"]["routes"]]
        rules += [f"{prefix}/bp{r['rule']}" for r in child["routes"]]
    requests = []
    for _ in range(draw(st.integers(1, 4))):
        path = _fill(draw, draw(st.sampled_from([*rules, "/missing"])))
        path += draw(st.sampled_from(["", "", "/", "?q=é"]))
        host = draw(
            st.sampled_from(["example.test", "example.test", "api.example.test", "localhost"])
        )
        requests.append((path, draw(st.sampled_from(["GET", "POST", "OPTIONS"])), host))
    return spec, requests


def _fill(draw: st.DrawFn, rule: str) -> str:
    def value(match: re.Match[str]) -> str:
        converter = match.group(1) or ""
        return draw(st.sampled_from(_FILLS[converter]))

    return re.sub(r"<(?:(\w*)(?:\([^)]*\))?:)?v\d>", value, rule).replace("<lang>", "en")


def _shown(arg: object) -> object:
    if isinstance(arg, dict):
        return sorted(arg)
    return getattr(arg, "status", arg)


def _recorder(fw: types.ModuleType, log: list[str], tag: str) -> t.Callable[..., t.Any]:
    def hook(*args: t.Any) -> t.Any:
        request = fw.request
        shown = [_shown(arg) for arg in args]
        log.append(f"{tag} {request.endpoint} {request.blueprints} {shown}")
        # An after hook returns the response it got; the others return None.
        return args[0] if args and isinstance(args[0], fw.Response) else None

    return hook


def _view(fw: types.ModuleType, route: Spec, log: list[str]) -> t.Callable[..., t.Any]:
    def view(**kwargs: t.Any) -> str:
        log.append("view")
        if route["abort"]:
            fw.abort(route["abort"])
        found = [fw.request.url, repr(sorted(kwargs.items()))]
        for endpoint, values in route["calls"]:
            try:
                found.append(fw.url_for(endpoint, **values))
            except Exception as e:  # BuildError, or ValueError for a bad argument
                found.append(type(e).__name__)
        return " ".join(found)

    return view


def _add(fw: types.ModuleType, scaffold: t.Any, spec: Spec, tag: str, log: list[str]) -> None:
    for kind in spec["hooks"]:
        getattr(scaffold, kind)(_recorder(fw, log, f"{tag}.{kind}"))
    for route in spec["routes"]:
        scaffold.add_url_rule(
            route["rule"], route["endpoint"], _view(fw, route, log), **route["options"]
        )
    scaffold.register_error_handler(403, lambda e: (f"{tag} handler", 403))


def _build(fw: types.ModuleType, spec: Spec, log: list[str]) -> t.Any:
    app = app_class(fw)("parity_app", root_path=ROOT, subdomain_matching=spec["subdomain_matching"])
    app.config.update(TESTING=True, SERVER_NAME=spec["server_name"])
    _add(fw, app, spec, "app", log)
    bp_spec = spec["bp"]
    options = {k: bp_spec[k] for k in ("url_prefix", "url_defaults") if bp_spec[k]}
    bp = fw.Blueprint("bp", __name__, **options)
    _add(fw, bp, bp_spec, "bp", log)
    if bp_spec["child"] is not None:
        child = fw.Blueprint("child", __name__)
        _add(fw, child, bp_spec["child"], "child", log)
        bp.register_blueprint(child, url_prefix=bp_spec["child"]["url_prefix"])
    app.register_blueprint(bp)
    if bp_spec["twice"]:
        app.register_blueprint(bp, name="again", url_prefix="/again")
    return app


def _answers(name: str, spec: Spec, requests: list[tuple[str, str, str]]) -> list[object]:
    fw = FRAMEWORKS[name]
    log: list[str] = []
    try:
        app = _build(fw, spec, log)
    except Exception:  # an invalid description fails on both, maybe not alike
        return ["setup failed"]
    client = app.test_client()
    found: list[object] = []
    for path, method, host in requests:
        rv = client.open(path, method=method, base_url=f"http://{host}")
        headers = [_normalise_header(k, v) for k, v in rv.headers.items()]
        found += [Answer(rv.status, headers, rv.get_data()), list(log)]
        log.clear()
    return found


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=_case())
def test_generated_apps_route_and_run_hooks_as_flask(
    case: tuple[Spec, list[tuple[str, str, str]]],
) -> None:
    spec, requests = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a host outside SERVER_NAME warns on both
        assert _answers("microflask", spec, requests) == _answers("flask", spec, requests)

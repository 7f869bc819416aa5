"""Compare generated context push and pop sequences with Flask 3.1.

Hypothesis draws a program: app and request contexts of two apps pushed,
popped (also the wrong one, or twice), re-pushed, used through ``with``
blocks that may raise, and ``g`` read and written in between. Both frameworks
run it; each step's result (or its exception type and the gist of its
message), the teardown calls with the error they get, and the app context
signals must be the same. Teardowns that raise are left out: microflask runs
every one of them, a documented difference.
"""

from __future__ import annotations

import contextvars
import re
import types
import typing as t

from flask_parity import FRAMEWORKS, app_class
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

Op = tuple[t.Any, ...]
_SIGNALS = ["appcontext_pushed", "appcontext_popped", "appcontext_tearing_down"]


def _gist(e: Exception) -> str:
    """Return the words of *e*'s message both frameworks share."""
    if isinstance(e, AttributeError | KeyError):
        return ""  # Flask's message is the bare name
    # Names differ: a ContextVar's, and the proxy class's (a LocalProxy subclass).
    message = str(e).replace("microflask", "flask").replace("_ContextProxy", "LocalProxy")
    return re.split(r"[.:(]", message, maxsplit=1)[0].strip()


class _Run:
    """One framework running one program, logging what it observes."""

    def __init__(self, fw: types.ModuleType) -> None:
        self.fw = fw
        self.log: list[t.Any] = []
        self.apps = [self._app(i) for i in range(2)]
        self.pushed: list[t.Any] = []

    def _app(self, i: int) -> t.Any:
        app = app_class(self.fw)(f"a{i}")
        app.add_url_rule("/x", "x", lambda: "x")
        app.teardown_appcontext(lambda e: self.log.append(("app", i, type(e).__name__)))
        app.teardown_request(lambda e: self.log.append(("req", i, type(e).__name__)))
        return app

    def state(self) -> tuple[t.Any, ...]:
        fw = self.fw
        path = fw.request.path if fw.has_request_context() else None
        name = fw.current_app.name if fw.has_app_context() else None
        return fw.has_app_context(), fw.has_request_context(), name, path

    def new(self, app: int, kind: str) -> t.Any:
        a = self.apps[app]
        return a.app_context() if kind == "app" else a.test_request_context("/x")

    def do(self, op: Op) -> t.Any:
        kind, arg, value = op
        g = self.fw.g
        if kind in ("app", "req"):
            self.pushed.append(self.new(arg, kind))
            return self.pushed[-1].push()
        if kind in ("pop", "repush"):
            ctx = self.pushed[arg % len(self.pushed)] if self.pushed else None
            return ctx and (ctx.pop() if kind == "pop" else ctx.push())
        if kind == "with":
            with self.new(arg, value[0]):
                found = [self.step(inner) for inner in value[1]]
                if value[2]:
                    raise LookupError("raised in the block")
            return found
        if kind == "g":
            g_ops: dict[str, t.Callable[[], t.Any]] = {
                "set": lambda: setattr(g, arg, value),
                "get": lambda: g.get(arg, "default"),
                "pop": lambda: g.pop(arg),
                "setdefault": lambda: g.setdefault(arg, value),
                "in": lambda: arg in g,
                "list": lambda: sorted(g),
                "attr": lambda: getattr(g, arg),
            }
            return g_ops[value]()
        return self.fw.copy_current_request_context(self.state)()

    def step(self, op: Op) -> t.Any:
        try:
            result = self.do(op)
            return "ok", "callable" if callable(result) else result, self.state()
        except Exception as e:
            return type(e).__name__, _gist(e)


def _run(name: str, program: list[Op]) -> list[t.Any]:
    run = _Run(FRAMEWORKS[name])
    receivers = []
    for signal_name in _SIGNALS:
        signal = getattr(run.fw, signal_name)
        receivers.append((signal, lambda s, n=signal_name, **kw: run.log.append((n, s.name))))
        signal.connect(receivers[-1][1], weak=False)
    try:
        return [run.step(op) for op in program] + [run.log]
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver)


_names = st.sampled_from(["a", "b", "get"])
_g_ops = st.sampled_from(["set", "get", "pop", "setdefault", "in", "list", "attr"])
_leaf = st.one_of(
    st.tuples(st.sampled_from(["app", "req"]), st.integers(0, 1), st.none()),
    st.tuples(st.sampled_from(["pop", "repush"]), st.integers(0, 4), st.none()),
    st.tuples(st.just("g"), _names, _g_ops),
    st.tuples(st.just("copy"), st.none(), st.none()),
)
_op = st.recursive(
    _leaf,
    lambda inner: st.tuples(
        st.just("with"),
        st.integers(0, 1),
        st.tuples(st.sampled_from(["app", "req"]), st.lists(inner, max_size=3), st.booleans()),
    ),
    max_leaves=8,
)


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(first=_leaf, program=st.lists(_op, max_size=8))
def test_generated_context_programs_behave_as_in_flask(first: Op, program: list[Op]) -> None:
    # Programs start in an app context, where g has something to do.
    program = [("app", 0, None), first, *program]
    # Each run in a fresh context: a program may leave contexts pushed.
    found = {name: contextvars.copy_context().run(_run, name, program) for name in FRAMEWORKS}
    assert found["microflask"] == found["flask"]

"""Compare with Flask 3.1 the app-context cases drawn in round 12.

Round 12 drew programs (app and request contexts pushed and popped in every
order, ``url_for`` in bare app contexts, ``g`` methods, threads, async views,
teardown with signals) and ran each on both frameworks; the generators live
outside the repository. None differed where microflask means to match Flask.
These cases pin what the refactors of that session touched: the app
context's ``url_adapter``, now a ``cached_property``, and ``g``.
"""

from __future__ import annotations

import types
import typing as t

from flask_parity import FRAMEWORKS, app_class


def _outcome(fn: t.Callable[[], object]) -> object:
    """Return what *fn* returns, or its exception's type and message."""
    try:
        return fn()
    except Exception as e:  # the exception is the answer
        return type(e).__name__, str(e)


def _app(fw: types.ModuleType, server_name: str | None) -> t.Any:
    app = app_class(fw)("r12")
    app.config["SERVER_NAME"] = server_name
    app.add_url_rule("/a", "a", lambda: "")
    return app


def _adapter_cases(fw: types.ModuleType) -> list[object]:
    """Read, replace and re-read an app context's URL adapter."""
    out: list[object] = []
    app = _app(fw, "one.io")
    ctx = app.app_context()
    with ctx:
        out.append(_outcome(lambda: fw.url_for("a")))
        # Once built, the adapter stays: a later SERVER_NAME is not seen.
        app.config["SERVER_NAME"] = "two.io"
        out.append(_outcome(lambda: fw.url_for("a")))
    with ctx:  # pushed again: the same adapter
        out.append(_outcome(lambda: fw.url_for("a", _external=True)))
    ctx.url_adapter = None
    with ctx:
        out.append(_outcome(lambda: fw.url_for("a")))
    ctx.url_adapter = app.url_map.bind("set.io", "/root", url_scheme="https")
    with ctx:
        out.append(_outcome(lambda: fw.url_for("a")))
    # No SERVER_NAME: the adapter is None and url_for says what to configure.
    bare = _app(fw, None).app_context()
    with bare:
        out.append(bare.url_adapter is None)
        out.append(_outcome(lambda: fw.url_for("a")))
    return out


def test_app_context_url_adapter_is_built_once_and_assignable() -> None:
    """``AppContext.url_adapter``: cached once built, replaceable, as Flask's."""
    assert _adapter_cases(FRAMEWORKS["microflask"]) == _adapter_cases(FRAMEWORKS["flask"])


def _g_cases(fw: types.ModuleType) -> list[object]:
    """Use every method of ``g``, inside an app context."""
    out: list[object] = []
    with app_class(fw)("r12").app_context():
        g = fw.g
        out.append((g.get("a"), g.get("a", 5), "a" in g))
        g.a = 1
        out.append((g.get("a", 5), "a" in g, list(g)))
        out.append((g.setdefault("b", 2), g.setdefault("b", 3), g.setdefault("c")))
        out.append((g.pop("c"), g.pop("zz", 9), _outcome(lambda: g.pop("zz"))))
        out.append((getattr(g, "zz", 4), hasattr(g, "a"), sorted(vars(g))))
        out.append(_outcome(lambda: g.get()))
    return out


def test_g_methods_answer_as_flask() -> None:
    """``g.get/pop/setdefault``, ``in`` and iteration give Flask's answers."""
    assert _g_cases(FRAMEWORKS["microflask"]) == _g_cases(FRAMEWORKS["flask"])

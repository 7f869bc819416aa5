"""Pin the context proxies' attribute path to Werkzeug's ``LocalProxy``.

``request``, ``session``, ``g`` and ``current_app`` read attributes in one call
instead of ``LocalProxy``'s three; for any attribute, bound or unbound, they
must give what a plain ``LocalProxy`` over the same context variable gives.
"""

from __future__ import annotations

import typing as t

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.local import LocalProxy

from microflask import Microflask, current_app, g, request, session
from microflask.globals import _NO_APP, _NO_REQUEST, _cv_app, _cv_request

_app = Microflask(__name__)
_app.config["SECRET_KEY"] = "k"

PROXIES: dict[str, tuple[t.Any, t.Any]] = {
    "request": (request, LocalProxy(_cv_request, "request", unbound_message=_NO_REQUEST)),
    "session": (session, LocalProxy(_cv_request, "session", unbound_message=_NO_REQUEST)),
    "g": (g, LocalProxy(_cv_app, "g", unbound_message=_NO_APP)),
    "current_app": (current_app, LocalProxy(_cv_app, "app", unbound_message=_NO_APP)),
}
NAMES = ["method", "path", "args", "form", "name", "config", "missing", "_private", "get", "x"]


def _read(proxy: t.Any, name: str) -> object:
    try:
        value = getattr(proxy, name)
    except Exception as e:
        return "raised", type(e), str(e)
    # Bound methods are made per read: compare what they are bound to.
    return getattr(value, "__self__", value), getattr(value, "__func__", None)


@settings(max_examples=100, deadline=None)
@given(
    proxy=st.sampled_from(sorted(PROXIES)),
    name=st.sampled_from(NAMES),
    bound=st.sampled_from(["none", "app", "request"]),
)
def test_proxy_attribute_reads_are_local_proxys(proxy: str, name: str, bound: str) -> None:
    ours, theirs = PROXIES[proxy]
    if bound == "none":
        assert _read(ours, name) == _read(theirs, name)
        assert repr(ours) == repr(theirs)
        return
    context = _app.app_context() if bound == "app" else _app.test_request_context("/p?a=1")
    with context:
        g.x = 1
        assert _read(ours, name) == _read(theirs, name)
        assert repr(ours) == repr(theirs)

"""Compare with Flask 3.1 the cases the round-10 host and URL fuzzing found.

Each case is the smallest app and request sequence that once answered
differently from Flask; the generator lives outside the repository.
"""

from __future__ import annotations

import types
import typing as t

from flask_parity import app_class, assert_same, get


def _canonical_host_app(fw: types.ModuleType) -> t.Any:
    """An app whose URL map binds every request to one canonical host."""
    base: t.Any = app_class(fw).url_map_class

    class CanonicalMap(base):  # type: ignore[misc]
        def bind_to_environ(self, environ: t.Any, server_name: t.Any = None, **kw: t.Any) -> t.Any:
            return super().bind_to_environ(environ, server_name="canonical.test", **kw)

    cls = type("CanonicalApp", (app_class(fw),), {"url_map_class": CanonicalMap})
    app = cls("parity_app")
    app.config["TESTING"] = True
    app.add_url_rule("/here", "here", lambda: fw.url_for("here", _external=True))
    app.add_url_rule("/dir/", "dir", lambda: "dir")
    return app


def test_url_map_class_bind_to_environ_override_is_called() -> None:
    # Flask binds each request through url_map.bind_to_environ; microflask's
    # shortcut went around a subclass's override.
    requests = [get("/here", base_url="http://other.test"), get("/dir", base_url="http://x.test")]
    assert_same(_canonical_host_app, requests)

"""Pin the buffered-body set-up of ``Response`` to Werkzeug's ``Response.__init__``.

A response made from a str or bytes body (and at most a mimetype) is set up without
Werkzeug's general argument handling; its headers, status, body and every other
attribute must be those Werkzeug's own ``__init__`` gives the same class.
"""

from __future__ import annotations

import typing as t

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.wrappers import Response as WerkzeugResponse

from microflask.wrappers import Response, _buffered_setup


class JSONByDefault(Response):
    default_mimetype = "application/json"


class NoMimetype(Response):
    default_mimetype = None


class Created(Response):
    default_status = 201


class NoLength(Response):
    automatically_set_content_length = False


class OwnSetData(Response):
    def set_data(self, value: bytes | str) -> None:
        super().set_data(value.upper())


_classes = st.sampled_from([Response, JSONByDefault, NoMimetype, Created, NoLength, OwnSetData])
_text = st.text(st.sampled_from(["a", "é", "<", "\n", " ", "0"]), max_size=6)
_bodies = _text | _text.map(str.encode)
_mimetypes = st.sampled_from(
    [None, "text/html", "text/plain", "application/json", "image/svg+xml", "application/x-thing"]
)


def _state(response: WerkzeugResponse) -> dict[str, t.Any]:
    state = dict(vars(response))
    state["headers"] = response.headers.to_wsgi_list()
    return state


@given(cls=_classes, body=_bodies, mimetype=_mimetypes)
def test_buffered_setup_equals_werkzeugs(
    cls: type[Response], body: str | bytes, mimetype: str | None
) -> None:
    ours = cls(body, mimetype=mimetype)
    theirs = cls.__new__(cls)
    WerkzeugResponse.__init__(theirs, body, mimetype=mimetype)
    assert _state(ours) == _state(theirs)
    assert ours.get_data() == theirs.get_data()


@given(body=_bodies)
def test_buffered_response_headers_stay_a_working_headers_object(body: str | bytes) -> None:
    response = Response(body)
    response.headers["X-Extra"] = "1"
    response.headers.set("Content-Type", "text/plain")
    theirs = Response.__new__(Response)
    WerkzeugResponse.__init__(theirs, body)
    theirs.headers["X-Extra"] = "1"
    theirs.headers.set("Content-Type", "text/plain")
    assert response.headers.to_wsgi_list() == theirs.headers.to_wsgi_list()


def test_class_default_changed_later_is_seen() -> None:
    class Later(Response):
        pass

    assert Later("x").mimetype == "text/html"
    Later.default_mimetype = "text/plain"
    assert Later("x").headers["Content-Type"] == "text/plain; charset=utf-8"


def test_content_length_default_changed_later_is_seen() -> None:
    class Later(Response):
        pass

    assert Later("abc").headers["Content-Length"] == "3"
    Later.automatically_set_content_length = False
    assert "Content-Length" not in Later("abc").headers


def test_setups_stay_bounded_for_client_chosen_mimetypes() -> None:
    limit = _buffered_setup.cache_info().maxsize
    assert limit is not None
    for i in range(limit + 10):
        response = Response("x", mimetype=f"application/x-{i}")
        assert response.mimetype == f"application/x-{i}"
    assert _buffered_setup.cache_info().currsize <= limit

"""The request and response objects: Werkzeug's, with routing and config."""

from __future__ import annotations

import io
import re
import typing as t
from functools import cached_property, lru_cache
from urllib.parse import parse_qsl

from werkzeug.datastructures import Headers
from werkzeug.exceptions import (
    BadRequest,
    ClientDisconnected,
    HTTPException,
    RequestEntityTooLarge,
)
from werkzeug.formparser import FormDataParser
from werkzeug.sansio.http import parse_cookie
from werkzeug.utils import get_content_type
from werkzeug.wrappers import Request as RequestBase
from werkzeug.wrappers import Response as ResponseBase

from . import json
from .globals import _cv_app
from .hooks import blueprint_ancestry, blueprint_of

if t.TYPE_CHECKING:
    from http import HTTPStatus

    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from werkzeug.datastructures import Authorization, ImmutableMultiDict
    from werkzeug.formparser import t_parse_result
    from werkzeug.routing import Rule

__all__ = ["Request", "RequestBase", "Response", "ResponseBase"]

_NON_ASCII = re.compile(b"[\x80-\xff]")


def _escaped_query(query: bytes) -> bytes:
    """Return *query* with the bytes no server should pass on percent-encoded.

    Browsers percent-encode bytes that are not UTF-8, and line breaks, but a raw
    client may not: Werkzeug's ``args`` and ``full_path`` would fail (a 500) decoding
    such bytes as they are, and a routing redirect copies the query into its
    ``Location`` header, which refuses a line break (a 500 too).
    """
    try:
        query.decode()
    except UnicodeDecodeError:
        query = _NON_ASCII.sub(lambda m: b"%%%02X" % m[0][0], query)
    return query.replace(b"\r", b"%0D").replace(b"\n", b"%0A")


def _read_at_most(stream: t.IO[bytes], limit: int) -> bytes:
    """Read *stream* to its end, which may come in several short reads.

    :raises RequestEntityTooLarge: once more than *limit* bytes have come.
    """
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(limit + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise RequestEntityTooLarge()
    return b"".join(chunks)


class _FormDataParser(FormDataParser):
    """Werkzeug's form parser, with firmer limits and tidy on errors.

    A urlencoded body is bounded by ``MAX_FORM_MEMORY_SIZE`` as a whole; a multipart
    part without a name (it would be stored under a ``None`` key) is refused; files
    opened for a body that then fails to parse are closed rather than left to the
    garbage collector.
    """

    def _parse_urlencoded(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> t_parse_result:
        """Read and decode the body, bounded in all by ``MAX_FORM_MEMORY_SIZE``.

        Werkzeug bounds it only by ``MAX_CONTENT_LENGTH`` (unset by default); the body
        is all form text held in memory, so the memory limit bounds it too.

        :raises RequestEntityTooLarge: if the body is longer than the limit.
        """
        limit = self.max_form_memory_size
        if limit is not None and content_length is not None and content_length > limit:
            raise RequestEntityTooLarge()
        if limit is None or content_length is not None:
            # Werkzeug's stream is limited to the length: read() gets all of it, or
            # raises ClientDisconnected (400) for a body that ends early.
            data = stream.read()
        else:
            data = _read_at_most(stream, limit)
        items = parse_qsl(data.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
        return stream, self.cls(items), self.cls()

    def _parse_multipart(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> t_parse_result:
        """Parse a multipart body; see ``FormDataParser.parse``.

        :raises BadRequest: if a part has no name.
        """
        opened: list[t.IO[bytes]] = []
        make_file = self.stream_factory

        def tracked(*args: t.Any, **kwargs: t.Any) -> t.IO[bytes]:
            opened.append(make_file(*args, **kwargs))
            return opened[-1]

        self.stream_factory = tracked
        try:
            result = super()._parse_multipart(stream, mimetype, content_length, options)
            if None in result[1] or None in result[2]:
                raise BadRequest("A multipart/form-data part has no name.")
        except BaseException:  # a parsed body keeps every file it opened
            for file in opened:
                file.close()
            raise
        finally:
            self.stream_factory = make_file
        return result


def _url_reader(read: t.Callable[[Request], str]) -> t.Callable[[Request], str]:
    """Return *read*, a request URL property, refusing a host it cannot decode.

    Werkzeug decodes the host's IDNA labels (``xn--``) for these URLs; one that does
    not decode would fail there with a 500.
    """

    def read_url(request: Request) -> str:
        try:
            return read(request)
        except UnicodeError as e:
            raise BadRequest(f"Invalid Host header {request.host!r}: {e}.") from None

    read_url.__doc__ = read.__doc__
    return read_url


class _TerminatedBody(io.RawIOBase):
    """A body the WSGI server ends itself (``wsgi.input_terminated``: chunked).

    Werkzeug reads such a body through a ``LimitedStream`` that stops at
    ``MAX_CONTENT_LENGTH`` and drops the rest without a word, and lets through the
    errors the server raises for a malformed chunked encoding (gunicorn's are neither
    ``OSError`` nor ``ValueError``): a 500. Here a longer body is a 413 (one byte past
    the limit is read to tell), a malformed one a 400.
    """

    def __init__(self, stream: t.IO[bytes], limit: int | None) -> None:
        super().__init__()
        self._stream = stream
        self._left = None if limit is None else limit + 1
        self._refuse_all = limit == 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        data = self._read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        # In as few reads as the server gives: the base class's would take 8 KiB each.
        chunks = []
        while data := self._read(None):
            chunks.append(data)
        return b"".join(chunks)

    def _read(self, size: int | None) -> bytes:
        """Read up to *size* bytes (None: all that is left), checked."""
        if self._refuse_all:  # a limit of 0 refuses any read, as Werkzeug's stream does
            raise RequestEntityTooLarge()
        if self._left is not None:
            size = self._left if size is None else min(size, self._left)
        try:
            data = self._stream.read() if size is None else self._stream.read(size)
        except HTTPException:
            raise
        except (OSError, ValueError) as e:  # Werkzeug's reading of these: a disconnect
            raise ClientDisconnected() from e
        except Exception as e:
            raise BadRequest(f"The request body is malformed: {e}") from e
        if self._left is not None:
            self._left -= len(data)
            if not self._left:
                raise RequestEntityTooLarge()
        return data


class _ConfigLimit:
    """A request size limit from the app's config, unless set on the request."""

    def __init__(self, key: str, fallback: int | None) -> None:
        self.key = key
        self.attr = f"_{key.lower()}"  # the attribute's own name, stored privately
        self.fallback = fallback

    def __get__(self, obj: object, owner: type | None = None) -> int | None:
        if obj is None:
            return self.fallback
        value: t.Any = obj.__dict__.get(self.attr)
        if value is None:  # not set on the request, or set to None: the config decides
            app_ctx = _cv_app.get(None)
            if app_ctx is None:
                return self.fallback
            value = app_ctx.app.config[self.key]
        return value  # type: ignore[no-any-return]

    def __set__(self, obj: object, value: int | None) -> None:
        obj.__dict__[self.attr] = value


class _Cached(cached_property[t.Any]):
    """A cached property read from the instance dict once it is set.

    Python < 3.12's own holds one lock for all instances while it computes, which would
    make a request wait for another's form upload.
    """

    attrname: str  # set by __set_name__, before any read

    def __get__(self, obj: object, owner: type | None = None) -> t.Any:
        if obj is None:
            return self
        value = obj.__dict__[self.attrname] = self.func(obj)
        return value


class Request(RequestBase):
    """The incoming request, with the matched rule and the app's size limits."""

    json_module: t.Any = json
    url_rule: Rule | None = None
    view_args: dict[str, t.Any] | None = None
    routing_exception: HTTPException | None = None
    #: The blueprint whose error handler took the routing 404 or 405 (``blueprint``
    #: stays None): ``url_for(".name")`` in that handler is relative to it.
    routing_blueprint: str | None = None

    max_content_length = _ConfigLimit("MAX_CONTENT_LENGTH", None)
    max_form_memory_size = _ConfigLimit("MAX_FORM_MEMORY_SIZE", 500_000)
    max_form_parts = _ConfigLimit("MAX_FORM_PARTS", 1000)  # type: ignore[assignment]
    form_data_parser_class = _FormDataParser

    def __init__(
        self, environ: WSGIEnvironment, populate_request: bool = True, shallow: bool = False
    ) -> None:
        super().__init__(environ, populate_request, shallow)
        query = self.query_string
        # CR and LF tested as byte values: ``b"\r" in query`` would first try its operand
        # as an integer and pay for the TypeError (4 % of a hello request, measured).
        if not query.isascii() or 13 in query or 10 in query:
            self.query_string = _escaped_query(query)

    # Werkzeug's cached properties run a Python ``__get__`` on every read; these are
    # stored in the instance dict, where later reads find them without a call
    # (``request.form`` is read once per field). To the type checker they stay Werkzeug's.
    if not t.TYPE_CHECKING:

        @_Cached
        def cookies(self) -> ImmutableMultiDict[str, str]:
            """The request's cookies, parsed from ``HTTP_COOKIE`` on first use."""
            # A WSGI server joins every Cookie header into HTTP_COOKIE; Werkzeug's version
            # finds it by walking all of the request's headers.
            return parse_cookie(self.environ.get("HTTP_COOKIE"), cls=self.dict_storage_class)

        url = _Cached(_url_reader(RequestBase.url.fget))
        base_url = _Cached(_url_reader(RequestBase.base_url.fget))
        root_url = _Cached(_url_reader(RequestBase.root_url.fget))
        host_url = _Cached(_url_reader(RequestBase.host_url.fget))
        args = _Cached(RequestBase.args.fget)
        form = _Cached(RequestBase.form.fget)

        @_Cached
        def stream(self) -> t.IO[bytes]:
            """The body, read safely; see Werkzeug's ``Request.stream``.

            A body the server ends itself is read through ``_TerminatedBody``.
            """
            environ = self.environ
            if self.shallow or "wsgi.input_terminated" not in environ:
                return RequestBase.stream.fget(self)
            limit = self.max_content_length
            if limit is not None and (self.content_length or 0) > limit:
                raise RequestEntityTooLarge()
            # Buffered: ``readline`` and iterating by line would read a byte at a time.
            return io.BufferedReader(_TerminatedBody(environ["wsgi.input"], limit))

        files = _Cached(RequestBase.files.fget)
        values = _Cached(RequestBase.values.fget)

        @_Cached
        def authorization(self) -> Authorization | None:
            """The parsed ``Authorization`` header; None if absent or malformed."""
            try:
                return RequestBase.authorization.fget(self)
            except ValueError:  # non-ASCII Basic credentials, which Werkzeug lets escape
                return None

    def _load_form_data(self) -> None:
        """Parse the body; in debug mode, explain a file sent without multipart."""
        super()._load_form_data()
        ctx = _cv_app.get(None)
        if (
            ctx is not None
            and ctx.app.debug
            and self.mimetype != "multipart/form-data"
            and not self.files
        ):
            from .debughelpers import attach_enctype_error_multidict

            attach_enctype_error_multidict(self)

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched rule, or None if matching failed."""
        return self.url_rule.endpoint if self.url_rule is not None else None

    @property
    def blueprint(self) -> str | None:
        """The dotted name of the blueprint the endpoint belongs to, if any."""
        return blueprint_of(self.endpoint)

    @property
    def blueprints(self) -> list[str]:
        """The current blueprint and its parents, innermost first."""
        return blueprint_ancestry(self.blueprint)


class Response(ResponseBase):
    """The response object; HTML by default, cookie size limit from config."""

    default_mimetype: str | None = "text/html"
    json_module = json
    autocorrect_location_header = False

    def __init__(
        self,
        response: t.Iterable[bytes] | bytes | t.Iterable[str] | str | None = None,
        status: int | str | HTTPStatus | None = None,
        headers: t.Mapping[str, str | t.Iterable[str]] | t.Iterable[tuple[str, str]] | None = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        if (
            status is None
            and headers is None
            and content_type is None
            and not direct_passthrough
            and (type(response) is str or type(response) is bytes)
        ):
            cls: type = type(self)  # not type[Response], which mypy won't take as Hashable
            setup = _buffered_setup(
                cls,
                mimetype,
                self.default_mimetype,
                self.default_status,
                self.automatically_set_content_length,
            )
            if setup is not None:
                # Must equal Werkzeug's Response.__init__ for a lone body, without its
                # general argument handling (tests/parity/test_parity_response_init.py).
                type_header, self._status, self._status_code = setup
                data = response.encode() if isinstance(response, str) else response
                self.headers = Headers()
                # valid str values already: what add() would store
                self.headers._list = [("Content-Length", str(len(data)))]
                if type_header is not None:
                    self.headers._list.insert(0, ("Content-Type", type_header))
                self.direct_passthrough = False
                self._on_close = []
                self.response = [data]
                return
        super().__init__(response, status, headers, mimetype, content_type, direct_passthrough)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """Send the response; a plain buffered body skips Werkzeug's general path."""
        body = self.response
        status = self.status_code
        if (
            type(body) is list
            and len(body) == 1
            and type(body[0]) is bytes
            and not self._on_close
            and 200 <= status
            and status != 204
            and status != 304
            and environ.get("REQUEST_METHOD") != "HEAD"
            and isinstance(self.headers, Headers)  # apps may assign a plain dict
        ):
            headers = self.headers.to_wsgi_list()
            has_length = False
            for key, _ in headers:
                lowered = key.lower()
                if lowered == "location" or lowered == "content-location":
                    break
                if lowered == "content-length":
                    has_length = True
            else:
                if has_length:
                    # Nothing for Werkzeug's get_wsgi_headers to fix: no Location to make
                    # a URI, a length already set, a body the server can send as it is.
                    start_response(self.status, headers)
                    return body
        return super().__call__(environ, start_response)

    @property
    def max_cookie_size(self) -> int:  # type: ignore[override]
        """The largest cookie that may be set, from ``MAX_COOKIE_SIZE``."""
        app_ctx = _cv_app.get(None)
        if app_ctx is None:
            return 4093
        return app_ctx.app.config["MAX_COOKIE_SIZE"]  # type: ignore[no-any-return]


@lru_cache(maxsize=128)  # bounded: a mimetype may come from a client
def _buffered_setup(
    cls: type,
    mimetype: str | None,
    default_mimetype: str | None,
    default_status: int,
    set_length: bool,
) -> tuple[str | None, str, int] | None:
    """Return the Content-Type, status line and code Werkzeug would set.

    The class's defaults are arguments so that a default changed later is seen. None
    where *cls* overrides a part of Werkzeug's set-up for a lone body.
    """
    base = ResponseBase
    names = ("set_data", "_clean_status", "status")
    if not set_length or any(getattr(cls, name) is not getattr(base, name) for name in names):
        return None
    if mimetype is None:
        mimetype = default_mimetype
    content_type = get_content_type(mimetype, "utf-8") if mimetype is not None else None
    status, code = base._clean_status(t.cast(ResponseBase, None), default_status)
    return content_type, status, code

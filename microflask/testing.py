"""The test client and environ builder, with the app's config as defaults."""

from __future__ import annotations

import importlib.metadata
import typing as t
from contextlib import ExitStack, closing, contextmanager
from copy import copy
from urllib.parse import urlsplit

import werkzeug.test
from click.testing import CliRunner, Result
from werkzeug.test import Client
from werkzeug.wrappers import Request as BaseRequest

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.test import TestResponse

    from .app import Microflask
    from .sessions import SessionMixin

__all__ = ["EnvironBuilder", "MicroflaskClient", "MicroflaskCliRunner"]

_WERKZEUG_VERSION = importlib.metadata.version("werkzeug")


class EnvironBuilder(werkzeug.test.EnvironBuilder):
    """Werkzeug's EnvironBuilder, with host, root and scheme from app config."""

    def __init__(
        self,
        app: Microflask,
        path: str = "/",
        base_url: str | None = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        *args: t.Any,
        **kwargs: t.Any,
    ) -> None:
        if base_url is not None and (subdomain or url_scheme):
            raise AssertionError('Cannot pass "subdomain" or "url_scheme" with "base_url".')
        if base_url is None:
            http_host = app.config.get("SERVER_NAME") or "localhost"
            if subdomain:
                http_host = f"{subdomain}.{http_host}"
            url_scheme = url_scheme or app.config["PREFERRED_URL_SCHEME"]
            app_root = app.config["APPLICATION_ROOT"].lstrip("/")
            url = urlsplit(path)
            base_url = f"{url.scheme or url_scheme}://{url.netloc or http_host}/{app_root}"
            path = url.path + (f"?{url.query}" if url.query else "")
        self.app = app
        super().__init__(path, base_url, *args, **kwargs)

    def json_dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize *obj* with the app's JSON provider."""
        return self.app.json.dumps(obj, **kwargs)


class MicroflaskClient(Client):
    """A test client; ``with client:`` keeps the last request's context pushed."""

    application: Microflask

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.preserve_context = False
        self._new_contexts: list[t.ContextManager[t.Any]] = []
        self._context_stack = ExitStack()
        self.environ_base = {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": f"Werkzeug/{_WERKZEUG_VERSION}",
        }

    @contextmanager
    def session_transaction(self, *args: t.Any, **kwargs: t.Any) -> t.Iterator[SessionMixin]:
        """Open the client's session for reading and editing between requests.

        Arguments build the request as for ``test_request_context``.
        :raises TypeError: if the client does not keep cookies.
        """
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        app = self.application
        ctx = app.test_request_context(*args, **kwargs)
        self._add_cookies_to_wsgi(ctx.request.environ)
        interface = app.session_interface
        with ctx:
            sess = interface.open_session(app, ctx.request)
        if sess is None:
            raise RuntimeError("Session backend did not open a session.")
        yield sess
        if interface.is_null_session(sess):
            return
        resp = app.response_class()
        with ctx:
            interface.save_session(app, sess, resp)
        self._update_cookies_from_response(
            ctx.request.host.partition(":")[0],
            ctx.request.path,
            resp.headers.getlist("Set-Cookie"),
        )

    def _copy_environ(self, other: t.Mapping[str, t.Any]) -> WSGIEnvironment:
        out = {**self.environ_base, **other}
        if self.preserve_context:
            out["werkzeug.debug.preserve_context"] = self._new_contexts.append
        return out

    def _request_from_builder_args(
        self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
    ) -> BaseRequest:
        # Private in Flask too, but Flask-SocketIO's test client calls it to build the
        # environ of its connection, so it keeps Flask's name and signature.
        kwargs["environ_base"] = self._copy_environ(kwargs.get("environ_base", {}))
        with closing(EnvironBuilder(self.application, *args, **kwargs)) as builder:
            return builder.get_request()

    def open(
        self,
        *args: t.Any,
        buffered: bool = False,
        follow_redirects: bool = False,
        **kwargs: t.Any,
    ) -> TestResponse:
        """Send a request to the app; arguments as for Werkzeug's ``Client.open``."""
        first = args[0] if args else None
        if isinstance(first, werkzeug.test.EnvironBuilder):
            builder = copy(first)
            builder.environ_base = self._copy_environ(builder.environ_base or {})
            request = builder.get_request()
        elif isinstance(first, dict):
            request = EnvironBuilder.from_environ(
                first, app=self.application, environ_base=self._copy_environ({})
            ).get_request()
        elif isinstance(first, BaseRequest):
            request = copy(first)
            request.environ = self._copy_environ(request.environ)
        else:
            request = self._request_from_builder_args(args, kwargs)
        # Pop the contexts kept from the previous request before making a new one.
        self._context_stack.close()
        response = super().open(request, buffered=buffered, follow_redirects=follow_redirects)
        response.json_module = self.application.json  # type: ignore[assignment]
        for cm in self._new_contexts:
            self._context_stack.enter_context(cm)
        self._new_contexts.clear()
        return response

    def __enter__(self) -> MicroflaskClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest client invocations")
        self.preserve_context = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.preserve_context = False
        self._context_stack.close()


class MicroflaskCliRunner(CliRunner):
    """A click test runner for an app's commands; ``app.test_cli_runner()``."""

    def __init__(self, app: Microflask, **kwargs: t.Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def invoke(  # type: ignore[override]
        self, cli: t.Any = None, args: t.Any = None, **kwargs: t.Any
    ) -> Result:
        """Invoke *cli* (default ``app.cli``) with *args* in isolation.

        Unless ``obj`` is given, commands get a :class:`~microflask.cli.ScriptInfo`
        that loads this app.
        """
        from .cli import ScriptInfo  # the CLI loads only for a test that runs commands

        kwargs.setdefault("obj", ScriptInfo(create_app=lambda: self.app))
        return super().invoke(self.app.cli if cli is None else cli, args, **kwargs)

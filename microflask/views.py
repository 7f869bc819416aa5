"""Class-based views: ``View`` and ``MethodView``."""

from __future__ import annotations

import typing as t

from . import typing as ft
from .globals import current_app, request

__all__ = ["MethodView", "View", "http_method_funcs"]

#: The lowercase method names a :class:`MethodView` dispatches to.
http_method_funcs = frozenset(["get", "post", "head", "options", "delete", "put", "trace", "patch"])


class View:
    """A view as a class: implement ``dispatch_request``, then use ``as_view``."""

    methods: t.ClassVar[t.Collection[str] | None] = None
    provide_automatic_options: t.ClassVar[bool | None] = None
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []
    init_every_request: t.ClassVar[bool] = True

    def dispatch_request(self) -> ft.ResponseReturnValue:
        """Handle the request; the URL's variables arrive as keyword arguments."""
        raise NotImplementedError(f"{type(self).__name__} must implement dispatch_request().")

    @classmethod
    def as_view(cls, name: str, *class_args: t.Any, **class_kwargs: t.Any) -> ft.RouteCallable:
        """Return a view function named *name* for ``add_url_rule``.

        The class is instantiated per request with *class_args*/*class_kwargs*, or once
        if :attr:`init_every_request` is false.
        """
        instance = None if cls.init_every_request else cls(*class_args, **class_kwargs)

        def view(**kwargs: t.Any) -> ft.ResponseReturnValue:
            if instance is None:
                self = view.view_class(*class_args, **class_kwargs)  # type: ignore[attr-defined]
            else:
                self = instance
            return current_app.ensure_sync(self.dispatch_request)(**kwargs)  # type: ignore[no-any-return]

        # Named before decorating, for decorators that copy the name.
        view.__name__ = name
        view.__module__ = cls.__module__
        for decorator in cls.decorators:
            view = decorator(view)
        view.view_class = cls  # type: ignore[attr-defined]
        view.__name__ = name
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        view.methods = cls.methods  # type: ignore[attr-defined]
        view.provide_automatic_options = cls.provide_automatic_options  # type: ignore[attr-defined]
        return view


class MethodView(View):
    """A view dispatching to the method named for the HTTP verb, e.g. ``get``.

    ``methods`` is derived from the handlers a class defines or inherits.
    """

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" in cls.__dict__:
            return
        methods: set[str] = set()
        for base in cls.__bases__:
            methods.update(getattr(base, "methods", None) or ())
        for key in http_method_funcs:
            if hasattr(cls, key):
                methods.add(key.upper())
        if methods:
            cls.methods = methods

    def dispatch_request(self, **kwargs: t.Any) -> ft.ResponseReturnValue:
        """Call the handler for the request's method; HEAD falls back to ``get``.

        :raises AssertionError: if no handler exists for the method.
        """
        meth = getattr(self, request.method.lower(), None)
        if meth is None and request.method == "HEAD":
            meth = getattr(self, "get", None)
        if meth is None:
            raise AssertionError(f"Unimplemented method {request.method!r}")
        return current_app.ensure_sync(meth)(**kwargs)  # type: ignore[no-any-return]

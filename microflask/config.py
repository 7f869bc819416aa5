"""The configuration mapping and its loaders: objects, files, env vars."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import types
import typing as t
from collections.abc import MutableMapping

from werkzeug.utils import import_string

__all__ = ["Config", "ConfigAttribute"]

T = t.TypeVar("T")


class ConfigAttribute(t.Generic[T]):
    """An app attribute that reads and writes one config key."""

    def __init__(self, name: str, get_converter: t.Callable[[t.Any], T] | None = None) -> None:
        self.__name__ = name
        self.get_converter = get_converter

    @t.overload
    def __get__(self, obj: None, owner: None) -> ConfigAttribute[T]: ...

    @t.overload
    def __get__(self, obj: object, owner: type) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> T | t.Any:
        if obj is None:
            return self
        rv = obj.config[self.__name__]  # type: ignore[attr-defined]
        if self.get_converter is not None:
            rv = self.get_converter(rv)
        return rv

    def __set__(self, obj: object, value: t.Any) -> None:
        obj.config[self.__name__] = value  # type: ignore[attr-defined]


class Config(dict):  # type: ignore[type-arg]
    """A dict of settings; objects and files give their UPPERCASE keys."""

    def __init__(
        self,
        root_path: str | os.PathLike[str],
        defaults: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__(defaults or {})
        self.root_path = root_path

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load the Python file named by environment variable *variable_name*.

        :raises RuntimeError: if the variable is unset and *silent* is false.
        """
        rv = os.environ.get(variable_name)
        if not rv:
            if silent:
                return False
            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set and as such"
                " configuration could not be loaded. Set this variable and make it"
                " point to a configuration file."
            )
        return self.from_pyfile(rv, silent=silent)

    def from_prefixed_env(
        self,
        prefix: str = "MICROFLASK",
        *,
        loads: t.Callable[[str], t.Any] = json.loads,
    ) -> bool:
        """Load ``PREFIX_*`` environment variables, decoding values with *loads*.

        A value that fails to decode stays a string; ``__`` in a key sets a nested key.
        """
        prefix = f"{prefix}_"
        for key in sorted(os.environ):
            if not key.startswith(prefix):
                continue
            value: t.Any = os.environ[key]
            with contextlib.suppress(Exception):
                value = loads(value)
            current: MutableMapping[str, t.Any] = self
            *parts, tail = key.removeprefix(prefix).split("__")
            for part in parts:
                current = current.setdefault(part, {})
                if not isinstance(current, MutableMapping):  # a TypeError, as in Flask
                    raise TypeError(
                        f"Cannot set {key!r}: {part!r} is already {current!r}, not a dict;"
                        " unset one of the two variables."
                    )
            current[tail] = value
        return True

    def from_pyfile(self, filename: str | os.PathLike[str], silent: bool = False) -> bool:
        """Execute a Python file and load its UPPERCASE names.

        :raises OSError: if the file is missing, unless *silent*.
        """

        def run(config_file: t.IO[bytes]) -> types.ModuleType:
            module = types.ModuleType("config")
            module.__file__ = config_file.name
            exec(compile(config_file.read(), config_file.name, "exec"), module.__dict__)
            return module

        loaded = self._load_file(filename, run, silent, text=False)
        if loaded is None:
            return False
        self.from_object(loaded[0])  # as in Flask, so an override of from_object sees it
        return True

    def from_object(self, obj: object | str) -> None:
        """Load the UPPERCASE attributes of *obj*, or of the object it names."""
        if isinstance(obj, str):
            obj = import_string(obj)
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_file(
        self,
        filename: str | os.PathLike[str],
        load: t.Callable[[t.IO[t.Any]], t.Mapping[str, t.Any]],
        silent: bool = False,
        text: bool = True,
    ) -> bool:
        """Load a file with *load*, such as ``json.load``; take its UPPERCASE keys.

        :raises OSError: if the file is missing, unless *silent*.
        """
        loaded = self._load_file(filename, load, silent, text)
        if loaded is None:
            return False
        return self.from_mapping(loaded[0])

    def _load_file(
        self,
        filename: str | os.PathLike[str],
        load: t.Callable[[t.IO[t.Any]], T],
        silent: bool,
        text: bool,
    ) -> tuple[T] | None:
        """Return what *load* reads from the file, in a tuple; None if missing.

        :raises OSError: if the file is missing, unless *silent*.
        """
        filename = os.path.join(self.root_path, filename)
        try:
            with open(filename, "r" if text else "rb") as f:
                return (load(f),)
        except OSError as e:
            if silent and e.errno in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR):
                return None
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise

    def from_mapping(self, mapping: t.Mapping[str, t.Any] | None = None, **kwargs: t.Any) -> bool:
        """Update from a mapping and keyword arguments, UPPERCASE keys only."""
        for key, value in dict(mapping or {}, **kwargs).items():
            if key.isupper():
                self[key] = value
        return True

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, t.Any]:
        """Return the keys that start with *namespace*, e.g. ``"MAIL_"``."""
        rv = {}
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            key = key[len(namespace) :] if trim_namespace else key
            rv[key.lower() if lowercase else key] = value
        return rv

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"

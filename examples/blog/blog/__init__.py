"""A small blog: an app factory with auth, blog and api blueprints.

Run it with ``microflask --app blog init-db`` once, then
``gunicorn 'blog:create_app()'`` (or ``make demo`` from the repository root).
Configuration comes from ``instance/config.py`` and ``MICROFLASK_*``
environment variables; without a ``SECRET_KEY`` one is made and kept in the
instance folder, so every worker on the host signs cookies with the same key.
"""

from __future__ import annotations

import os
import secrets
import typing as t

from microflask import Microflask


def create_app(test_config: t.Mapping[str, t.Any] | None = None) -> Microflask:
    """Build the blog app; *test_config* replaces the instance config."""
    app = Microflask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "blog.sqlite"),
        CSRF_ENABLED=True,
        POSTS_PER_PAGE=5,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)

    from . import api, auth, db, errors, posts

    db.init_app(app)
    errors.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(posts.bp)
    app.register_blueprint(api.bp)
    app.add_url_rule("/", endpoint="index")
    return app


def _instance_secret_key(instance_path: str) -> str:
    """Return the key kept in ``instance/secret_key``, making it on first use."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        # Write then link: a worker racing us sees the whole key or none.
        partial = f"{path}.{os.getpid()}"
        # Readable by its owner only: whoever reads the key can forge sessions.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(partial, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(partial)
    with open(path, encoding="ascii") as f:
        return f.read().strip()

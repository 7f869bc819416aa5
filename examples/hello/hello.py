"""The smallest Microflask app: two routes and a JSON view.

Run it with ``microflask --app hello run`` or ``gunicorn hello:app``.
"""

from __future__ import annotations

from microflask import Microflask, request

app = Microflask(__name__)


@app.route("/")
def index() -> str:
    return "Hello, World!"


@app.route("/hello/<name>")
def hello(name: str) -> dict[str, str]:
    greeting = request.args.get("greeting", "Hello")
    return {"message": f"{greeting}, {name}!"}

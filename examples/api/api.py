"""A JSON API for a to-do list, written with ``MethodView``.

``GET /tasks?page=2&per_page=10`` pages through the tasks, ``POST /tasks``
validates its body and answers 400 with the bad fields, ``GET``, ``PATCH`` and
``DELETE /tasks/<id>`` work on one task. Every HTTP error, 404 and 405
included, is answered in JSON. The tasks live in memory, in each process:
run it with ``microflask --app api run`` or one gunicorn worker.
"""

from __future__ import annotations

import itertools
import threading
import typing as t

from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from microflask import Microflask, Response, json, request, url_for
from microflask.views import MethodView

Task = dict[str, t.Any]
MAX_PER_PAGE = 100


class TaskStore:
    """Tasks in a dict, safe to share between the threads of one process."""

    def __init__(self) -> None:
        self._tasks: dict[int, Task] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, title: str, done: bool = False) -> Task:
        with self._lock:
            id = next(self._ids)
            self._tasks[id] = {"id": id, "title": title, "done": done}
            return dict(self._tasks[id])

    def get(self, id: int) -> Task:
        """Return a copy of task *id*; raise 404 if there is none."""
        with self._lock:
            if id not in self._tasks:
                raise NotFound(f"There is no task {id}.")
            return dict(self._tasks[id])

    def update(self, id: int, changes: Task) -> Task:
        with self._lock:
            if id not in self._tasks:
                raise NotFound(f"There is no task {id}.")
            self._tasks[id].update(changes)
            return dict(self._tasks[id])

    def delete(self, id: int) -> None:
        with self._lock:
            if self._tasks.pop(id, None) is None:
                raise NotFound(f"There is no task {id}.")

    def page(self, number: int, size: int) -> tuple[list[Task], int]:
        """Return the tasks on page *number* (from 1) and the total count."""
        with self._lock:
            tasks = list(self._tasks.values())
        start = (number - 1) * size
        return [dict(task) for task in tasks[start : start + size]], len(tasks)


class ValidationError(BadRequest):
    """A 400 whose JSON body lists each bad field with what is wrong."""

    description = "Some fields are invalid; see 'fields'."

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__()
        self.fields = fields


def validate_task(data: t.Any, partial: bool = False) -> Task:
    """Return the task fields from a JSON body; *partial* makes title optional.

    :raises ValidationError: naming every bad or unknown field.
    """
    if not isinstance(data, dict):
        raise BadRequest("Send a JSON object with Content-Type: application/json.")
    errors = {name: "Unknown field." for name in data.keys() - {"title", "done"}}
    title = data.get("title")
    if "title" in data or not partial:
        if not isinstance(title, str) or not title.strip():
            errors["title"] = "Required: a non-empty string."
        elif len(title) > 200:
            errors["title"] = "At most 200 characters."
    if "done" in data and not isinstance(data["done"], bool):
        errors["done"] = "Must be true or false."
    if errors:
        raise ValidationError(errors)
    return {key: value for key, value in data.items() if key in ("title", "done")}


def _positive_arg(name: str, default: int, maximum: int | None = None) -> int:
    raw = request.args.get(name, str(default))
    value = int(raw) if raw.isascii() and raw.isdigit() else 0
    if value < 1 or (maximum is not None and value > maximum):
        limit = f" and at most {maximum}" if maximum else ""
        raise ValidationError({name: f"Must be a whole number, at least 1{limit}."})
    return value


class TaskListAPI(MethodView):
    """``/tasks``: list a page of tasks, or add one."""

    init_every_request = False

    def __init__(self, store: TaskStore) -> None:
        self.store = store

    def get(self) -> Task:
        page = _positive_arg("page", 1)
        per_page = _positive_arg("per_page", 20, MAX_PER_PAGE)
        items, total = self.store.page(page, per_page)
        pages = max(1, -(-total // per_page))
        return {"items": items, "page": page, "per_page": per_page, "total": total, "pages": pages}

    def post(self) -> tuple[Task, int, dict[str, str]]:
        task = self.store.add(**validate_task(request.get_json(silent=True)))
        return task, 201, {"Location": url_for("task", id=task["id"])}


class TaskAPI(MethodView):
    """``/tasks/<id>``: read, change or delete one task."""

    init_every_request = False

    def __init__(self, store: TaskStore) -> None:
        self.store = store

    def get(self, id: int) -> Task:
        return self.store.get(id)

    def patch(self, id: int) -> Task:
        return self.store.update(id, validate_task(request.get_json(silent=True), partial=True))

    def delete(self, id: int) -> tuple[str, int]:
        self.store.delete(id)
        return "", 204


def http_error_as_json(error: HTTPException) -> Response:
    """Answer any HTTP error with ``{"error", "status", "message"[, "fields"]}``."""
    body: dict[str, t.Any] = {
        "error": error.name,
        "status": error.code,
        "message": error.description,
    }
    if isinstance(error, ValidationError):
        body["fields"] = error.fields
    # Keeps the error's own headers, such as Allow on a 405.
    response = error.get_response()
    return Response(json.dumps(body), error.code, response.headers, mimetype="application/json")


def create_app(test_config: t.Mapping[str, t.Any] | None = None) -> Microflask:
    """Build the API with an empty task store."""
    app = Microflask(__name__)
    app.config.from_mapping(test_config or {})
    store = TaskStore()
    app.add_url_rule("/tasks", view_func=TaskListAPI.as_view("tasks", store))
    app.add_url_rule("/tasks/<int:id>", view_func=TaskAPI.as_view("task", store))
    app.register_error_handler(HTTPException, http_error_as_json)
    return app

"""A JSON API for a to-do list, written with typed ``MethodView`` methods.

``GET /tasks?page=2&per_page=10`` pages through the tasks, ``POST /tasks`` adds one
from a JSON body, ``GET``, ``PATCH`` and ``DELETE /tasks/<id>`` work on one task. The
methods' annotations say what they read and return (``microflask.typed``): a bad
value is a 422 listing every bad field, and the API documents itself at
``/openapi.json`` with an interactive page at ``/docs``. Every HTTP error, 404 and 405
included, is answered in ``application/problem+json``. The tasks live in memory, in
each process: run it with ``microflask --app api run`` or one gunicorn worker.
"""

from __future__ import annotations

import itertools
import threading
import typing as t

from pydantic import BaseModel, ConfigDict, StrictBool, StringConstraints
from werkzeug.exceptions import HTTPException, NotFound

from microflask import Microflask, Response, current_app, url_for
from microflask.problem import problem_response
from microflask.typed import Query
from microflask.views import MethodView

MAX_PER_PAGE = 100
Title = t.Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class NewTask(BaseModel):
    """A task to add."""

    model_config = ConfigDict(extra="forbid")
    title: Title
    done: StrictBool = False


class TaskChanges(BaseModel):
    """The fields of a task to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    done: StrictBool | None = None


class Task(BaseModel):
    """A task as the API shows it."""

    id: int
    title: str
    done: bool


class TaskPage(BaseModel):
    """One page of tasks, with the numbers to find the others."""

    items: list[Task]
    page: int
    per_page: int
    total: int
    pages: int


class TaskStore:
    """Tasks in a dict, safe to share between the threads of one process."""

    def __init__(self) -> None:
        self._tasks: dict[int, Task] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, new: NewTask) -> Task:
        with self._lock:
            task = Task(id=next(self._ids), title=new.title, done=new.done)
            self._tasks[task.id] = task
            return task

    def get(self, id: int) -> Task:
        """Return task *id*; raise 404 if there is none."""
        with self._lock:
            if id not in self._tasks:
                raise NotFound(f"There is no task {id}.")
            return self._tasks[id]

    def update(self, id: int, changes: TaskChanges) -> Task:
        with self._lock:
            if id not in self._tasks:
                raise NotFound(f"There is no task {id}.")
            # Only the fields the client sent; an explicit null changes nothing.
            update = changes.model_dump(exclude_unset=True, exclude_none=True)
            task = self._tasks[id] = self._tasks[id].model_copy(update=update)
            return task

    def delete(self, id: int) -> None:
        with self._lock:
            if self._tasks.pop(id, None) is None:
                raise NotFound(f"There is no task {id}.")

    def page(self, number: int, size: int) -> TaskPage:
        """Return page *number* (from 1) of *size* tasks."""
        with self._lock:
            tasks = list(self._tasks.values())
        start = (number - 1) * size
        pages = max(1, -(-len(tasks) // size))
        items = tasks[start : start + size]
        return TaskPage(items=items, page=number, per_page=size, total=len(tasks), pages=pages)


class TaskListAPI(MethodView):
    """``/tasks``: list a page of tasks, or add one."""

    init_every_request = False

    def __init__(self, store: TaskStore) -> None:
        self.store = store

    def get(
        self,
        page: t.Annotated[int, Query(ge=1, description="The page, from 1.")] = 1,
        per_page: t.Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
    ) -> TaskPage:
        """List the tasks, a page at a time, oldest first."""
        return self.store.page(page, per_page)

    def post(self, new: NewTask) -> tuple[Task, t.Literal[201], dict[str, str]]:
        """Add a task; the Location header is its URL."""
        task = self.store.add(new)
        return task, 201, {"Location": url_for("task", id=task.id)}


class TaskAPI(MethodView):
    """``/tasks/<id>``: read, change or delete one task."""

    init_every_request = False

    def __init__(self, store: TaskStore) -> None:
        self.store = store

    def get(self, id: int) -> Task:
        """Show one task."""
        return self.store.get(id)

    def patch(self, id: int, changes: TaskChanges) -> Task:
        """Change the fields given, leave the others."""
        return self.store.update(id, changes)

    def delete(self, id: int) -> tuple[str, t.Literal[204]]:
        """Delete a task."""
        self.store.delete(id)
        return "", 204


def http_error_as_problem(error: HTTPException) -> Response:
    """Answer any HTTP error in problem+json, whatever the client accepts."""
    return problem_response(current_app, error)


def create_app(test_config: t.Mapping[str, t.Any] | None = None) -> Microflask:
    """Build the API with an empty task store."""
    app = Microflask(__name__)
    app.config.from_mapping(
        OPENAPI_URL="/openapi.json", OPENAPI_DOCS_URL="/docs", OPENAPI_TITLE="To-do API"
    )
    app.config.from_mapping(test_config or {})
    store = TaskStore()
    app.add_url_rule("/tasks", view_func=TaskListAPI.as_view("tasks", store))
    app.add_url_rule("/tasks/<int:id>", view_func=TaskAPI.as_view("task", store))
    app.register_error_handler(HTTPException, http_error_as_problem)
    return app

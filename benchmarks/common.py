"""Data shared by every benchmark app, so that each one does the same work."""

from __future__ import annotations

from pathlib import Path

TEMPLATE_FOLDER = Path(__file__).parent / "templates"
TEMPLATE_NAME = "items.html"
TEMPLATE_TITLE = "Items & <notes>"
SECRET_KEY = "benchmark-secret-key-not-for-production"
HELLO = "Hello, World!"
ROUTE_COUNT = 1000

JSON_ROWS = [
    {
        "id": i,
        "name": f"user {i}",
        "email": f"user{i}@example.com",
        "active": i % 2 == 0,
        "score": i * 1.5,
    }
    for i in range(10)
]

TEMPLATE_ITEMS = [
    {"name": f"item <{i}>", "note": "<b>bold</b> & \"double\" 'single'"} for i in range(20)
]

FORM_FIELDS = ("name", "email", "age", "city", "comment")
FORM_DATA = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "age": "36",
    "city": "London",
    "comment": "Analytical engines & <notes>",
}


def form_answer(values: list[str]) -> str:
    """Return the text every form view answers with for the given values."""
    return "|".join(values)


#: The JSON body of the typed scenario's POST, and what every app must answer.
TYPED_ITEM = {"name": "Widget", "price": 9.5, "quantity": 3, "tags": ["blue", "small"]}
TYPED_ANSWER = {**TYPED_ITEM, "id": 1}

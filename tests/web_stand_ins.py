"""Flask, Django and FastAPI, as far as docs/events.md uses them, without installing them.

The page defines a view per framework (`@app.post(...)`, `@csrf_exempt`, an `async def` taking
a `Request`). `WebFrameworks` registers each view as its framework would, and `deliver()` sends
each view one HTTP POST the way its framework hands it over, returning the statuses the views
answered: so the page's views run for real, on SNS deliveries.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FlaskRequest:
    """Flask's `request`: the POST being served."""

    data: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    def get_data(self) -> bytes:
        return self.data


@dataclass
class DjangoRequest:
    """What Django passes a view: `body` is the raw bytes."""

    body: bytes
    headers: Mapping[str, str]


class Request:
    """Starlette's (FastAPI's) request: `await request.body()`."""

    def __init__(self, body: bytes, headers: Mapping[str, str]) -> None:
        self._body = body
        self.headers = headers

    async def body(self) -> bytes:
        return self._body


@dataclass
class HttpResponse:
    """Django's response."""

    status: int = 200

    @property
    def status_code(self) -> int:
        return self.status


@dataclass
class Response:
    """Starlette's (FastAPI's) response."""

    status_code: int = 200


async def run_in_threadpool(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Starlette's: run a blocking function in a worker thread."""
    return await asyncio.to_thread(function, *args, **kwargs)


@dataclass
class WebFrameworks:
    """The `app`, `request` and `csrf_exempt` of the page's frameworks, and its views."""

    request: FlaskRequest = field(default_factory=FlaskRequest)
    views: list[tuple[str, Callable[..., Any]]] = field(default_factory=list)

    def post(self, path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Flask's and FastAPI's `@app.post(path)` (an `async def` view is FastAPI's)."""

        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            kind = "fastapi" if inspect.iscoroutinefunction(view) else "flask"
            self.views.append((kind, view))
            return view

        return register

    def csrf_exempt(self, view: Callable[..., Any]) -> Callable[..., Any]:
        """Django's `@csrf_exempt` (a view so decorated is Django's)."""
        self.views.append(("django", view))
        return view

    def deliver(self, posts: list[tuple[bytes, Mapping[str, str]]]) -> list[int]:
        """POST `(body, headers)` to each view in turn, as its framework would; the statuses."""
        statuses = []
        for (kind, view), (body, headers) in zip(self.views, posts, strict=True):
            if kind == "flask":
                self.request.data, self.request.headers = body, headers
                _, status = view()
            elif kind == "django":
                status = view(DjangoRequest(body, headers)).status_code
            else:
                status = asyncio.run(view(Request(body, headers))).status_code
            statuses.append(status)
        return statuses

"""Form fields that a write reads once: given twice, the request is a 400 naming the field.

FastAPI reads a ``Form`` field given twice as its last value, so ``person=a&person=b`` on
``/persons/forget`` erased ``b`` and two ``file`` parts on ``/imports`` imported the second. A
write must not guess which one the client meant; the SPARQL protocol's ``query`` and
``update`` are held to the same rule in ``api.routes.sparql``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from api.errors import BadRequest


def given_once(*names: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency that refuses a form holding any of ``names`` more than once (the form is
    the one FastAPI has already read: Starlette keeps it on the request)."""
    async def check(request: Request) -> None:
        form = await request.form()
        for name in names:
            values = form.getlist(name)
            if len(values) > 1:
                raise BadRequest(f"give one {name}, not {len(values)}")
    return check

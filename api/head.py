"""``HEAD`` answers every ``GET`` route: the same status and headers, no body (RFC 9110 §9.3.2).

FastAPI routes declared with ``@router.get`` answer ``HEAD`` with 405; rather than declare
each one twice, ``HeadAsGet`` runs a ``HEAD`` request as the ``GET`` it stands for and drops
the body on the way out. ``Content-Length`` stays the length the ``GET`` would send.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: a ``HEAD`` request is answered as ``GET`` without its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


__all__ = ["HeadAsGet"]

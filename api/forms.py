"""Form fields: read as the URL standard says, and read once.

- ``urlencoded``: the fields of an ``application/x-www-form-urlencoded`` body. Raw bytes and
  percent-escapes alike are bytes of the form's charset (UTF-8 unless its ``Content-Type``
  names another), as the WHATWG URL standard reads them. Starlette read raw bytes as Latin-1,
  so ``curl -d 'update=…Évry…'`` stored "Ãvry", and an escape that is no UTF-8 (``%E9``)
  as U+FFFD, so another text ran; here such a field is a 400 naming it.
- ``Utf8FormRoute``: the route class of the routes whose ``Form`` fields FastAPI reads
  (``/persons/forget``): their form-encoded body is read by ``urlencoded`` first.
- ``given_once``: FastAPI reads a ``Form`` field given twice as its last value, so
  ``person=a&person=b`` on ``/persons/forget`` erased ``b`` and two ``file`` parts on
  ``/imports`` imported the second. A write must not guess which one the client meant; the
  SPARQL protocol's ``query`` and ``update`` are held to the same rule in
  ``api.routes.sparql``.

>>> urlencoded(b"query=caf%C3%A9+%2B&query=\\xc3\\xa9", None)
[('query', 'café +'), ('query', 'é')]
"""

from __future__ import annotations

import codecs
from collections.abc import Awaitable, Callable
from urllib.parse import unquote_to_bytes, urlencode

from fastapi import Request, Response
from fastapi.routing import APIRoute

from api.errors import BadRequest


def urlencoded(body: bytes, charset: str | None,
               kind: str = "form field") -> list[tuple[str, str]]:
    """The (name, value) fields of a form-encoded ``body`` in ``charset`` (None: UTF-8);
    ``BadRequest`` naming the field whose bytes are not of that charset. A URL's query string
    reads the same (``kind="parameter"``, ``api.middleware.RequestEncodings``)."""
    try:
        encoding = codecs.lookup(charset or "utf-8").name
    except LookupError:
        raise BadRequest(f"unknown charset {charset!r} in Content-Type") from None
    fields = []
    for part in body.split(b"&"):
        if part:
            name, _, value = part.partition(b"=")
            key = _decoded(name, encoding, kind, None)
            fields.append((key, _decoded(value, encoding, kind, key)))
    return fields


def charset_of(content_type: str) -> str | None:
    """The ``charset`` parameter of a ``Content-Type``, if any.

    >>> charset_of('application/x-www-form-urlencoded; Charset="ISO-8859-1"')
    'ISO-8859-1'
    """
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or None
    return None


def _decoded(raw: bytes, encoding: str, kind: str, field: str | None) -> str:
    data = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        what = f"a {kind}'s name" if field is None else f"the {kind} {field!r}"
        shown = "UTF-8" if encoding == "utf-8" else encoding
        raise BadRequest(f"{what} is not {shown} (byte {error.start} of its value, "
                         "once its %-escapes are decoded): send the text in UTF-8") from None


class Utf8FormRoute(APIRoute):
    """A route whose form-encoded body is read by ``urlencoded`` (UTF-8, or the ``charset`` its
    ``Content-Type`` names; a 400 naming a field that is not) and handed to FastAPI as pure
    ASCII escapes, which Starlette's own reading (raw bytes as Latin-1) then reads right."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            media_type = request.headers.get("content-type", "").split(";")[0]
            if media_type.strip().lower() == "application/x-www-form-urlencoded":
                fields = urlencoded(await request.body(),
                                    charset_of(request.headers["content-type"]))
                request._body = urlencode(fields).encode("ascii")   # read by FastAPI next
            return await handler(request)

        return route


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

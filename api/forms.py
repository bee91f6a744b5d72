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
- ``language_of``, ``page_language``: the ``lang`` parameter, read case-insensitively and
  looked up as RFC 4647 says (``fr-CA`` is ``fr``); ``site_language``: an API's ``lang``;
  ``given_once_each``, ``page_number``: the catalogue's URL parameters; ``unknown_value``:
  the 400 for a value that names nothing the data has (the closest known one, and all).

>>> urlencoded(b"query=caf%C3%A9+%2B&query=\\xc3\\xa9", None)
[('query', 'café +'), ('query', 'é')]
"""

from __future__ import annotations

import codecs
import difflib
import re
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import unquote_to_bytes, urlencode

from fastapi import Request, Response
from fastapi.routing import APIRoute

from api.errors import BadRequest
from api.templating import LANGUAGES, language_of, preferred_language
from graph.errors import ParameterError


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


def page_language(request: Request) -> str:
    """A page's language: ``?lang=`` looked up (``language_of``: ``FR`` and ``fr-CA`` give
    ``fr``), else ``Accept-Language``, else the default (``api.templating``): an unknown
    ``lang`` is no error on a page."""
    return language_of(request.query_params.get("lang") or "", LANGUAGES) or \
        preferred_language(request)


def unknown_value(parameter: str, value: str, known: Sequence[str], what: str,
                  ) -> ParameterError:
    """The 400 for a ``parameter`` whose ``value`` names no ``what`` the data has: it names
    the value, the closest of ``known`` and (up to 40 of) them all; a value naming nothing
    gives an empty or wrong answer otherwise (``wave1=yes`` listed every tool as adopted).

    >>> unknown_value("field", "healt", ["education", "health"], "field").problem
    "'healt' names no field of the data; did you mean 'health'? (one of: education, health)"
    """
    shown = value if len(value) <= 200 else value[:200] + "…"
    problem = f"{shown!r} names no {what} of the data"
    close = difflib.get_close_matches(value.lower(), known, n=1, cutoff=0.6)
    if close:
        problem += f"; did you mean {close[0]!r}?"
    if known:
        listed = ", ".join(known[:40]) + (f", … ({len(known)} in all)" if len(known) > 40 else "")
        problem += f" (one of: {listed})"
    return ParameterError(parameter, problem)


def site_language(asked: str, page: str | None) -> str:
    """The site's language a ``lang=asked`` parameter names (``language_of``: ``FR`` and
    ``fr-CA`` are ``fr``); one the site has not is ``page``'s language on a page, and a 400
    naming the site's for the API (None: the labels of an answer would mix languages)."""
    found = language_of(asked, LANGUAGES) or page
    if found is None:
        raise ParameterError("lang", f"{asked[:40]!r} is not a language of the site: "
                             f"{', '.join(LANGUAGES)} (fr-CA is looked up as fr, RFC 4647)")
    return found


def given_once_each(request: Request, reserved: frozenset[str]) -> dict[str, str]:
    """The URL's parameters but ``reserved`` ones, each given once (a 400 naming one given
    twice); an empty one is not given (an empty field of a page's form)."""
    values: dict[str, str] = {}
    seen: set[str] = set()
    for key, value in request.query_params.multi_items():
        if key in seen:
            raise ParameterError(key, "give it once")
        seen.add(key)
        if key not in reserved and value:
            values[key] = value
    return values


def page_number(request: Request, html: bool) -> int:
    """The page of an HTML table asked (``page``, from 1); the other formats have no pages."""
    asked = request.query_params.getlist("page")
    if not asked:
        return 1
    if not html:
        raise ParameterError("page", "only the HTML table has pages (format=html, or Accept: "
                             "text/html); the other formats give every row")
    if len(asked) > 1:
        raise ParameterError("page", "give it once")
    # ASCII digits, few of them, before int(): it takes '٣' and refuses '²' or 5,000 digits
    if not re.fullmatch(r"[0-9]{1,9}", asked[0]) or int(asked[0]) < 1:
        raise ParameterError("page", f"a page number from 1, of at most 9 digits, not "
                             f"{asked[0][:40]!r}")
    return int(asked[0])

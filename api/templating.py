"""HTML rendering: one Jinja2 environment, autoescaped, with the reader's language.

Every page extends ``base.html``. Text from the data is always escaped by Jinja2's
autoescape; nothing marks data as safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "en"

environment = Environment(
    loader=PackageLoader("api", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def in_language(request: Request, lang: str) -> str:
    """The URL of the page ``request`` asked for, in ``lang``: the same path and every
    parameter of its query (repeated ones too, in their order), ``lang`` set.

    The fragment never reaches the server; the language switch's script adds it back.
    """
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*kept, ('lang', lang)])}"


environment.globals["in_language"] = in_language


def language_of(tag: str, available: Sequence[str]) -> str | None:
    """The language of ``available`` that the language tag ``tag`` asks, as RFC 4647's
    lookup finds it (3.4): tags are read case-insensitively (RFC 5646 2.1.1), and a subtag
    is dropped from the end (with a singleton before it) until one matches; None if none.

    >>> language_of("FR", ("fr", "en")), language_of("fr-CA", ("fr", "en"))
    ('fr', 'fr')
    >>> language_of("en-x-old", ("fr", "en")), language_of("xx", ("fr", "en"))
    ('en', None)
    """
    subtags = tag.strip().lower().split("-")
    while subtags:
        if "-".join(subtags) in available:
            return "-".join(subtags)
        subtags.pop()
        if len(subtags) > 1 and len(subtags[-1]) == 1:
            subtags.pop()
    return None


def preferred_language(request: Request, available: Sequence[str] = LANGUAGES) -> str:
    """The reader's language: ``?lang=`` first (``language_of``: ``FR``, ``fr-CA`` ask
    French), then ``Accept-Language`` (by q-value)."""
    asked = request.query_params.get("lang")
    found = language_of(asked, available) if asked is not None else None
    if found is not None:
        return found
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, position, tag.strip().lower().split("-")[0]))
    for _, _, tag in sorted(ranked):
        if tag in available:
            return tag
    return DEFAULT_LANGUAGE


def render(request: Request, template: str, context: Mapping[str, Any],
           *, status_code: int = 200, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """Render ``template`` with ``context`` plus ``request``, ``lang`` and ``settings``."""
    lang = context.get("lang") or preferred_language(request)
    full = {"request": request, "lang": lang, "settings": request.app.state.settings, **context}
    html = environment.get_template(template).render(full)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers.setdefault("Content-Language", lang)
    response.headers.setdefault("Vary", "Accept, Accept-Language")
    return response

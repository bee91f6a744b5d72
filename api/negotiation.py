"""Content negotiation: the offer a request's ``Accept`` prefers, or 406.

The preference itself is ``api.accept.choose`` (RFC 9110 §12.5.1). When nothing is
acceptable the route answers 406 — never a silent fallback.

>>> choose("image/png", ["text/turtle"]) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request

from api.accept import choose, joined
from api.errors import NotAcceptable

__all__ = ["choose", "negotiate"]


def negotiate(request: Request, offers: Sequence[str]) -> str:
    """The offer the request's ``Accept`` prefers; ``NotAcceptable`` (406) if none."""
    chosen = choose(joined(request.headers.getlist("accept")), offers)
    if chosen is None:
        raise NotAcceptable(list(dict.fromkeys(offers)))
    return chosen

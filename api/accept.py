"""The ``Accept`` header (RFC 9110 §12.5.1): its media ranges, and the offer it prefers.

Each offer takes the quality of the most specific media range that matches it
(``text/turtle`` before ``text/*`` before ``*/*``); the offer with the highest quality wins,
ties going to the server's order. Quality 0 means "not this". A missing or empty ``Accept``
accepts anything.

>>> choose("text/turtle;q=0.5, application/ld+json", ["text/turtle", "application/ld+json"])
'application/ld+json'
>>> choose("text/*;q=0.9, */*;q=0.1", ["application/ld+json", "text/turtle"])
'text/turtle'
>>> choose("image/png", ["text/turtle"]) is None
True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        kind, _, subtype = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", subtype)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of ``header``; malformed elements are skipped."""
    return list(_parsed(header))


@functools.lru_cache(maxsize=256)
def _parsed(header: str | None) -> tuple[MediaRange, ...]:
    # clients send the same few headers again and again: each is read once
    ranges = []
    for part in (header or "").split(","):
        media, *params = part.strip().split(";")
        kind, slash, subtype = media.strip().lower().partition("/")
        if not slash or not kind or not subtype:
            continue
        ranges.append(MediaRange(kind, subtype, _weight(params)))
    return tuple(ranges)


#: a weight as written: ASCII digits and one point (``float`` also reads ``inf``, ``1e-9``,
#: ``1_0`` and other scripts' digits, which no qvalue is)
_NUMBER = re.compile(r"[0-9]+\.?[0-9]*|\.[0-9]+")


def _weight(params: Sequence[str]) -> float:
    """The ``q`` of an element's parameters (1 without one; 0 for one that is no number)."""
    q = 1.0
    for param in params:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            value = value.strip()
            q = min(float(value), 1.0) if _NUMBER.fullmatch(value) else 0.0
    return q


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality ``ranges`` give ``media_type`` (its most specific matching range)."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    return max(matching, key=lambda r: r.specificity).q


def choose(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer ``header`` prefers, or None if it accepts none of them."""
    ranges = _parsed(header)
    if not ranges:
        return offers[0] if offers else None
    best: tuple[float, str] | None = None
    for offer in offers:
        q = quality(ranges, offer)
        if q > 0 and (best is None or q > best[0]):
            best = (q, offer)
    return best[1] if best else None


def joined(lines: Sequence[str]) -> str | None:
    """A header field sent on several lines as the one list they make (RFC 9110 §5.3: a
    proxy, or a client adding to its defaults, may send ``Accept`` twice); None for no line.

    >>> joined(["identity", "gzip"]), joined([])
    ('identity, gzip', None)
    """
    return ", ".join(lines) if lines else None


@functools.lru_cache(maxsize=64)
def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header (RFC 9110 §12.5.3) takes a gzip-coded body: its
    ``gzip`` elements, else its ``x-gzip`` ones (the body is labelled ``gzip``), else its
    ``*``, with a quality above 0 (an element refusing it wins: identity is read by every
    client). Without the header nothing is assumed (the client may not decode it).

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("br;q=1, *;q=0.5")
    (True, True)
    >>> accepts_gzip("gzip;q=0, *"), accepts_gzip("identity"), accepts_gzip(None)
    (False, False, False)
    """
    found: dict[str, float] = {}
    for part in (header or "").split(","):
        coding, *params = part.strip().split(";")
        coding = coding.strip().lower()
        found[coding] = min(found.get(coding, 1.0), _weight(params))
    for coding in ("gzip", "x-gzip", "*"):
        if coding in found:
            return found[coding] > 0
    return False

"""The filters every projection accepts, and their round trip to a URL query string.

A filter value is a concept IRI (field, practice, tool category, organisation kind), a wave
IRI, a commune's département code, a date or a number. In a URL, concepts and waves are
written by their slug (``field=health``) so that a shared link stays short and readable.

>>> f = Filters.from_query({"field": ["health"], "min_weight": ["2"]})
>>> f.fields, f.min_weight
(('https://w3id.org/civicgraph/id/field/health',), 2.0)
>>> f.to_query()
[('field', 'health'), ('min_weight', '2')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from graph.errors import ParameterError
from graph.namespaces import DEFAULT_BASE

#: URL parameter -> (attribute, kind of the IRI slug or None for a plain string)
_LIST_PARAMETERS: dict[str, tuple[str, str | None]] = {
    "field": ("fields", "field"),
    "practice": ("practices", "practice"),
    "category": ("categories", "tool-category"),
    "kind": ("kinds", "org-kind"),
    "wave": ("waves", "wave"),
    "status": ("statuses", "status"),
    "dep": ("departements", None),
    "community": ("communities", None),
}


@dataclass(frozen=True)
class Filters:
    """What a map shows. Empty tuples mean "no restriction"; concepts include their
    narrower concepts (``field=health`` keeps organisations working on patients' rights)."""

    fields: tuple[str, ...] = ()        # org:purpose
    practices: tuple[str, ...] = ()     # cg:practice of the usage
    categories: tuple[str, ...] = ()    # cg:category of the software
    kinds: tuple[str, ...] = ()         # org:classification
    waves: tuple[str, ...] = ()         # cg:wave of the observation activity
    statuses: tuple[str, ...] = ()      # cg:status of the usage
    departements: tuple[str, ...] = ()  # cg:departement of the organisation's commune
    communities: tuple[str, ...] = ()   # community number in the stored metrics
    since: dt.date | None = None        # usages observed on or after this day
    until: dt.date | None = None        # usages observed on or before this day
    min_weight: float = 1.0             # edges lighter than this are dropped
    base: str = field(default=DEFAULT_BASE, compare=False, repr=False)

    @classmethod
    def from_query(cls, params: Mapping[str, Sequence[str]] | Iterable[tuple[str, str]],
                   base: str = DEFAULT_BASE) -> Filters:
        """Filters from URL parameters (a multi-dict or pairs); unknown keys are ignored.
        Raises ``ParameterError`` for a malformed slug, date or number."""
        pairs = _pairs(params)
        values: dict[str, Any] = {"base": base}
        for key, (attribute, kind) in _LIST_PARAMETERS.items():
            found: list[str] = []
            for name, value in pairs:
                if name != key:
                    continue
                for part in value.split(","):
                    part = part.strip()
                    if part:
                        found.append(_iri(key, kind, part, base))
            values[attribute] = tuple(dict.fromkeys(found))
        for key, attribute in (("from", "since"), ("to", "until")):
            raw = _last(pairs, key)
            if raw:
                try:
                    values[attribute] = dt.date.fromisoformat(raw)
                except ValueError:
                    raise ParameterError(key, f"not a date (YYYY-MM-DD): {raw!r}") from None
        raw = _last(pairs, "min_weight")
        if raw:
            try:
                values["min_weight"] = float(raw)
            except ValueError:
                raise ParameterError("min_weight", f"not a number: {raw!r}") from None
            if values["min_weight"] < 0:
                raise ParameterError("min_weight", "must not be negative")
        return cls(**values)

    def to_query(self) -> list[tuple[str, str]]:
        """The URL parameters that give back these filters (slugs, sorted keys' order fixed)."""
        out: list[tuple[str, str]] = []
        for key, (attribute, kind) in _LIST_PARAMETERS.items():
            for value in getattr(self, attribute):
                out.append((key, _slug(value, kind, self.base)))
        if self.since:
            out.append(("from", self.since.isoformat()))
        if self.until:
            out.append(("to", self.until.isoformat()))
        if self.min_weight != 1.0:
            out.append(("min_weight", f"{self.min_weight:g}"))
        return out

    def is_empty(self) -> bool:
        """Whether these filters keep everything (``min_weight`` at its default)."""
        return self == Filters(base=self.base)

    def with_(self, **changes: Any) -> Filters:
        """A copy with some attributes changed."""
        return replace(self, **changes)

    def key(self) -> tuple[Any, ...]:
        """A hashable summary, for caches."""
        return tuple(getattr(self, f.name) for f in fields(self) if f.compare)


def _pairs(params: Mapping[str, Sequence[str]] | Iterable[tuple[str, str]]
           ) -> list[tuple[str, str]]:
    if isinstance(params, Mapping):
        out: list[tuple[str, str]] = []
        for key, value in params.items():
            if isinstance(value, str):
                out.append((key, value))
            else:
                out.extend((key, v) for v in value)
        return out
    return [(str(k), str(v)) for k, v in params]


def _last(pairs: list[tuple[str, str]], key: str) -> str | None:
    found = [v.strip() for k, v in pairs if k == key and v.strip()]
    return found[-1] if found else None


def _iri(key: str, kind: str | None, value: str, base: str) -> str:
    if kind is None:
        if not value.replace("-", "").isalnum() or len(value) > 40:
            raise ParameterError(key, f"not a code: {value!r}")
        return value
    prefix = f"{base}id/{kind}/"
    slug = value[len(prefix):] if value.startswith(prefix) else value
    if not slug or not all(c.isascii() and (c.isalnum() or c == "-") for c in slug):
        raise ParameterError(key, f"not a slug: {value!r}")
    return prefix + slug.lower()


def _slug(value: str, kind: str | None, base: str) -> str:
    if kind is None:
        return value
    prefix = f"{base}id/{kind}/"
    return value[len(prefix):] if value.startswith(prefix) else value

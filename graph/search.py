"""Search over labels and descriptions: organisations, tools, practices and the rest.

Matching ignores case and accents (``ecole`` finds « École »: each letter of the text becomes
a class of its accented forms in the regular expression), and ranks a whole-label match
first, then a label that starts with the text, then a label that contains it, then a
description that does. The text reaches the query as an escaped literal, never as syntax.

>>> accent_pattern("Ecole")
'[eéèêë][cç][oôöò][lł][eéèêë]'
>>> accent_pattern("a.b")
'[aàâäáã]\\\\.[bḃ]'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pyoxigraph as ox

from graph.describe import best_label, labels_of
from graph.errors import ParameterError
from graph.namespaces import CG, DCTERMS, ID, ORG, RDFS, SCHEMA, SKOS
from graph.store import Store

#: Kinds of resource, with the classes (and for concepts the scheme) that make them.
KINDS: Final[dict[str, tuple[str, ...]]] = {
    "organisation": (ORG + "Organization", ORG + "FormalOrganization",
                     ORG + "OrganizationalCollaboration", ORG + "OrganizationalUnit"),
    "tool": (SCHEMA + "SoftwareApplication", CG + "HostedInstance", CG + "SharedSpace"),
    "practice": (SKOS + "Concept",),
    "concept": (SKOS + "Concept",),
    "event": (SCHEMA + "Event", CG + "Seminar", CG + "PublicDay", CG + "Workshop"),
    "project": (CG + "CoDesignProject",),
    "need": (CG + "Need",),
    "resource": (SCHEMA + "CreativeWork",),
}
PRACTICE_SCHEME: Final = ID + "scheme/practice"
LABELS: Final = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SCHEMA + "name")
DESCRIPTIONS: Final = (DCTERMS + "description", SKOS + "definition")
MIN_LENGTH: Final = 2
MAX_LENGTH: Final = 100
MAX_RESULTS: Final = 100

_ACCENTS: Final = {
    "a": "aàâäáã", "c": "cç", "e": "eéèêë", "i": "iîïíì", "o": "oôöò", "u": "uùûüú",
    "y": "yÿ", "n": "nñ", "l": "lł", "b": "bḃ", "oe": "œ", "ae": "æ",
}


def accent_pattern(text: str) -> str:
    """A regular expression matching ``text`` whatever its accents (use with flag ``i``)."""
    out = []
    for char in text.lower():
        base = next((k for k, forms in _ACCENTS.items() if len(k) == 1 and char in forms),
                    None)
        out.append(f"[{_ACCENTS[base]}]" if base else re.escape(char))
    return "".join(out)


@dataclass(frozen=True)
class Hit:
    """One resource found: what it is, how it is named, and where the text matched."""

    iri: str
    kind: str
    label: str
    description: str | None
    matched: str  # "label" or "description"
    rank: int


def _kind_of(types: set[str], schemes: set[str]) -> str | None:
    for kind, classes in KINDS.items():
        if kind == "concept":
            continue
        if types & set(classes):
            if kind == "practice" and PRACTICE_SCHEME not in schemes:
                continue
            return kind
    return "concept" if SKOS + "Concept" in types else None


def search(store: Store, text: str, *, kinds: Sequence[str] = (), lang: str = "en",
           limit: int = 20) -> list[Hit]:
    """Resources whose label or description holds ``text``, best matches first."""
    wanted = text.strip()
    if not MIN_LENGTH <= len(wanted) <= MAX_LENGTH:
        raise ParameterError("q", f"give between {MIN_LENGTH} and {MAX_LENGTH} characters")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ParameterError("kind", f"{unknown[0]!r} is not one of {', '.join(KINDS)}")
    if not 1 <= limit <= MAX_RESULTS:
        raise ParameterError("limit", f"between 1 and {MAX_RESULTS}")
    selected = kinds or [k for k in KINDS if k != "concept"]
    classes = sorted({c for k in selected for c in KINDS[k]})
    pattern = accent_pattern(wanted)
    literal = {name: str(ox.Literal(value)) for name, value in (
        ("exact", f"^{pattern}$"), ("start", f"^{pattern}"), ("any", pattern))}
    result = store.query(f"""
        SELECT ?s ?type ?scheme ?rank WHERE {{
          VALUES ?type {{ {" ".join(f"<{c}>" for c in classes)} }}
          ?s a ?type .
          {{
            VALUES ?p {{ {" ".join(f"<{p}>" for p in LABELS)} }}
            ?s ?p ?text .
            FILTER(REGEX(STR(?text), {literal["any"]}, "i"))
            BIND(IF(REGEX(STR(?text), {literal["exact"]}, "i"), 0,
                 IF(REGEX(STR(?text), {literal["start"]}, "i"), 1, 2)) AS ?rank)
          }} UNION {{
            VALUES ?p {{ {" ".join(f"<{p}>" for p in DESCRIPTIONS)} }}
            ?s ?p ?text .
            FILTER(REGEX(STR(?text), {literal["any"]}, "i"))
            BIND(3 AS ?rank)
          }}
          OPTIONAL {{ ?s <{SKOS}inScheme> ?scheme }}
          FILTER(isIRI(?s))
        }} ORDER BY ?rank ?s LIMIT {int(limit) * 20}""")
    assert isinstance(result, ox.QuerySolutions)
    found: dict[str, tuple[int, set[str], set[str]]] = {}
    for row in result:
        iri = row["s"].value
        rank, types, schemes = found.get(iri, (99, set(), set()))
        types.add(row["type"].value)
        if row["scheme"] is not None:
            schemes.add(row["scheme"].value)
        found[iri] = (min(rank, int(row["rank"].value)), types, schemes)
    ranked = []
    for iri, (rank, types, schemes) in found.items():
        kind = _kind_of(types, schemes)
        if kind is not None and (not kinds or kind in kinds):
            ranked.append((rank, iri, kind))
    ranked.sort()
    ranked = ranked[:limit]
    labels = labels_of(store, [iri for _, iri, _ in ranked])
    descriptions = _descriptions(store, [iri for _, iri, _ in ranked])
    return [Hit(iri, kind, best_label(labels.get(iri, {}), lang) or iri.rsplit("/", 1)[-1],
                best_label(descriptions.get(iri, {}), lang),
                "description" if rank == 3 else "label", rank)
            for rank, iri, kind in ranked]


def _descriptions(store: Store, iris: Sequence[str]) -> dict[str, dict[str, str]]:
    if not iris:
        return {}
    values = " ".join(str(ox.NamedNode(i)) for i in iris)
    result = store.query(
        f"SELECT ?s ?text WHERE {{ VALUES ?s {{ {values} }} "
        f"VALUES ?p {{ {' '.join(f'<{p}>' for p in DESCRIPTIONS)} }} ?s ?p ?text }}")
    assert isinstance(result, ox.QuerySolutions)
    found: dict[str, dict[str, str]] = {}
    for row in result:
        text = row["text"]
        if isinstance(text, ox.Literal):
            found.setdefault(row["s"].value, {}).setdefault(
                (text.language or "").split("-")[0], text.value)
    return found

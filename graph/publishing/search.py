"""Search over labels and descriptions: organisations, tools, practices and the rest.

Matching is by words and prefixes, ignoring case and accents (``ecole`` finds « École »,
``framad`` Framadate, ``sante ville`` « Réseau Santé-Ville »): every word of the text must
start a word of the same label or description. Ranks: 0 a whole label, 1 a label that starts
with the text, 2 a label whose words the text's words start, 3 a description, 4 a related
name (for a software, the practices it is used for: ``vote`` finds Loomio); ties by IRI.
Labels include alternative names (``skos:altLabel``, ``schema:alternateName``).

Two ways, the same answers. With a ``LabelIndex`` (the server keeps one per reader scope and
builds it again after a write: ``graph.engine.lookups``), the labels and descriptions of every
searchable resource are held in memory, case-folded and without accents (``normalise``), and a
search is a substring scan of them: a few milliseconds at 10^6 triples, where the query below
scans every label with a regular expression (0.6 s alone, 3 s under load). Without one (a
remote store, which others may write), one SPARQL query does it: each letter of the text
becomes a class of its accented forms in the regular expression, and the text reaches the
query as an escaped literal, never as syntax.

>>> accent_pattern("Ecole")
'[eéèêë][cç][oôöò][lł][eéèêë]'
>>> accent_pattern("a.b")
'[aàâäáã]\\\\.[bḃ]'
>>> normalise("Réseau Santé-Ville ÎLE")
'reseau sante-ville ile'
>>> words_of("Réseau Santé-Ville")
('reseau', 'sante', 'ville')
>>> starts_words(("sant", "vil"), words_of("Réseau Santé-Ville"))
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, field
from typing import Final

import pyoxigraph as ox

from graph.errors import ParameterError
from graph.namespaces import CG, DCTERMS, ID, ORG, RDFS, SCHEMA, SKOS
from graph.publishing.describe import best_label, labels_of
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
LABELS: Final = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SCHEMA + "name",
                  SCHEMA + "alternateName")
DESCRIPTIONS: Final = (DCTERMS + "description", SKOS + "definition")
MIN_LENGTH: Final = 2
MAX_LENGTH: Final = 100
MAX_RESULTS: Final = 100

_ACCENTS: Final = {
    "a": "aàâäáã", "c": "cç", "e": "eéèêë", "i": "iîïíì", "o": "oôöò", "u": "uùûüú",
    "y": "yÿ", "n": "nñ", "l": "lł", "b": "bḃ", "oe": "œ", "ae": "æ",
}


class _Unaccented(dict[int, str]):
    """Character -> itself without accents (its compatibility decomposition without the
    combining marks), worked out once per character: ``str.translate`` then runs in C."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code))
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
        self[code] = plain
        return plain


#: with the letters that decomposition leaves as they are
_UNACCENTED: Final = _Unaccented({ord("ł"): "l", ord("ø"): "o", ord("œ"): "oe",
                                  ord("æ"): "ae", ord("đ"): "d"})


def normalise(text: str) -> str:
    """``text`` case-folded and without accents, as the index holds it and compares it."""
    return text.casefold().translate(_UNACCENTED)


_WORD: Final = re.compile(r"\w+")
#: What starts a word in a SPARQL regular expression (Oxigraph's, Unicode-aware).
_WORD_START: Final = "(^|[^\\p{L}\\p{N}_])"


def words_of(text: str) -> tuple[str, ...]:
    """The words of ``text``, normalised."""
    return tuple(_WORD.findall(normalise(text)))


def starts_words(wanted: Sequence[str], words: Sequence[str]) -> bool:
    """Whether each of ``wanted`` starts one of ``words`` (and there is one at least)."""
    return bool(wanted) and all(any(w.startswith(part) for w in words) for part in wanted)


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
    matched: str  # "label", "description" or "related"
    rank: int


#: The related names of a software: the labels of the practices it is used for (through
#: its instances and spaces too). ``{}`` takes a VALUES block restricting ``?s``.
_RELATED: Final = (f"{{}} ?s a <{SCHEMA}SoftwareApplication> . ?tool <{CG}software>? ?s . "
                   f"?usage <{CG}tool> ?tool ; <{CG}practice> ?practice . "
                   f"?practice <{SKOS}prefLabel>|<{SKOS}altLabel> ?text .")


def _kind_of(types: Set[str], schemes: Set[str]) -> str | None:
    for kind, classes in KINDS.items():
        if kind == "concept":
            continue
        if types & set(classes):
            if kind == "practice" and PRACTICE_SCHEME not in schemes:
                continue
            return kind
    return "concept" if SKOS + "Concept" in types else None


@dataclass
class LabelIndex:
    """The labels and descriptions of every searchable resource of a store, normalised.

    ``texts`` pairs each normalised text (and its words) with the number of its resource in
    ``iris`` and its source (0 a label, 1 a description, 2 a related name); ``types`` and
    ``schemes`` give each resource's classes (among ``KINDS``) and concept schemes, by
    number."""

    iris: list[str] = field(default_factory=list)
    types: list[frozenset[str]] = field(default_factory=list)
    schemes: list[frozenset[str]] = field(default_factory=list)
    texts: list[tuple[str, tuple[str, ...], int, int]] = field(default_factory=list)

    @classmethod
    def build(cls, store: Store, among: Sequence[str] | None = None) -> LabelIndex:
        """The index of what ``store`` shows (of the resources ``among`` only, if given):
        two queries, types then texts."""
        classes = sorted({c for members in KINDS.values() for c in members})
        if among is None:
            typed = f"VALUES ?type {{ {' '.join(f'<{c}>' for c in classes)} }} ?s a ?type ."
        else:   # one VALUES block only: Oxigraph joins two before the pattern
            typed = (f"VALUES ?s {{ {' '.join(str(ox.NamedNode(i)) for i in among)} }} "
                     f"?s a ?type . FILTER(?type IN ({', '.join(f'<{c}>' for c in classes)}))")
        # DISTINCT here and below: a triple stated in several graphs comes once per graph
        # (Oxigraph 0.5, docs/routes.md)
        result = store.query(f"""
            SELECT DISTINCT ?s ?type ?scheme WHERE {{
              {typed} FILTER(isIRI(?s))
              OPTIONAL {{ ?s <{SKOS}inScheme> ?scheme }}
            }}""")
        assert isinstance(result, ox.QuerySolutions)
        found: dict[str, tuple[set[str], set[str]]] = {}
        for row in result:
            types, schemes = found.setdefault(row["s"].value, (set(), set()))
            types.add(row["type"].value)
            if row["scheme"] is not None:
                schemes.add(row["scheme"].value)
        index = cls()
        number: dict[str, int] = {}
        for iri in sorted(found):
            number[iri] = len(index.iris)
            index.iris.append(iri)
            index.types.append(frozenset(found[iri][0]))
            index.schemes.append(frozenset(found[iri][1]))
        for properties, source in ((LABELS, 0), (DESCRIPTIONS, 1)):
            if among is None:
                # one pattern per property (read from the predicate index, not a scan)
                union = " UNION ".join(f"{{ ?s <{p}> ?text }}" for p in properties)
                query = f"SELECT DISTINCT ?s ?text WHERE {{ {union} }}"
            elif number:
                query = (f"SELECT DISTINCT ?s ?text WHERE {{ VALUES ?s {{ "
                         f"{' '.join(str(ox.NamedNode(i)) for i in number)} }} ?s ?p ?text "
                         f"FILTER(?p IN ({', '.join(f'<{p}>' for p in properties)})) }}")
            else:
                continue
            result = store.query(query)
            assert isinstance(result, ox.QuerySolutions)
            for row in result:
                owner, text = number.get(row["s"].value), row["text"]
                if owner is not None and isinstance(text, ox.Literal):
                    index.texts.append((normalise(text.value), words_of(text.value), owner,
                                        source))
        among_values = ("" if among is None else
                        f"VALUES ?s {{ {' '.join(str(ox.NamedNode(i)) for i in number)} }}")
        if among is None or number:
            related = _RELATED.format(among_values)
            result = store.query(f"SELECT DISTINCT ?s ?text WHERE {{ {related} }}")
            assert isinstance(result, ox.QuerySolutions)
            for row in result:
                owner, text = number.get(row["s"].value), row["text"]
                if owner is not None and isinstance(text, ox.Literal):
                    index.texts.append((normalise(text.value), words_of(text.value), owner, 2))
        return index

    def ranks(self, text: str, classes: set[str]) -> dict[int, int]:
        """Resource number -> its best rank for ``text`` (see the module's docstring),
        among resources of ``classes``."""
        wanted, parts = normalise(text), words_of(text)
        best: dict[int, int] = {}
        for candidate, words, owner, source in self.texts:
            if not starts_words(parts, words) or not self.types[owner] & classes:
                continue
            rank = (0 if candidate == wanted else 1 if candidate.startswith(wanted) else 2) \
                if source == 0 else source + 2
            if rank < best.get(owner, 5):
                best[owner] = rank
        return best


def search(store: Store, text: str, *, kinds: Sequence[str] = (), lang: str = "en",
           limit: int = 20,
           index: Callable[[], tuple[LabelIndex, bool] | None] | None = None) -> list[Hit]:
    """Resources whose label or description holds ``text``, best matches first; through
    the index ``index()`` gives when it gives one, else by one query. An index that is not
    fresh (built before the last writes) only proposes: its best matches are indexed again
    from the store as it is, which decides, so that what a write removed (a withdrawn
    person) is never found; what the writes added is found once the index is built again."""
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
    given = index() if index is not None else None
    if given is not None:
        built, fresh = given
        ranked = _ranked_by_index(built, wanted, kinds, classes, limit if fresh else 4 * limit)
        if not fresh:   # the store as it is decides among what the older index proposes
            live = LabelIndex.build(store, among=[iri for _, iri, _ in ranked])
            ranked = _ranked_by_index(live, wanted, kinds, classes, limit)
    else:
        ranked = _ranked_by_query(store, wanted, kinds, classes, limit)
    ranked.sort()
    ranked = ranked[:limit]
    labels = labels_of(store, [iri for _, iri, _ in ranked])
    descriptions = _descriptions(store, [iri for _, iri, _ in ranked])
    return [Hit(iri, kind, best_label(labels.get(iri, {}), lang) or iri.rsplit("/", 1)[-1],
                best_label(descriptions.get(iri, {}), lang),
                "label" if rank < 3 else "description" if rank == 3 else "related", rank)
            for rank, iri, kind in ranked]


def _ranked_by_index(index: LabelIndex, wanted: str, kinds: Sequence[str],
                     classes: list[str], most: int) -> list[tuple[int, str, str]]:
    """(rank, IRI, kind) of the ``most`` best matches in ``index``, best first."""
    ranks, ranked = index.ranks(wanted, set(classes)), []
    # resources are numbered in the order of their IRIs: (rank, number) is the order
    for owner in sorted(ranks, key=lambda owner: (ranks[owner], owner)):
        kind = _kind_of(index.types[owner] & set(classes), index.schemes[owner])
        if kind is not None and (not kinds or kind in kinds):
            ranked.append((ranks[owner], index.iris[owner], kind))
            if len(ranked) == most:
                break
    return ranked


def _ranked_by_query(store: Store, wanted: str, kinds: Sequence[str], classes: list[str],
                     limit: int) -> list[tuple[int, str, str]]:
    """(rank, IRI, kind) of the matches, by one query with regular expressions."""
    parts = words_of(wanted)
    if not parts:
        return []
    pattern = accent_pattern(wanted)
    literal = {name: str(ox.Literal(value)) for name, value in (
        ("exact", f"^{pattern}$"), ("start", f"^{pattern}"))}
    each_word = " && ".join(
        f"REGEX(STR(?text), {ox.Literal(_WORD_START + accent_pattern(part))}, \"i\")"
        for part in parts)
    result = store.query(f"""
        SELECT ?s ?type ?scheme ?rank WHERE {{
          VALUES ?type {{ {" ".join(f"<{c}>" for c in classes)} }}
          ?s a ?type .
          {{
            VALUES ?p {{ {" ".join(f"<{p}>" for p in LABELS)} }}
            ?s ?p ?text .
            FILTER({each_word})
            BIND(IF(REGEX(STR(?text), {literal["exact"]}, "i"), 0,
                 IF(REGEX(STR(?text), {literal["start"]}, "i"), 1, 2)) AS ?rank)
          }} UNION {{
            VALUES ?p {{ {" ".join(f"<{p}>" for p in DESCRIPTIONS)} }}
            ?s ?p ?text .
            FILTER({each_word})
            BIND(3 AS ?rank)
          }} UNION {{
            {_RELATED.format("")}
            FILTER({each_word})
            BIND(4 AS ?rank)
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
    return ranked


def _descriptions(store: Store, iris: Sequence[str]) -> dict[str, dict[str, str]]:
    if not iris:
        return {}
    values = " ".join(str(ox.NamedNode(i)) for i in iris)
    result = store.query(
        f"SELECT ?s ?text WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?text "
        f"FILTER(?p IN ({', '.join(f'<{p}>' for p in DESCRIPTIONS)})) }}")
    assert isinstance(result, ox.QuerySolutions)
    found: dict[str, dict[str, str]] = {}
    for row in result:
        text = row["text"]
        if isinstance(text, ox.Literal):
            found.setdefault(row["s"].value, {}).setdefault(
                (text.language or "").split("-")[0], text.value)
    return found

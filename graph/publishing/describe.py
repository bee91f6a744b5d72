"""What the page of one resource shows: its properties with linked values, the links that
point at it (paged), where its data comes from (the named graphs, and for each fact the
graphs that state it), and labels in the reader's language.

Every query runs on a store view, so a reader sees only the graphs it may read; a resource
that does not appear there does not exist for that reader (``NotFound``).

Labels are chosen per language: the reader's language, else the other of French and English,
else a label without a language tag, else any; a resource with none is shown by the end of
its IRI.

>>> best_label({"fr": "Outil", "en": "Tool"}, "en")
'Tool'
>>> best_label({"": "Paris"}, "fr")
'Paris'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

import pyoxigraph as ox

from graph.errors import NotFound
from graph.namespaces import (
    CG,
    DCTERMS,
    FOAF,
    META_GRAPH,
    ORG,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
)
from graph.store import Store

#: Properties that name a resource, the preferred first.
LABEL_PROPERTIES: Final = (SKOS + "prefLabel", RDFS + "label", SCHEMA + "name",
                           FOAF + "name", DCTERMS + "title")
#: Properties that describe a resource in a sentence or more.
DESCRIPTION_PROPERTIES: Final = (DCTERMS + "description", SKOS + "definition",
                                 RDFS + "comment")
#: Incoming links shown per page.
PAGE_SIZE: Final = 50
#: Most links of one predicate into a resource that are read whole and sorted to be paged;
#: past it, a page reads only its own links, in the store's order (stable while the data does
#: not change). Reading 9,000 links takes 0.05 s alone but 0.4-0.5 s when other threads of
#: the server want the GIL (each row hands it over); one page of them, a few milliseconds.
SORT_LIMIT: Final = 1_000

_FALLBACK: Final = {"fr": ("en",), "en": ("fr",)}

#: Names of links read backwards (on the page of their object), by language: the usages
#: pointing at an organisation are "its usages", not "organisation". Others read
#: "is LABEL of".
INVERSE_LABELS: Final[dict[str, dict[str, str]]] = {
    CG + "tool": {"en": "used by", "fr": "utilisé par"},
    CG + "organisation": {"en": "its tool usages", "fr": "ses usages d'outils"},
    CG + "software": {"en": "instances and spaces", "fr": "instances et espaces"},
    CG + "practice": {"en": "usages for this practice", "fr": "usages pour cette pratique"},
    CG + "status": {"en": "usages with this status", "fr": "usages avec ce statut"},
    CG + "effect": {"en": "observed in", "fr": "constaté dans"},
    CG + "sharedBy": {"en": "shares", "fr": "partage"},
    CG + "expressedBy": {"en": "expressed", "fr": "a exprimé"},
    CG + "reportedBy": {"en": "reported", "fr": "a rapporté"},
    CG + "involves": {"en": "takes part in", "fr": "participe à"},
    CG + "concernsTool": {"en": "experiences about it", "fr": "retours d'expérience à son sujet"},
    CG + "concernsPractice": {"en": "needs and experiences about it",
                              "fr": "besoins et retours à son sujet"},
    CG + "onUsage": {"en": "effects observed", "fr": "effets observés"},
    SCHEMA + "provider": {"en": "provides", "fr": "fournit"},
    ORG + "memberOf": {"en": "has member", "fr": "a pour membre"},
    ORG + "subOrganizationOf": {"en": "has sub-organisation", "fr": "a pour sous-organisation"},
    SKOS + "broader": {"en": "narrower", "fr": "plus spécifique"},
}


def inverse_label(predicate: str, label: str, lang: str) -> str:
    """The name of the link ``predicate`` (whose label is ``label``) read backwards.

    >>> inverse_label("https://w3id.org/civicgraph/ns#tool", "tool", "fr")
    'utilisé par'
    >>> inverse_label("https://example.org/p", "cites", "en")
    'is « cites » of'
    """
    named = INVERSE_LABELS.get(predicate, {})
    if lang in named:
        return named[lang]
    return f"est « {label} » de" if lang == "fr" else f"is « {label} » of"


def best_label(labels: Mapping[str, str], lang: str) -> str | None:
    """The label for ``lang`` among ``labels`` (language tag -> text, ``""`` for none)."""
    for tag in (lang, *_FALLBACK.get(lang, ("en", "fr")), ""):
        if tag in labels:
            return labels[tag]
    return next(iter(labels.values()), None)


def short_name(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``iri`` as a prefixed name when a prefix fits, else the IRI.

    >>> short_name("http://www.w3.org/2000/01/rdf-schema#label")
    'rdfs:label'
    """
    best = ""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, name = namespace, prefix
    return f"{name}:{iri[len(best):]}" if best else iri


def labels_of(store: Store, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """Every label of each of ``iris``, by language tag (``""`` for none)."""
    wanted = sorted(set(iris))
    found: dict[str, dict[str, str]] = {}
    # the properties in a FILTER, not a second VALUES block: Oxigraph joins two VALUES
    # blocks before the pattern (0.66 s for 60 IRIs at 10^6 triples, against 7 ms)
    properties = ", ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    for start in range(0, len(wanted), 400):
        values = " ".join(str(ox.NamedNode(i)) for i in wanted[start:start + 400])
        result = store.query(
            f"SELECT ?s ?p ?label WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?label . "
            f"FILTER(?p IN ({properties}) && isLiteral(?label)) }}")
        assert isinstance(result, ox.QuerySolutions)
        rank = {p: n for n, p in enumerate(LABEL_PROPERTIES)}
        chosen: dict[tuple[str, str], int] = {}
        for row in result:
            subject, prop, label = row["s"].value, row["p"].value, row["label"]
            assert isinstance(label, ox.Literal)
            tag = (label.language or "").lower().split("-")[0]
            key = (subject, tag)
            if key not in chosen or rank[prop] < chosen[key]:
                chosen[key] = rank[prop]
                found.setdefault(subject, {})[tag] = label.value
    return found


@dataclass(frozen=True)
class Value:
    """One value of a property: an IRI (with its label), a blank node or a literal."""

    term: ox.NamedNode | ox.BlankNode | ox.Literal
    label: str | None = None
    #: the named graphs that state this fact (its provenance)
    graphs: tuple[str, ...] = ()

    @property
    def is_iri(self) -> bool:
        return isinstance(self.term, ox.NamedNode)

    @property
    def text(self) -> str:
        """What a reader sees: the label of an IRI, else its short name, else the value."""
        if isinstance(self.term, ox.NamedNode):
            return self.label or short_name(self.term.value)
        if isinstance(self.term, ox.BlankNode):
            return f"_:{self.term.value}"
        return self.term.value

    @property
    def language(self) -> str | None:
        return self.term.language if isinstance(self.term, ox.Literal) else None

    @property
    def datatype(self) -> str | None:
        if isinstance(self.term, ox.Literal) and self.term.language is None:
            name = short_name(self.term.datatype.value)
            return None if name == "xsd:string" else name
        return None


@dataclass(frozen=True)
class Property:
    """A property of the resource (or pointing at it) and its values."""

    iri: str
    label: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Source:
    """A named graph that holds data about the resource, and what the meta graph says of it."""

    graph: str
    title: str | None = None
    source: str | None = None
    generated: str | None = None
    licence: str | None = None


@dataclass
class Description:
    """Everything the page of a resource shows."""

    iri: str
    lang: str
    label: str
    description: str | None
    types: tuple[Value, ...]
    properties: tuple[Property, ...]
    incoming: tuple[Property, ...]
    incoming_total: int
    page: int
    page_size: int
    sources: tuple[Source, ...]
    triples: list[ox.Triple] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.incoming_total // self.page_size))

    @property
    def source_numbers(self) -> dict[str, int]:
        """Graph IRI -> its number in the list of sources (from 1), for the facts' notes."""
        return {source.graph: n for n, source in enumerate(self.sources, 1)}


def resource_triples(store: Store, iri: str) -> list[ox.Triple]:
    """The triples that describe ``iri`` (its concise bounded description), each once."""
    result = store.query(f"DESCRIBE {ox.NamedNode(iri)}")
    assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
    # an RDF graph is a set: Oxigraph 0.5 yields a triple once per graph that states it
    # (docs/routes.md, "A triple stated in several graphs")
    return list(dict.fromkeys(result))


def document(store: Store, iri: str) -> list[ox.Triple]:
    """The triples of ``iri``'s RDF document; ``NotFound`` if ``store`` does not show it."""
    triples = resource_triples(store, iri)
    if not triples and not exists(store, iri):
        raise NotFound(iri)
    return triples


def exists(store: Store, iri: str) -> bool:
    """Whether ``iri`` appears in the graphs ``store`` shows."""
    node = ox.NamedNode(iri)
    result = store.query(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}")
    return bool(result)


def _incoming(store: Store, iri: str, page: int, page_size: int
              ) -> tuple[list[tuple[str, ox.NamedNode | ox.BlankNode]], int]:
    """One page of the links into ``iri`` in the order (predicate, subject), and how many
    there are. No query sorts them all: the links are counted by predicate, the page skips
    whole predicates by their counts, and only the subjects of the predicates the page
    covers are read (and sorted here, up to ``SORT_LIMIT`` of them)."""
    node = ox.NamedNode(iri)
    # DISTINCT: a link stated in two graphs is one link, which Oxigraph 0.5 yields once per
    # graph (docs/routes.md, "A triple stated in several graphs")
    counted = store.query(
        f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {node} }} GROUP BY ?p")
    assert isinstance(counted, ox.QuerySolutions)
    counts = sorted((row["p"].value, int(row["n"].value)) for row in counted)
    skip = max(page - 1, 0) * page_size
    links: list[tuple[str, ox.NamedNode | ox.BlankNode]] = []
    for predicate, count in counts:
        if len(links) >= page_size:
            break
        if skip >= count:
            skip -= count
            continue
        links += [(predicate, s) for s in
                  _subjects(store, node, ox.NamedNode(predicate), count, skip,
                            page_size - len(links))]
        skip = 0
    return links, sum(count for _, count in counts)


def _subjects(store: Store, node: ox.NamedNode, predicate: ox.NamedNode, count: int,
              skip: int, size: int) -> list[ox.NamedNode | ox.BlankNode]:
    """``size`` subjects of ``?s predicate node`` after the first ``skip``, in SPARQL's order
    (blank nodes, then IRIs by their text) when there are at most ``SORT_LIMIT``, else in
    the store's index order (stable while the data does not change)."""
    pattern = f"SELECT DISTINCT ?s WHERE {{ ?s {predicate} {node} }}"
    if count > SORT_LIMIT:
        pattern += f" LIMIT {int(size)} OFFSET {int(skip)}"
    result = store.query(pattern)
    assert isinstance(result, ox.QuerySolutions)
    subjects = [row["s"] for row in result]
    if count <= SORT_LIMIT:
        subjects = sorted(subjects, key=_sparql_order)[skip:skip + size]
    return [s for s in subjects if isinstance(s, (ox.NamedNode, ox.BlankNode))]


def _sparql_order(term: object) -> tuple[int, str]:
    """Sort key of a subject as SPARQL's ORDER BY ranks it."""
    if isinstance(term, ox.BlankNode):
        return (0, term.value)
    if isinstance(term, ox.NamedNode):
        return (1, term.value)
    return (2, str(term))


Fact = tuple[str, str]   # (predicate IRI, the other term in N-Triples form)


def _fact_graphs(store: Store, iri: str, incoming: Sequence[tuple[str, ox.NamedNode | ox.BlankNode]]
                 ) -> tuple[dict[Fact, set[str]], dict[Fact, set[str]]]:
    """The named graphs stating each fact of ``iri``: its own properties, and the incoming
    links of the page shown."""
    node = ox.NamedNode(iri)
    own: dict[Fact, set[str]] = {}
    result = store.query(f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }}")
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        own.setdefault((row["p"].value, str(row["o"])), set()).add(row["g"].value)
    into: dict[Fact, set[str]] = {}
    subjects = " ".join(str(s) for _, s in incoming if isinstance(s, ox.NamedNode))
    if subjects:
        result = store.query(f"SELECT ?g ?s ?p WHERE {{ VALUES ?s {{ {subjects} }} "
                             f"GRAPH ?g {{ ?s ?p {node} }} }}")
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            into.setdefault((row["p"].value, str(row["s"])), set()).add(row["g"].value)
    return own, into


def _sources(store: Store, iri: str, lang: str = "en") -> list[Source]:
    node = ox.NamedNode(iri)
    # the graphs first, then their descriptions: described row by row, the links into a
    # popular tool took 0.5 s
    found = store.query(f"SELECT DISTINCT ?g WHERE {{ {{ GRAPH ?g {{ {node} ?p ?o }} }} "
                        f"UNION {{ GRAPH ?g {{ ?s ?p {node} }} }} }}")
    assert isinstance(found, ox.QuerySolutions)
    graphs = sorted(row["g"].value for row in found
                    if isinstance(row["g"], ox.NamedNode) and row["g"].value != META_GRAPH)
    if not graphs:
        return []
    result = store.query(
        f"""SELECT ?g ?title ?source ?date ?licence WHERE {{
          VALUES ?g {{ {" ".join(str(ox.NamedNode(g)) for g in graphs)} }}
          OPTIONAL {{ GRAPH <{META_GRAPH}> {{
            OPTIONAL {{ ?g <{DCTERMS}title> ?title }}
            OPTIONAL {{ ?g <{DCTERMS}source> ?source }}
            OPTIONAL {{ ?g <{PROV}generatedAtTime> ?date }}
            OPTIONAL {{ ?g <{DCTERMS}license> ?licence }}
          }} }}
        }}""")
    assert isinstance(result, ox.QuerySolutions)
    # a title or source given in several languages: the reader's (best_label), else another
    texts: dict[str, dict[str, dict[str, str]]] = {}
    sources: dict[str, Source] = {}
    for row in result:
        graph = row["g"].value
        for name in ("title", "source"):
            term = row[name]
            if term is not None:
                tag = (term.language or "") if isinstance(term, ox.Literal) else ""
                texts.setdefault(graph, {}).setdefault(name, {}).setdefault(tag, term.value)
        if graph in sources:
            continue

        def text(name: str, row: ox.QuerySolution = row) -> str | None:
            term = row[name]
            return term.value if term is not None else None

        sources[graph] = Source(graph, text("title"), text("source"), text("date"),
                                text("licence"))
    for graph, source in sources.items():
        said = texts.get(graph, {})
        sources[graph] = replace(source, title=best_label(said.get("title", {}), lang),
                                 source=best_label(said.get("source", {}), lang))
    return [sources[g] for g in graphs if g in sources]


def _group(pairs: Sequence[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]],
           labels: Mapping[str, Mapping[str, str]], lang: str,
           graphs: Mapping[Fact, set[str]] | None = None, *,
           inverse: bool = False) -> tuple[Property, ...]:
    grouped: dict[str, list[Value]] = {}
    for predicate, term in pairs:
        label = best_label(labels.get(term.value, {}), lang) \
            if isinstance(term, ox.NamedNode) else None
        stated = sorted((graphs or {}).get((predicate, str(term)), ()))
        grouped.setdefault(predicate, []).append(Value(term, label, tuple(stated)))

    def name(p: str) -> str:
        label = best_label(labels.get(p, {}), lang) or short_name(p)
        return inverse_label(p, label, lang) if inverse else label

    return tuple(
        Property(p, name(p),
                 tuple(sorted(values, key=lambda v: (v.text.lower(), v.term.value))))
        for p, values in sorted(grouped.items(), key=lambda item: short_name(item[0]))
    )


def describe(store: Store, iri: str, *, lang: str = "en", page: int = 1,
             page_size: int = PAGE_SIZE) -> Description:
    """The page of ``iri`` for a reader of ``lang``; ``NotFound`` if ``store`` does not
    show it."""
    triples = resource_triples(store, iri)
    own = [t for t in triples if t.subject == ox.NamedNode(iri)]
    incoming, total = _incoming(store, iri, page, page_size)
    if not own and not total and not exists(store, iri):
        raise NotFound(iri)
    own_graphs, incoming_graphs = _fact_graphs(store, iri, incoming)
    linked = {iri} | {t.predicate.value for t in own} | {p for p, _ in incoming}
    linked |= {t.object.value for t in own if isinstance(t.object, ox.NamedNode)}
    linked |= {s.value for _, s in incoming if isinstance(s, ox.NamedNode)}
    labels = labels_of(store, linked)
    own_labels = labels.get(iri, {})
    descriptions: dict[str, str] = {}
    for t in own:
        if t.predicate.value in DESCRIPTION_PROPERTIES and isinstance(t.object, ox.Literal):
            descriptions.setdefault((t.object.language or "").split("-")[0], t.object.value)
    types = tuple(v for p in _group([(RDF + "type", t.object) for t in own
                                     if t.predicate.value == RDF + "type"
                                     and not isinstance(t.object, ox.Triple)], labels, lang)
                  for v in p.values)
    return Description(
        iri=iri, lang=lang,
        label=best_label(own_labels, lang) or iri.rstrip("/").rsplit("/", 1)[-1],
        description=best_label(descriptions, lang),
        types=types,
        properties=_group([(t.predicate.value, t.object) for t in own
                           if t.predicate.value != RDF + "type"
                           and not isinstance(t.object, ox.Triple)], labels, lang,
                          own_graphs),
        incoming=_group(incoming, labels, lang, incoming_graphs, inverse=True),
        incoming_total=total, page=max(page, 1), page_size=page_size,
        sources=tuple(_sources(store, iri, lang)), triples=triples,
    )

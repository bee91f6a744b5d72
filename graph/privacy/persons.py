"""Members' privacy: the consented public view of persons, membership counts, and erasure.

Persons, memberships and consent records live only in restricted graphs. What the public may
see of them is *derived*, into the public graph ``…/graph/public-persons``, by
``refresh_public_view``, which every import of restricted data and every erasure calls:

- a person appears only if a consent record (W3C DPV) for the purpose
  ``cg:PublicationInCivicgraph`` is given, not withdrawn, and not overridden by a later
  withdrawal for the same category (a withdrawal naming no category withdraws it whole, as
  DPV reads it); only the categories it covers are published (name, e-mail,
  phone, memberships), with a copy of the record itself, as the "public profile" shapes expect
  (``ontology/shapes/public-profile.ttl``);
- membership figures are published per organisation as counts, overall and per role, with
  counts under the threshold suppressed, and a second count suppressed where a single
  suppressed one could otherwise be worked out by subtraction.

``forget`` erases every triple that mentions a person (or their memberships and consent
records, and blank nodes hanging from them) in every graph, the meta and derived graphs
included, in one update, and reports what it removed and what it could not judge (literal
mentions of their name or address elsewhere, and the sources that would bring them back).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.errors import NotFound
from graph.namespaces import (
    CG,
    DCTERMS,
    DPV,
    FOAF,
    GRAPH,
    ID,
    META_GRAPH,
    ORG,
    PD,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    VOID,
    XSD,
)
from graph.privacy.access import RESTRICTED_META_GRAPH, public_graphs, seclude_descriptions
from graph.privacy.guard import PERSONAL_PROPERTIES as PERSONAL_PROPERTIES  # re-exported
from graph.privacy.guard import PERSONAL_TYPES as PERSONAL_TYPES  # (the write path's imports)
from graph.privacy.guard import personal_data as personal_data
from graph.store import Store

log = logging.getLogger(__name__)

#: the derived public graph of consented persons and membership figures
PUBLIC_PERSONS_GRAPH = GRAPH + "public-persons"

CATEGORIES = {
    PD + "Name": (FOAF + "name", RDFS + "label"),
    PD + "EmailAddress": (FOAF + "mbox",),
    PD + "TelephoneNumber": (FOAF + "phone",),
    CG + "MembershipData": (),
}
_PURPOSE = CG + "PublicationInCivicgraph"
_GIVEN = DPV + "ConsentGiven"
_MEMBERSHIP_PROPERTIES = (RDF + "type", ORG + "member", ORG + "organization", ORG + "role",
                          SCHEMA + "startDate")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


@dataclass
class Consent:
    """One consent record, as read from a restricted graph."""

    iri: str
    person: str
    given: bool
    purpose: bool
    categories: set[str] = field(default_factory=set)
    given_on: dt.date | None = None
    withdrawn_on: dt.date | None = None

    @property
    def in_force(self) -> bool:
        return self.given and self.purpose and self.withdrawn_on is None

    @property
    def withdrawal_date(self) -> dt.date:
        """When it stopped counting; a withdrawal with no date at all blocks everything."""
        return self.withdrawn_on or self.given_on or dt.date.max


@dataclass
class Decision:
    """What may be published about one person, and on which consent records."""

    person: str
    categories: set[str]
    records: list[Consent]


def restricted_graphs(store: Store) -> list[str]:
    """Every graph that is not public (and not the derived view itself, nor the
    descriptions of restricted graphs)."""
    public = set(public_graphs(store)) | {PUBLIC_PERSONS_GRAPH, RESTRICTED_META_GRAPH}
    return [g for g in store.graphs() if g not in public]


def consent_records(store: Store, graphs: list[str]) -> list[Consent]:
    """The consent records in ``graphs``."""
    if not graphs:
        return []
    result = store.query(f"""
        SELECT ?c ?person ?status ?purpose ?data ?given ?withdrawn WHERE {{
          ?c a <{DPV}Consent> ; <{DPV}hasDataSubject> ?person .
          OPTIONAL {{ ?c <{DPV}hasConsentStatus> ?status }}
          OPTIONAL {{ ?c <{DPV}hasPurpose> ?purpose }}
          OPTIONAL {{ ?c <{DPV}hasPersonalData> ?data }}
          OPTIONAL {{ ?c <{CG}givenOn> ?given }}
          OPTIONAL {{ ?c <{CG}withdrawnOn> ?withdrawn }}
        }}""", default_graph=graphs)
    assert isinstance(result, ox.QuerySolutions)
    records: dict[str, Consent] = {}
    for row in result:
        if not isinstance(row["c"], ox.NamedNode) or not isinstance(row["person"], ox.NamedNode):
            # the shapes refuse such a record when it is written; one already stored is
            # reported and skipped, so that it never stops the view of everyone else
            log.warning("consent record %s skipped: its data subject %s is not an IRI",
                        row["c"], row["person"])
            continue
        iri, person = row["c"].value, row["person"].value
        record = records.setdefault(iri, Consent(iri, person, False, False))
        record.given |= row["status"] is not None and row["status"].value == _GIVEN
        record.purpose |= row["purpose"] is not None and row["purpose"].value == _PURPOSE
        if row["data"] is not None:
            record.categories.add(row["data"].value)
        record.given_on = _date(row["given"]) or record.given_on
        record.withdrawn_on = _date(row["withdrawn"]) or record.withdrawn_on
    return list(records.values())


def _date(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> dt.date | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return dt.date.fromisoformat(term.value[:10])
    except ValueError:
        return None


def _whole(record: Consent) -> bool:
    """Whether ``record`` withdraws a publication consent whole: it names no category, and
    it is about the publication or says when it was withdrawn."""
    return not record.categories and (record.purpose or record.withdrawn_on is not None)


def decide(records: Iterable[Consent]) -> dict[str, Decision]:
    """Per person, the categories a record in force allows and no later withdrawal forbids."""
    by_person: dict[str, list[Consent]] = defaultdict(list)
    for record in records:
        by_person[record.person].append(record)
    decisions = {}
    for person, mine in by_person.items():
        withdrawals = [r for r in mine if not r.in_force]
        allowed: set[str] = set()
        used: list[Consent] = []
        for record in (r for r in mine if r.in_force):
            start = record.given_on or dt.date.min
            # a withdrawal naming no category withdraws the consent as a whole (DPV)
            kept = {c for c in record.categories & CATEGORIES.keys()
                    if not any((c in w.categories or _whole(w)) and w.withdrawal_date >= start
                               for w in withdrawals)}
            if kept:
                allowed |= kept
                used.append(Consent(record.iri, person, True, True, kept, record.given_on))
        if allowed:
            decisions[person] = Decision(person, allowed, used)
    return decisions


def public_view(store: Store, *, threshold: int) -> list[ox.Triple]:
    """The triples of the public view: consented persons and membership figures."""
    graphs = restricted_graphs(store)
    decisions = decide(consent_records(store, graphs))
    triples = _persons(store, graphs, decisions)
    triples += _figures(membership_counts(store, threshold=threshold, graphs=graphs))
    return triples


def refresh_public_view(store: Store, *, threshold: int,
                        now: dt.datetime | None = None) -> int:
    """Recompute the public view from the consent records, after moving the descriptions
    of restricted graphs out of the public meta graph (``graph.privacy.access``); returns the
    view's number of triples."""
    seclude_descriptions(store)
    triples = public_view(store, threshold=threshold)
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    g = _n(PUBLIC_PERSONS_GRAPH)
    meta = [ox.Triple(g, _n(p), o) for p, o in (
        (RDF + "type", _n(VOID + "Dataset")), (RDF + "type", _n(PROV + "Entity")),
        # in each language of the pages, which show the reader's (describe._sources)
        (DCTERMS + "title", ox.Literal("Consented persons and membership figures", language="en")),
        (DCTERMS + "title", ox.Literal("Personnes ayant consenti et effectifs des membres",
                                       language="fr")),
        (DCTERMS + "source", ox.Literal("derived from the restricted consent records",
                                        language="en")),
        (DCTERMS + "source", ox.Literal("tiré des registres de consentement à accès restreint",
                                        language="fr")),
        (PROV + "generatedAtTime", ox.Literal(moment.isoformat().replace("+00:00", "Z"),
                                              datatype=_n(XSD + "dateTime"))),
        (CG + "importedBy", ox.Literal("civicgraph")),
        (CG + "access", _n(CG + "Public")),
        (VOID + "triples", ox.Literal(str(len(triples)), datatype=_n(XSD + "integer"))),
        (CG + "sha256", ox.Literal(_digest(triples))),
    )]
    store.replace_graph(PUBLIC_PERSONS_GRAPH, triples, metadata=meta)
    return len(triples)


def _digest(triples: list[ox.Triple]) -> str:
    """A fingerprint of the view's content (blank node labels left out), so that readers
    that cache per version of the public data (the maps) see a change made within the
    same second that keeps the number of triples."""
    lines = sorted(" ".join("_" if isinstance(t, ox.BlankNode) else str(t)
                            for t in (triple.subject, triple.predicate, triple.object))
                   for triple in triples)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _persons(store: Store, graphs: list[str],
             decisions: dict[str, Decision]) -> list[ox.Triple]:
    if not decisions or not graphs:
        return []
    values = " ".join(f"<{p}>" for p in decisions)
    wanted = {p for props in CATEGORIES.values() for p in props} | {CG + "isFictional"}
    result = store.query(f"""
        SELECT ?person ?p ?o WHERE {{
          VALUES ?person {{ {values} }}
          ?person ?p ?o . VALUES ?p {{ {" ".join(f"<{p}>" for p in wanted)} }}
        }}""", default_graph=graphs)
    assert isinstance(result, ox.QuerySolutions)
    facts: dict[str, list[tuple[str, ox.NamedNode | ox.Literal]]] = defaultdict(list)
    for row in result:
        facts[row["person"].value].append((row["p"].value, row["o"]))
    triples: list[ox.Triple] = []
    members: list[str] = []
    for person, decision in decisions.items():
        p = _n(person)
        triples.append(ox.Triple(p, _n(RDF + "type"), _n(FOAF + "Person")))
        allowed = {prop for c in decision.categories for prop in CATEGORIES[c]}
        allowed.add(CG + "isFictional")
        triples += [ox.Triple(p, _n(prop), value) for prop, value in facts[person]
                    if prop in allowed]
        for record in decision.records:
            c = _n(record.iri)
            triples += [
                ox.Triple(p, _n(CG + "publicationConsent"), c),
                ox.Triple(c, _n(RDF + "type"), _n(DPV + "Consent")),
                ox.Triple(c, _n(DPV + "hasDataSubject"), p),
                ox.Triple(c, _n(DPV + "hasConsentStatus"), _n(_GIVEN)),
                ox.Triple(c, _n(DPV + "hasPurpose"), _n(_PURPOSE)),
            ]
            triples += [ox.Triple(c, _n(DPV + "hasPersonalData"), _n(cat))
                        for cat in sorted(record.categories)]
            if record.given_on:
                triples.append(ox.Triple(c, _n(CG + "givenOn"), ox.Literal(
                    record.given_on.isoformat(), datatype=_n(XSD + "date"))))
        if CG + "MembershipData" in decision.categories:
            members.append(person)
    return triples + _memberships(store, graphs, members)


def _memberships(store: Store, graphs: list[str], members: list[str]) -> list[ox.Triple]:
    if not members:
        return []
    result = store.query(f"""
        SELECT ?m ?p ?o WHERE {{
          VALUES ?person {{ {" ".join(f"<{m}>" for m in members)} }}
          ?m a <{ORG}Membership> ; <{ORG}member> ?person ; ?p ?o .
          VALUES ?p {{ {" ".join(f"<{p}>" for p in _MEMBERSHIP_PROPERTIES)} }}
        }}""", default_graph=graphs)
    assert isinstance(result, ox.QuerySolutions)
    return [ox.Triple(row["m"], row["p"], row["o"]) for row in result
            if isinstance(row["m"], ox.NamedNode)]


@dataclass(frozen=True)
class Figure:
    """A membership count: of one organisation, overall (role None) or for one role.
    ``count`` is None when suppressed."""

    organisation: str
    role: str | None
    count: int | None


def membership_counts(store: Store, *, threshold: int,
                      graphs: list[str] | None = None) -> list[Figure]:
    """Distinct members per organisation and per role, small counts suppressed."""
    graphs = restricted_graphs(store) if graphs is None else graphs
    if not graphs:
        return []
    result = store.query(f"""
        SELECT ?org ?role (COUNT(DISTINCT ?person) AS ?n) WHERE {{
          ?m a <{ORG}Membership> ; <{ORG}member> ?person ; <{ORG}organization> ?org .
          OPTIONAL {{ ?m <{ORG}role> ?r }}
          BIND(COALESCE(?r, "") AS ?role)
        }} GROUP BY ?org ?role""", default_graph=graphs)
    assert isinstance(result, ox.QuerySolutions)
    per_role: dict[str, dict[str | None, int]] = defaultdict(dict)
    for row in result:
        role = row["role"].value or None
        per_role[row["org"].value][role] = int(row["n"].value)
    totals = store.query(f"""
        SELECT ?org (COUNT(DISTINCT ?person) AS ?n) WHERE {{
          ?m a <{ORG}Membership> ; <{ORG}member> ?person ; <{ORG}organization> ?org .
        }} GROUP BY ?org""", default_graph=graphs)
    assert isinstance(totals, ox.QuerySolutions)
    figures: list[Figure] = []
    for row in totals:
        org, total = row["org"].value, int(row["n"].value)
        roles = {r: n for r, n in per_role[org].items() if r is not None}
        shown = {r: n for r, n in roles.items() if n >= threshold}
        hidden = set(roles) - set(shown)
        # one suppressed role could be recovered from the total: hide the next smallest too
        if len(hidden) == 1 and shown and total >= threshold:
            smallest = min(shown, key=lambda r: (shown[r], r))
            del shown[smallest]
        figures.append(Figure(org, None, total if total >= threshold else None))
        figures += [Figure(org, r, shown.get(r)) for r in sorted(roles)]
    return sorted(figures, key=lambda f: (f.organisation, f.role or ""))


def _figures(figures: list[Figure]) -> list[ox.Triple]:
    triples = []
    integer = _n(XSD + "integer")
    for figure in figures:
        if figure.count is None:
            continue
        org = _n(figure.organisation)
        if figure.role is None:
            triples.append(ox.Triple(org, _n(CG + "memberCount"),
                                     ox.Literal(str(figure.count), datatype=integer)))
            continue
        node = ox.BlankNode()
        triples += [
            ox.Triple(org, _n(CG + "roleCount"), node),
            ox.Triple(node, _n(RDF + "type"), _n(CG + "RoleCount")),
            ox.Triple(node, _n(ORG + "role"), _n(figure.role)),
            ox.Triple(node, _n(CG + "count"), ox.Literal(str(figure.count), datatype=integer)),
        ]
    return triples


# --------------------------------------------------------------------------------- erasure


@dataclass
class ForgetReport:
    """What ``forget`` removed, and what a person must still look at."""

    person: str
    removed: dict[str, int] = field(default_factory=dict)       # graph -> triples removed
    nodes: list[str] = field(default_factory=list)              # memberships, consents
    mentions: list[tuple[str, str, str]] = field(default_factory=list)  # graph, subject, prop
    sources: list[str] = field(default_factory=list)            # sources that held them

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def lines(self) -> list[str]:
        out = [f"erased <{self.person}>: {self.total} triple(s) in {len(self.removed)} graph(s)"]
        out += [f"  <{g}>: {n}" for g, n in sorted(self.removed.items())]
        if self.nodes:
            out.append(f"  with {len(self.nodes)} membership / consent node(s)")
        for source in self.sources:
            out.append(f"warning: the source {source!r} held this person: remove them from "
                       "its file before importing it again, or they come back")
        for graph, subject, prop in self.mentions:
            out.append(f"review: <{subject}> <{prop}> in <{graph}> mentions their name or "
                       "address in text; not removed")
        return out


def person_iri(text: str, base_id: str = ID) -> str:
    """The IRI of a person given as an IRI or as a slug (``personne-01``)."""
    return text if text.startswith(("http://", "https://")) else f"{base_id}person/{text}"


def forget(store: Store, person: str, *, threshold: int) -> ForgetReport:
    """Erase every triple about ``person`` (an IRI) from every graph; see the module."""
    report = ForgetReport(person)
    found = store.query(f"ASK {{ {{ <{person}> ?p ?o }} UNION {{ ?s ?p <{person}> }} }}")
    assert isinstance(found, ox.QueryBoolean)
    if not bool(found):
        raise NotFound(f"person <{person}>")
    names = _texts(store, person)
    nodes = _owned_nodes(store, person)
    report.nodes = sorted(nodes - {person})
    roots = " ".join(f"<{n}>" for n in sorted(nodes))
    pattern = f"""{{ VALUES ?root {{ {roots} }}
        {{ ?root ?p ?o BIND(?root AS ?s) }} UNION {{ ?s ?p ?root BIND(?root AS ?o) }}
        UNION {{ ?root ?p1 ?s FILTER(isBlank(?s)) ?s ?p ?o }}
        UNION {{ ?root ?p1 ?b FILTER(isBlank(?b)) ?b ?p2 ?s FILTER(isBlank(?s)) ?s ?p ?o }} }}"""
    counted = store.query(f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{
        SELECT DISTINCT ?g ?s ?p ?o WHERE {{ GRAPH ?g {pattern} }} }} GROUP BY ?g""")
    assert isinstance(counted, ox.QuerySolutions)
    report.removed = {row["g"].value: int(row["n"].value) for row in counted}
    report.sources = _sources(store, list(report.removed))
    sizes = {g: store.count(g) for g in report.removed}
    recount = "".join(
        f"""; DELETE {{ GRAPH <{META_GRAPH}> {{ <{g}> <{VOID}triples> ?old }} }}
        INSERT {{ GRAPH <{META_GRAPH}> {{ <{g}> <{VOID}triples> {max(sizes[g] - n, 0)} }} }}
        WHERE {{ GRAPH <{META_GRAPH}> {{ <{g}> <{VOID}triples> ?old }} }}"""
        for g, n in report.removed.items() if g != META_GRAPH)
    store.update(f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {pattern} }} ; "
                 f"DELETE {{ ?s ?p ?o }} WHERE {pattern}" + recount)
    report.mentions = _mentions(store, names)
    refresh_public_view(store, threshold=threshold)
    return report


def _owned_nodes(store: Store, person: str) -> set[str]:
    """The person and the memberships and consent records that exist only about them."""
    result = store.query(f"""
        SELECT DISTINCT ?n WHERE {{
          {{ ?n <{ORG}member> <{person}> }} UNION {{ ?n <{DPV}hasDataSubject> <{person}> }}
          FILTER(isIRI(?n))
        }}""")
    assert isinstance(result, ox.QuerySolutions)
    return {person} | {row["n"].value for row in result}


def _texts(store: Store, person: str) -> list[str]:
    result = store.query(f"""SELECT DISTINCT ?v WHERE {{
        <{person}> ?p ?v . VALUES ?p {{ <{FOAF}name> <{RDFS}label> <{FOAF}mbox> }} }}""")
    assert isinstance(result, ox.QuerySolutions)
    texts = [row["v"].value.removeprefix("mailto:") for row in result]
    return [t for t in texts if len(t) >= 4]


def _mentions(store: Store, texts: list[str]) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for text in texts:
        result = store.query(
            "SELECT ?g ?s ?p ?text WHERE { GRAPH ?g { ?s ?p ?o FILTER(isLiteral(?o) && "
            "CONTAINS(LCASE(STR(?o)), LCASE(?text))) } }",
            substitutions={"text": ox.Literal(text)})
        assert isinstance(result, ox.QuerySolutions)
        found += [(row["g"].value, str(row["s"].value), row["p"].value) for row in result]
    return sorted(set(found))


def _sources(store: Store, graphs: list[str]) -> list[str]:
    if not graphs:
        return []
    values = " ".join(f"<{g}>" for g in graphs
                      if g not in (META_GRAPH, RESTRICTED_META_GRAPH, PUBLIC_PERSONS_GRAPH))
    if not values:
        return []
    result = store.query(f"""SELECT DISTINCT ?source WHERE {{ GRAPH ?meta {{
        VALUES ?g {{ {values} }} ?g <{DCTERMS}source> ?source }}
        VALUES ?meta {{ <{META_GRAPH}> <{RESTRICTED_META_GRAPH}> }} }} ORDER BY ?source""")
    assert isinstance(result, ox.QuerySolutions)
    return [row["source"].value for row in result]

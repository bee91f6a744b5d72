"""The usage table: the public usage observations and what the maps need to know about them,
assembled from single-predicate scans of each public graph (``visualisations.fragments``).

Projections work on this table rather than on the store: at 10^5 organisations a join over
the usages takes seconds on the embedded store, so the table is read once per version of the
data (``visualisations.service`` keeps it, re-reading only the graphs an import replaced) and
every map, filter and metric is then computed from it in memory. Reading it is a pure function
of the store's public graphs.

``build`` makes the table from an index of the scans (``visualisations.index``); ``patch``
makes the same table from the table of a base and the index of a small delta, working only on
the rows the delta touches (``visualisations.upkeep`` uses it after each write).
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import pyoxigraph as ox

from graph.namespaces import CG, DEFAULT_BASE, META_GRAPH, ORG, PROV, SCHEMA, SKOS
from graph.privacy.access import public_graphs
from graph.store import Store
from visualisations.fragments import (
    INSEE_CODE,
    LABELS,
    METRICS_GRAPH_PREFIX,
    Fragment,
    query_text,
    read_fragment,
)
from visualisations.index import Index, Layered

V = TypeVar("V")


@dataclass(slots=True)
class Usage:
    """One ``cg:ToolUsage``, its tool rolled up to the software."""

    iri: str
    org: str
    tool: str
    software: str
    practices: tuple[str, ...] = ()
    status: str | None = None
    observed: str | None = None    # ISO date
    start: str | None = None       # ISO date
    end: str | None = None         # ISO date
    waves: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()


@dataclass
class UsageTable:
    """The usages and the attributes of what they link (organisations, software, concepts)."""

    usages: list[Usage] = field(default_factory=list)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    org_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    org_kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    org_departement: dict[str, str] = field(default_factory=dict)
    org_commune: dict[str, str] = field(default_factory=dict)      # INSEE code
    software_free: dict[str, bool] = field(default_factory=dict)   # cg:isFreeSoftware
    software_categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    concept_scheme: dict[str, str] = field(default_factory=dict)
    broader: dict[str, tuple[str, ...]] = field(default_factory=dict)
    communities: dict[str, str] = field(default_factory=dict)
    base: str = DEFAULT_BASE

    def label(self, iri: str, lang: str = "en") -> str:
        """The label of ``iri`` in ``lang``, else in the other language, else its last segment."""
        found = self.labels.get(iri)
        if found:
            for tag in (lang, "", "en", "fr"):
                if tag in found:
                    return found[tag]
            return next(iter(found.values()))
        return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def narrower_closure(self, concepts: Iterable[str]) -> frozenset[str]:
        """``concepts`` and every concept below them."""
        below: dict[str, list[str]] = defaultdict(list)
        for concept, parents in self.broader.items():
            for parent in parents:
                below[parent].append(concept)
        seen: set[str] = set()
        todo = list(concepts)
        while todo:
            concept = todo.pop()
            if concept not in seen:
                seen.add(concept)
                todo.extend(below.get(concept, ()))
        return frozenset(seen)

    def top(self, concept: str) -> str:
        """The top concept above ``concept`` (following the first broader link)."""
        seen = {concept}
        while self.broader.get(concept):
            concept = self.broader[concept][0]
            if concept in seen:
                break
            seen.add(concept)
        return concept

    def concepts_in(self, scheme_kind: str) -> list[str]:
        """The concepts of the scheme ``id:scheme/{scheme_kind}``, sorted by IRI."""
        scheme = f"{self.base}id/scheme/{scheme_kind}"
        return sorted(c for c, s in self.concept_scheme.items() if s == scheme)

    @cached_property
    def organisations(self) -> frozenset[str]:
        """The organisations with at least one usage (computed once: the table is not
        changed after it is read)."""
        return frozenset(u.org for u in self.usages)

    @cached_property
    def software(self) -> frozenset[str]:
        """The software of at least one usage."""
        return frozenset(u.software for u in self.usages)


def data_version(store: Store, graphs: Sequence[str] | None = None) -> str:
    """A short fingerprint of the public data: the public graphs and their import dates and
    sizes as the meta graph records them. It changes whenever an import replaces a graph."""
    graphs = list(graphs) if graphs is not None else public_graphs(store)
    result = store.query(
        f"SELECT ?g ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ ?g ?p ?o "
        f"FILTER(?p IN (<{PROV}generatedAtTime>, <http://rdfs.org/ns/void#triples>, "
        f"<{CG}sha256>)) }} }}",
        default_graph=[META_GRAPH],
    )
    assert isinstance(result, ox.QuerySolutions)
    wanted = set(graphs)
    parts = sorted(
        f"{row['g'].value} {row['p'].value} {row['o'].value}" for row in result
        if row["g"].value in wanted
    )
    digest = hashlib.sha256("\n".join([*sorted(wanted), *parts]).encode()).hexdigest()
    return digest[:16]


def load_table(store: Store, graphs: Sequence[str] | None = None,
               base: str = DEFAULT_BASE) -> UsageTable:
    """Read the usage table from ``graphs`` (default: the public graphs of ``store``)."""
    graphs = list(graphs) if graphs is not None else public_graphs(store)
    return assemble([read_fragment(store, g, base) for g in graphs], base=base)


def assemble(fragments: Sequence[Fragment], base: str = DEFAULT_BASE) -> UsageTable:
    """The usage table of the union of ``fragments`` (the joins the scans leave out)."""
    return build(Layered([Index.of(fragments)]), base=base)


#: a patch inserts at most this many rows one by one, else sorts the table's rows again
INSERT_AT_MOST = 1000
_TOOL_USAGE = CG + "ToolUsage"
_SOFTWARE = SCHEMA + "SoftwareApplication"
_OBSERVATION_LINKS = (CG + "effect", CG + "onUsage", CG + "onExperience")
_PLACE = (CG + "departement", INSEE_CODE)


def build(index: Layered, base: str = DEFAULT_BASE) -> UsageTable:
    """The usage table of the pairs ``index`` holds. Where the data gives a usage several
    values of a one-valued column (organisation, status, dates), the smallest is kept."""
    table = UsageTable(base=base)
    roll_up = _RollUp(index)
    columns = _Columns(index)
    table.usages = [row for usage in sorted(columns.usages)
                    for row in _rows(columns, usage, roll_up)]
    _org_attributes(table, index, table.organisations)
    _software_attributes(table, index, table.software)
    _concepts(table, index, index.subjects(SKOS + "inScheme"))
    for subject in _wanted(table):
        _label(table, index, subject)
    table.communities = _communities(index, table.organisations)
    return table


def patch(table: UsageTable, base: Index, delta: Index) -> UsageTable:
    """``build(Layered([base, delta]))`` from ``table`` (``build`` of ``base``), working only
    on what the subjects of ``delta`` touch: the usages they describe or reach (effects,
    waves, the software a tool rolls up to), the organisations, software, concepts and labels
    that are new or that they describe. Most of ``table``'s rows are kept as they are."""
    index = Layered([base, delta])
    touched = delta.touched()
    roll_up = _RollUp(index)
    before = _RollUp(Layered([base]))
    moved = {t for t in {u.tool for u in table.usages} if roll_up(t) != before(t)}
    columns = _Columns(index)
    again = touched & columns.usages
    for observation in set().union(*(delta.subjects(p) for p in _OBSERVATION_LINKS)):
        again.update(index.get(CG + "onUsage", observation))
        for experience in index.get(CG + "onExperience", observation):
            again.update(index.get(CG + "concernsUsage", experience))
    for experience in delta.subjects(CG + "concernsUsage"):
        again.update(index.get(CG + "concernsUsage", experience))
    # activities whose wave the delta changes (a delta often restates the waves it uses)
    activities = {a for a in delta.subjects(CG + "wave")
                  if min(index.get(CG + "wave", a)) != min(base.get(CG + "wave", a), default=None)}
    if moved or activities:
        generated = columns.generated
        again.update(u.iri for u in table.usages if u.tool in moved or any(
            a in activities for a in generated(u.iri)))
    out = UsageTable(base=table.base)
    out.usages = [u for u in table.usages if u.iri not in again]
    made = sorted((row for usage in again for row in _rows(columns, usage, roll_up)),
                  key=_order)
    if len(made) <= INSERT_AT_MOST:  # into the sorted list, without sorting it again
        for row in made:
            bisect.insort(out.usages, row, key=_order)
    else:
        out.usages += made
        out.usages.sort(key=_order)

    orgs, old_orgs = out.organisations, table.organisations
    redo = set((orgs - old_orgs) | (orgs & touched))
    # communes whose département or code the delta changes (not those it restates)
    moved_places = {c for p in _PLACE for c in delta.subjects(p)
                    if min(index.get(p, c)) != min(base.get(p, c), default=None)}
    if moved_places:
        located = index.column(SCHEMA + "location")
        redo.update(o for o in orgs if any(c in moved_places for c in located(o)))
    for attribute in ("org_fields", "org_kinds", "org_departement", "org_commune"):
        setattr(out, attribute, _kept(getattr(table, attribute), orgs, old_orgs))
    _org_attributes(out, index, redo)
    software, old_software = out.software, table.software
    for attribute in ("software_free", "software_categories"):
        setattr(out, attribute, _kept(getattr(table, attribute), software, old_software))
    _software_attributes(out, index, (software - old_software) | (software & touched))
    out.concept_scheme = dict(table.concept_scheme)
    out.broader = dict(table.broader)
    _concepts(out, index, touched & set(index.subjects(SKOS + "inScheme")))

    wanted, old_wanted = _wanted(out), _wanted(table)
    out.labels = _kept(table.labels, wanted, old_wanted)
    for subject in (wanted - old_wanted) | (wanted & touched):
        out.labels.pop(subject, None)
        _label(out, index, subject)
    out.communities = _communities(index, orgs)
    return out


def _order(usage: Usage) -> tuple[str, str]:
    return usage.iri, usage.tool


class _RollUp:
    """A tool -> the software it rolls up to: itself if it is one, else the smallest
    software its ``cg:software`` names, else itself (memoised)."""

    def __init__(self, index: Layered) -> None:
        self.index = index
        self.known: dict[str, str] = {}

    def __call__(self, tool: str) -> str:
        found = self.known.get(tool)
        if found is None:
            if self.index.is_a(tool, _SOFTWARE):
                found = tool
            else:
                found = min((sw for sw in self.index.get(CG + "software", tool)
                             if self.index.is_a(sw, _SOFTWARE)), default=tool)
            self.known[tool] = found
        return found


class _Columns:
    """The getters of the predicates a usage row is made of (bound once per table)."""

    def __init__(self, index: Layered) -> None:
        self.index = index
        self.org, self.tool = index.column(CG + "organisation"), index.column(CG + "tool")
        self.practice = index.column(CG + "practice")
        self.least = [index.column(CG + "status"), index.column(CG + "observedOn"),
                      index.column(SCHEMA + "startDate"), index.column(SCHEMA + "endDate")]
        self.generated, self.wave = index.column(PROV + "wasGeneratedBy"), index.column(CG + "wave")
        self.effect = index.column(CG + "effect")
        self.on_usage = index.column_back(CG + "onUsage")
        self.concerning = index.column_back(CG + "concernsUsage")
        self.on_experience = index.column_back(CG + "onExperience")
        self.usages = set(index.instances(_TOOL_USAGE))


def _rows(c: _Columns, usage: str, roll_up: _RollUp) -> list[Usage]:
    """The rows of ``usage`` (one per tool; none without an organisation or a tool)."""
    orgs, tools = c.org(usage), c.tool(usage)
    if not orgs or not tools or usage not in c.usages:
        return []
    org = min(orgs)
    practices = tuple(sorted(c.practice(usage)))
    waves = tuple(sorted({w for activity in c.generated(usage)
                          if (w := min(c.wave(activity), default=None))}))
    effects: set[str] = set()
    for observation in c.on_usage(usage):
        effects.update(c.effect(observation))
    for experience in c.concerning(usage):
        for observation in c.on_experience(experience):
            effects.update(c.effect(observation))
    status, observed, start, end = (min(g(usage), default=None) for g in c.least)
    effect_tuple = tuple(sorted(effects))
    return [Usage(usage, org, tool, roll_up(tool), practices, status, observed, start, end,
                  waves, effect_tuple) for tool in sorted(tools)]


def _org_attributes(table: UsageTable, index: Layered, orgs: Iterable[str]) -> None:
    """Fill (or clear) the organisation columns of ``table`` for ``orgs``."""
    for org in orgs:
        for column, predicate in ((table.org_fields, ORG + "purpose"),
                                  (table.org_kinds, ORG + "classification")):
            _put(column, org, tuple(sorted(index.get(predicate, org))))
        communes = sorted(index.get(SCHEMA + "location", org))
        for place, predicate in ((table.org_departement, CG + "departement"),
                                 (table.org_commune, INSEE_CODE)):
            found: str | None = next((min(v) for c in communes
                                      if (v := index.get(predicate, c))), None)
            _put(place, org, found)


def _software_attributes(table: UsageTable, index: Layered, software: Iterable[str]) -> None:
    for sw in software:
        free = index.get(CG + "isFreeSoftware", sw)
        _put(table.software_free, sw, any(v in ("true", "1") for v in free) if free else None)
        _put(table.software_categories, sw, tuple(sorted(index.get(CG + "category", sw))))


def _concepts(table: UsageTable, index: Layered, concepts: Iterable[str]) -> None:
    for concept in concepts:
        _put(table.concept_scheme, concept,
             min(index.get(SKOS + "inScheme", concept), default=None))
        _put(table.broader, concept, tuple(sorted(index.get(SKOS + "broader", concept))))


def _wanted(table: UsageTable) -> set[str]:
    """The subjects whose labels the table keeps."""
    return set(table.organisations | table.software | set(table.concept_scheme)
               | {t for u in table.usages for t in (u.tool, *u.waves)})


def _label(table: UsageTable, index: Layered, subject: str) -> None:
    langs: dict[str, str] = {}
    for predicate in LABELS:  # skos:prefLabel first: it wins over rdfs:label
        for lang, text in index.label_langs(predicate, subject).items():
            langs.setdefault(lang, text)
    if langs:
        table.labels[subject] = langs


def _communities(index: Layered, orgs: frozenset[str]) -> dict[str, str]:
    return {node: community for node in sorted(index.community_nodes())
            if node in orgs and (community := index.community(node)) is not None}


def _put(column: dict[str, V], key: str, value: V | None) -> None:
    """``column[key] = value``, or no entry when ``value`` is empty."""
    if value is None or value == ():
        column.pop(key, None)
    else:
        column[key] = value


def _kept(column: dict[str, V], keys: frozenset[str] | set[str],
          old: frozenset[str] | set[str]) -> dict[str, V]:
    """A copy of ``column`` without the keys gone from ``old`` to ``keys``."""
    if old <= keys:
        return dict(column)
    return {k: v for k, v in column.items() if k in keys}


__all__ = ["METRICS_GRAPH_PREFIX", "Usage", "UsageTable", "assemble", "build", "data_version",
           "load_table", "patch", "query_text"]

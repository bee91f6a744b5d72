"""Where a spreadsheet import goes: one source, one pair of named graphs, never another's.

A source's public rows go to ``…/graph/contrib/{slug}``, its restricted rows to
``…/graph/restricted/contrib/{slug}``, and its observations name the activity
``…/id/activity/{slug}``. A slug drops case, accents, punctuation and everything past 60
characters, so many sources share one ("Survey 2026!", "survey-2026", "SURVEY 2026"); only
the source that reads as its slug with spaces ("survey 2026") keeps the bare slug, every other
one gets a digest of its exact text after it (``survey-2026-5d41402abc4b``).

A store written before this rule may hold a source under a bare slug it no longer gets: the
source keeps the graphs the meta graph says are its own, and a source whose graphs hold another
source's import gets the digest form. So the same source always lands in the same graphs, and
an import replaces only what its own source said before.

>>> Target.for_source("survey 2026 wave 2", "https://w3id.org/civicgraph/").public
'https://w3id.org/civicgraph/graph/contrib/survey-2026-wave-2'
>>> Target.for_source("Survey 2026!", "https://w3id.org/civicgraph/").public
'https://w3id.org/civicgraph/graph/contrib/survey-2026-7d03a1e7df4b'
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph.errors import InputError
from graph.ingest.spreadsheets.values import digest, quoted, slugify
from graph.namespaces import DCTERMS, META_GRAPH, graph_iri, iri_for
from graph.privacy.access import RESTRICTED_META_GRAPH
from graph.store import Store

_PUBLIC = "contrib/"
_RESTRICTED = "restricted/contrib/"


@dataclass(frozen=True)
class Target:
    """Where an import goes: its graphs and the import activity of its observations."""

    public: str
    restricted: str
    activity: str

    @classmethod
    def for_slug(cls, slug: str, base: str) -> Target:
        return cls(graph_iri(_PUBLIC + slug, base), graph_iri(_RESTRICTED + slug, base),
                   iri_for("activity", slug, base))

    @classmethod
    def for_source(cls, source: str, base: str) -> Target:
        """The target of ``source`` by the rule alone (see the module)."""
        slug = slugify(source)
        if slug.replace("-", " ") == source:
            return cls.for_slug(slug, base)
        return cls.for_slug(_digested(slug, source), base)


def _digested(slug: str, source: str) -> str:
    return f"{slug}-{digest(source)}"


def target_in(store: Store, source: str, base: str) -> Target:
    """The target of ``source`` in ``store``: the graphs its earlier imports filled, else the
    rule's, else (when another source holds those) the digest form. Raises ``InputError`` in
    the unheard-of case where even these hold another source."""
    owners = _owners(store, source, base)
    # a slug is its own slug: not a graph some other writer named under contrib/
    own = sorted(slug for slug, holder in owners if holder == source and slugify(slug) == slug)
    ruled = Target.for_source(source, base)
    candidates = [*own, _slug_of(ruled.public, base), _digested(slugify(source), source)]
    for slug in candidates:
        holders = {holder for s, holder in owners if s == slug}
        if holders <= {source}:
            return Target.for_slug(slug, base)
    slug = candidates[-1]
    other = next(holder for s, holder in owners if s == slug and holder != source)
    raise InputError(f"the graphs of source {quoted(source)} (…/graph/{_PUBLIC}{slug}) hold "
                     f"the import of another source, {quoted(other)}: give another source")


def _slug_of(graph: str, base: str) -> str:
    return graph.removeprefix(graph_iri(_PUBLIC, base))


def _owners(store: Store, source: str, base: str) -> list[tuple[str, str]]:
    """(slug, source) of every import graph described in the meta graphs that ``source``
    may land in: those of ``source`` itself, and those its rule or digest names."""
    ruled = _slug_of(Target.for_source(source, base).public, base)
    slugs = {ruled, _digested(slugify(source), source)}
    wanted = [graph_iri(prefix + slug, base) for slug in slugs
              for prefix in (_PUBLIC, _RESTRICTED)]
    result = store.query(
        f"""SELECT ?graph ?source WHERE {{
              GRAPH ?meta {{ ?graph <{DCTERMS}source> ?source }}
              FILTER(STR(?source) = ?wanted
                     || ?graph IN ({", ".join(f"<{g}>" for g in wanted)}))
              FILTER(STRSTARTS(STR(?graph), ?public) || STRSTARTS(STR(?graph), ?restricted))
              VALUES ?meta {{ <{META_GRAPH}> <{RESTRICTED_META_GRAPH}> }} }}""",
        substitutions={"wanted": ox.Literal(source),
                       "public": ox.Literal(graph_iri(_PUBLIC, base)),
                       "restricted": ox.Literal(graph_iri(_RESTRICTED, base))})
    assert isinstance(result, ox.QuerySolutions)
    owners = []
    for row in result:
        graph = row["graph"].value
        for prefix in (_PUBLIC, _RESTRICTED):
            slug = graph.removeprefix(graph_iri(prefix, base))
            if slug != graph and "/" not in slug:
                owners.append((slug, row["source"].value))
    return owners

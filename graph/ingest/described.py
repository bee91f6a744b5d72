"""A graph's description read back into the ``Provenance`` that made it.

The command line beside a server (``api.commands.connection.ServerStore``) runs the write
path's checks and builds each graph's description (``graph.ingest.provenance.describe``), but
the meta graphs are the server's to write: it sends the description with the content, and the
server takes from it what the one who writes may say -- title(s), source, licence, access
level, who imports, the import activity -- and makes the rest itself (the moment, the size
and the digest of the triples it writes). A description that says nothing of its source, or
that describes another graph, is an ``InputError``.

>>> import pyoxigraph as ox
>>> from graph.ingest.provenance import describe
>>> told = describe("https://e.org/g", Provenance(source="survey", imported_by="ana",
...                 title="Survey", access="restricted", sha256="forged"), 3)
>>> p = provenances(told, ["https://e.org/g"])["https://e.org/g"]
>>> p.source, p.title, p.access, p.imported_by, p.sha256
('survey', 'Survey', 'restricted', 'ana', '')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from graph.errors import InputError
from graph.ingest.provenance import Access, Provenance
from graph.namespaces import CG, DCTERMS, PROV
from graph.privacy.access import new_access

_TITLE, _SOURCE, _LICENCE = DCTERMS + "title", DCTERMS + "source", DCTERMS + "license"
_ACCESS, _BY, _ACTIVITY = CG + "access", CG + "importedBy", PROV + "wasGeneratedBy"


def provenances(description: Iterable[ox.Triple], graphs: Sequence[str],
                *, who: str = "civicgraph", default_access: Access = "public"
                ) -> dict[str, Provenance]:
    """The ``Provenance`` of each of ``graphs`` that ``description`` (triples of
    ``describe``) gives; ``who`` imports when the description does not say, and a graph
    whose access it does not say is at ``default_access`` (restricted by its IRI: always)."""
    said: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = {g: {} for g in graphs}
    for triple in description:
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode) or subject.value not in said:
            raise InputError(f"the description of {subject} names no graph written "
                             f"({', '.join(f'<{g}>' for g in graphs)})")
        if isinstance(triple.object, ox.NamedNode | ox.Literal):
            said[subject.value].setdefault(triple.predicate.value, []).append(triple.object)
    return {graph: _provenance(graph, found, who, default_access)
            for graph, found in said.items()}


def _provenance(graph: str, found: dict[str, list[ox.NamedNode | ox.Literal]],
                who: str, default_access: Access) -> Provenance:
    def one(predicate: str) -> str | None:
        values = found.get(predicate, [])
        if len(values) > 1:
            raise InputError(f"the description of <{graph}> gives {len(values)} values of "
                             f"<{predicate}>: give one")
        return values[0].value if values else None

    source = one(_SOURCE)
    if not source:
        raise InputError(f"the description of <{graph}> gives no <{_SOURCE}>")
    titles = tuple(t for t in found.get(_TITLE, []) if isinstance(t, ox.Literal))
    access = one(_ACCESS)
    if access not in (None, CG + "Public", CG + "Restricted"):
        raise InputError(f"the description of <{graph}>: access <{access}> is neither "
                         f"<{CG}Public> nor <{CG}Restricted>")
    # a graph restricted by its IRI stays so, whatever the description says
    level: Access = "restricted" if access == CG + "Restricted" or new_access(
        graph, "public" if access else default_access) == "restricted" else "public"
    activity = one(_ACTIVITY)
    return Provenance(
        source=source, imported_by=one(_BY) or who, licence=one(_LICENCE),
        title=titles[0].value if len(titles) == 1 else None,
        titles=titles if len(titles) > 1 else (), access=level,
        activity=activity if activity and isinstance(found[_ACTIVITY][0], ox.NamedNode)
        else None)

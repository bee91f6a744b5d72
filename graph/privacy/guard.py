"""The privacy guard: what only a restricted graph may hold.

The write path (``graph.ingest.checking``) runs ``personal_data`` on what a write would put
into a public graph; the public sees persons only through the view derived from their consent
(``graph.privacy.persons``).
"""

from __future__ import annotations

import itertools

import pyoxigraph as ox

from graph.errors import Violation
from graph.namespaces import CG, DPV, FOAF, ORG, RDF


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


#: what only a restricted graph may hold (docs/MODEL.md, People): the public sees persons only
#: through the view derived here from their consent
PERSONAL_TYPES = (FOAF + "Person", ORG + "Membership", DPV + "Consent")
PERSONAL_PROPERTIES = (FOAF + "name", FOAF + "mbox", FOAF + "phone", ORG + "member",
                        DPV + "hasDataSubject", CG + "publicationConsent")


def personal_data(data: ox.Store, *, limit: int = 5) -> list[Violation]:
    """Persons, memberships, consent records and personal properties in ``data`` (parsed
    input about to go into a public graph), as violations naming the node; at most
    ``limit`` of each kind."""
    found: list[Violation] = []
    message = ("personal data goes into a restricted graph (civicgraph load --restricted); "
               "the public sees a person only as their consent allows")
    for kind in PERSONAL_TYPES:
        for quad in itertools.islice(data.quads_for_pattern(
                None, _n(RDF + "type"), _n(kind), None), limit):
            found.append(Violation(str(quad.subject), "rdf:type", "civicgraph:restricted",
                                   None, message, kind))
    for prop in PERSONAL_PROPERTIES:
        for quad in itertools.islice(data.quads_for_pattern(None, _n(prop), None, None),
                                     limit):
            found.append(Violation(str(quad.subject), prop, "civicgraph:restricted", None,
                                   message))
    return found

"""The IRIs civicgraph mints and the vocabularies it reuses, in one place.

>>> iri_for("org", "vecam")
'https://w3id.org/civicgraph/id/org/vecam'
>>> graph_iri("example")
'https://w3id.org/civicgraph/graph/example'
"""

from __future__ import annotations

import re
from typing import Final

CG: Final = "https://w3id.org/civicgraph/ns#"
ONTOLOGY_IRI: Final = "https://w3id.org/civicgraph/ns"
DEFAULT_BASE: Final = "https://w3id.org/civicgraph/"
ID: Final = DEFAULT_BASE + "id/"
GRAPH: Final = DEFAULT_BASE + "graph/"

ORG: Final = "http://www.w3.org/ns/org#"
FOAF: Final = "http://xmlns.com/foaf/0.1/"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
PROV: Final = "http://www.w3.org/ns/prov#"
SCHEMA: Final = "https://schema.org/"
DCTERMS: Final = "http://purl.org/dc/terms/"
SIOC: Final = "http://rdfs.org/sioc/ns#"
SIOCT: Final = "http://rdfs.org/sioc/types#"
DPV: Final = "https://w3id.org/dpv#"
PD: Final = "https://w3id.org/dpv/pd#"
VANN: Final = "http://purl.org/vocab/vann/"
VOID: Final = "http://rdfs.org/ns/void#"
WD: Final = "http://www.wikidata.org/entity/"
IGEO: Final = "http://rdf.insee.fr/def/geo#"
SH: Final = "http://www.w3.org/ns/shacl#"
RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"

#: Prefixes offered to every query (the catalogue, the CLI, the endpoint's editor).
PREFIXES: Final[dict[str, str]] = {
    "cg": CG, "id": ID, "org": ORG, "foaf": FOAF, "skos": SKOS, "prov": PROV,
    "schema": SCHEMA, "dcterms": DCTERMS, "sioc": SIOC, "sioct": SIOCT, "dpv": DPV,
    "pd": PD, "vann": VANN, "void": VOID, "wd": WD, "igeo": IGEO, "sh": SH, "rdf": RDF,
    "rdfs": RDFS, "owl": OWL, "xsd": XSD,
}

#: The named graphs civicgraph itself manages.
VOCABULARY_GRAPH: Final = GRAPH + "vocabulary"
META_GRAPH: Final = GRAPH + "meta"
DERIVED_GRAPH: Final = GRAPH + "derived"
STAGING_PREFIX: Final = GRAPH + "staging/"
RESTRICTED_PREFIX: Final = GRAPH + "restricted/"

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def iri_for(kind: str, slug: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of an instance of ``kind`` named ``slug`` under ``base``."""
    if not _SLUG.match(kind) or not _SLUG.match(slug):
        raise ValueError(f"not a slug: {kind!r}/{slug!r}")
    return f"{base}id/{kind}/{slug}"


def graph_iri(name: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of the named graph ``name`` (which may contain ``/``)."""
    return f"{base}graph/{name}"


def prefix_block(prefixes: dict[str, str] = PREFIXES) -> str:
    """SPARQL ``PREFIX`` declarations for ``prefixes``."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items())

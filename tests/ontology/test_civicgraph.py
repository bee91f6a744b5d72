"""The cg: vocabulary (ontology/civicgraph.ttl): header, labels, definitions, MODEL terms."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS, XSD

from graph.vocabulary import ontology_dir

CG = "https://w3id.org/civicgraph/ns#"
VANN = Namespace("http://purl.org/vocab/vann/")
ONTOLOGY = URIRef("https://w3id.org/civicgraph/ns")
TERM_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    RDFS.Datatype,
    OWL.NamedIndividual,
}

#: every cg: term docs/MODEL.md names, plus cg:HostingKind and cg:publicationConsent (added
#: here) and the derived-figure terms other parts of civicgraph write
MODEL_TERMS = {
    "classes": [
        "Programme",
        "Seminar",
        "PublicDay",
        "Workshop",
        "HostedInstance",
        "SharedSpace",
        "ToolUsage",
        "ObservationActivity",
        "Survey",
        "Interview",
        "ObservationWave",
        "Need",
        "ExperienceReport",
        "EffectObservation",
        "CoDesignProject",
        "HostingKind",
        "RoleCount",  # derived figures (graph/privacy/persons.py)
        "Community",  # derived metrics (visualisations/metrics.py)
    ],
    "object properties": [
        "partner",
        "partOfProgramme",
        "category",
        "software",
        "hostingKind",
        "sharedBy",
        "organisation",
        "tool",
        "practice",
        "status",
        "usesTool",
        "wave",
        "expressedBy",
        "concernsPractice",
        "concernsTool",
        "reportedBy",
        "concernsUsage",
        "effect",
        "onUsage",
        "onExperience",
        "stage",
        "involves",
        "answersNeed",
        "workedOnAt",
        "access",
        "publicationConsent",
        "roleCount",
        "community",
    ],
    "datatype properties": [
        "departement",
        "memberCount",
        "count",
        "communityNumber",
        "size",
        "degree",
        "weightedDegree",
        "betweenness",
        "participationCoefficient",
        "bridgingRank",
        "algorithm",
        "parameters",
        "networkxVersion",
        "isFreeSoftware",
        "framalibreId",
        "observedOn",
        "waveNumber",
        "isFictional",
        "givenOn",
        "withdrawnOn",
        "importedBy",
        "sha256",
    ],
    "datatypes": ["RNA", "SIREN"],
    "individuals": [
        "Public",
        "Restricted",
        "ChatonsHosting",
        "CommercialHosting",
        "SelfHosting",
        "AssociativeHosting",
        "PublicationInCivicgraph",
        "MembershipData",
        "proprietaryLicence",
    ],
}
KIND_TYPE = {
    "classes": OWL.Class,
    "object properties": OWL.ObjectProperty,
    "datatype properties": OWL.DatatypeProperty,
    "datatypes": RDFS.Datatype,
    "individuals": OWL.NamedIndividual,
}


def cg_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(CG)}


def langs(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str | None]:
    return [o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)]


# --- header ------------------------------------------------------------------------------------


def test_header_is_complete(ontology_graph: Graph) -> None:
    g = ontology_graph
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in g
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert sorted(langs(g, ONTOLOGY, predicate)) == ["en", "fr"], predicate
    assert g.value(ONTOLOGY, OWL.versionIRI) == URIRef("https://w3id.org/civicgraph/ns/0.1.0")
    assert g.value(ONTOLOGY, OWL.versionInfo) == Literal("0.1.0")
    assert g.value(ONTOLOGY, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert g.value(ONTOLOGY, DCTERMS.creator) is not None
    for predicate in (DCTERMS.created, DCTERMS.modified):
        assert g.value(ONTOLOGY, predicate).datatype == XSD.date  # type: ignore[union-attr]
    assert g.value(ONTOLOGY, VANN.preferredNamespacePrefix) == Literal("cg")
    assert g.value(ONTOLOGY, VANN.preferredNamespaceUri) == Literal(CG)


# --- every term --------------------------------------------------------------------------------


def test_terms_are_many(ontology_graph: Graph) -> None:
    assert len(cg_terms(ontology_graph)) >= 60


@pytest.mark.parametrize("predicate", [RDFS.label, SKOS.definition], ids=["label", "definition"])
def test_every_term_has_one_french_and_one_english_value(
    ontology_graph: Graph, predicate: URIRef
) -> None:
    missing = {
        str(term): langs(ontology_graph, term, predicate)
        for term in cg_terms(ontology_graph)
        if sorted(langs(ontology_graph, term, predicate)) != ["en", "fr"]
    }
    assert not missing


def test_every_term_is_typed_and_defined_by_the_ontology(ontology_graph: Graph) -> None:
    for term in cg_terms(ontology_graph):
        assert set(ontology_graph.objects(term, RDF.type)) & TERM_TYPES, term
        assert ontology_graph.value(term, RDFS.isDefinedBy) == ONTOLOGY, term


@pytest.mark.parametrize(
    ("kind", "name"), [(kind, name) for kind, names in MODEL_TERMS.items() for name in names]
)
def test_model_term_is_declared(ontology_graph: Graph, kind: str, name: str) -> None:
    assert (URIRef(CG + name), RDF.type, KIND_TYPE[kind]) in ontology_graph


def test_cg_classes_specialise_reused_classes(ontology_graph: Graph) -> None:
    """Reuse before invent: every new class sits under a reused class, except the value class
    cg:HostingKind and the classes of derived figures (cg:RoleCount, cg:Community)."""
    exempt = {URIRef(CG + name) for name in ("HostingKind", "RoleCount", "Community")}
    for cls in ontology_graph.subjects(RDF.type, OWL.Class):
        if cls in exempt:
            continue
        assert list(ontology_graph.objects(cls, RDFS.subClassOf)), cls


@pytest.mark.parametrize(
    ("subclass", "superclass"),
    [
        ("Programme", "https://schema.org/Project"),
        ("Programme", "http://www.w3.org/ns/prov#Activity"),
        ("Seminar", "https://schema.org/Event"),
        ("Seminar", CG + "ObservationActivity"),
        ("HostedInstance", "http://rdfs.org/sioc/ns#Site"),
        ("SharedSpace", "http://rdfs.org/sioc/ns#Container"),
        ("ObservationActivity", "http://www.w3.org/ns/prov#Activity"),
        ("Survey", CG + "ObservationActivity"),
        ("Interview", CG + "ObservationActivity"),
        ("CoDesignProject", "https://schema.org/Project"),
    ],
)
def test_subclass_links_of_model(ontology_graph: Graph, subclass: str, superclass: str) -> None:
    assert (URIRef(CG + subclass), RDFS.subClassOf, URIRef(superclass)) in ontology_graph


def test_object_properties_have_a_range(ontology_graph: Graph) -> None:
    schema = Namespace("https://schema.org/")
    for prop in ontology_graph.subjects(RDF.type, OWL.ObjectProperty):
        ranges = list(ontology_graph.objects(prop, RDFS.range))
        ranges += list(ontology_graph.objects(prop, schema.rangeIncludes))
        assert ranges, prop


def test_date_properties_range_over_xsd_date(ontology_graph: Graph) -> None:
    for name in ("observedOn", "givenOn", "withdrawnOn"):
        assert ontology_graph.value(URIRef(CG + name), RDFS.range) == XSD.date


# --- no undefined cg: terms anywhere -------------------------------------------------------------


def used_cg_terms() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    root = ontology_dir()
    for path in sorted(root.rglob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        for node in graph.all_nodes():
            if isinstance(node, URIRef) and str(node).startswith(CG):
                used.setdefault(str(node), set()).add(str(path.relative_to(root)))
            if isinstance(node, Literal) and node.datatype and str(node.datatype).startswith(CG):
                used.setdefault(str(node.datatype), set()).add(str(path.relative_to(root)))
    context = json.loads((root / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    for value in context.values():
        iri = value["@id"] if isinstance(value, dict) else value
        if isinstance(iri, str) and re.match(r"^cg:\w+$", iri):
            used.setdefault(CG + iri[3:], set()).add("context.jsonld")
    return used


def test_every_cg_term_used_in_the_package_is_defined(ontology_graph: Graph) -> None:
    defined = {str(t) for t in cg_terms(ontology_graph)}
    undefined = {term: files for term, files in used_cg_terms().items() if term not in defined}
    assert not undefined


def test_every_cg_term_in_queries_and_bundled_data_is_defined(ontology_graph: Graph) -> None:
    """The query catalogues and the bundled data use only terms the vocabulary defines."""
    defined = {str(t) for t in cg_terms(ontology_graph)}
    repo = ontology_dir().parent
    used: dict[str, set[str]] = {}
    for folder in ("graph", "api", "visualisations"):
        for path in sorted((repo / folder).rglob("*.rq")):
            for name in re.findall(r"\bcg:([A-Za-z_][\w-]*)", path.read_text(encoding="utf-8")):
                used.setdefault(CG + name, set()).add(str(path.relative_to(repo)))
        for path in sorted((repo / folder).rglob("*.ttl")):
            for node in Graph().parse(path, format="turtle").all_nodes():
                if isinstance(node, URIRef) and str(node).startswith(CG):
                    used.setdefault(str(node), set()).add(str(path.relative_to(repo)))
    assert used, "nothing scanned"
    undefined = {term: files for term, files in used.items() if term not in defined}
    assert not undefined

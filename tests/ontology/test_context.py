"""The JSON-LD context (ontology/context.jsonld): valid, consistent with the namespaces, and
expanding civicgraph data as expected. Nothing is fetched: the context is inlined."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from graph.namespaces import PREFIXES
from graph.vocabulary import context_path, examples

CG = Namespace("https://w3id.org/civicgraph/ns#")
ID = "https://w3id.org/civicgraph/id/"
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
ORG = Namespace("http://www.w3.org/ns/org#")
DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")

# rdflib's own JSON-LD parser builds a ConjunctiveGraph internally (rdflib 7.x); not our code.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def context() -> dict[str, Any]:
    return json.loads(context_path().read_text(encoding="utf-8"))["@context"]  # type: ignore[no-any-return]


DOCUMENT: dict[str, Any] = {
    "@graph": [
        {
            "@id": "id:usage/x",
            "type": "ToolUsage",
            "organisation": "id:org/a",
            "tool": "id:software/etherpad",
            "practice": ["id:practice/voting", "id:practice/deliberation"],
            "status": "id:status/active",
            "observedOn": "2024-05-14",
            "startDate": "2020-01-01",
            "wasGeneratedBy": "id:activity/s",
            "description": {"fr": "Usage fictif", "en": "Fictional usage"},
        },
        {
            "@id": "id:org/a",
            "type": "FormalOrganization",
            "label": {"fr": "Collectif A"},
            "identifier": {"@value": "W931234567", "@type": "cg:RNA"},
            "isFictional": True,
        },
        {
            "@id": "id:instance/i",
            "type": "HostedInstance",
            "label": "Instance",
            "hostingKind": "ChatonsHosting",
            "software": "id:software/etherpad",
        },
        {
            "@id": "id:consent/c",
            "type": "Consent",
            "consentStatus": "ConsentGiven",
            "personalData": ["Name", "MembershipData"],
            "givenOn": "2025-03-01",
        },
        {"@id": "id:wave/2024", "type": "ObservationWave", "waveNumber": 1},
    ]
}


def expanded(context: dict[str, Any]) -> Graph:
    return Graph().parse(data=json.dumps({"@context": context, **DOCUMENT}), format="json-ld")


def test_context_declares_every_civicgraph_prefix(context: dict[str, Any]) -> None:
    assert {p: context.get(p) for p in PREFIXES} == PREFIXES


@pytest.mark.parametrize(
    "triple",
    [
        (URIRef(ID + "usage/x"), RDF.type, CG.ToolUsage),
        (URIRef(ID + "usage/x"), CG.organisation, URIRef(ID + "org/a")),
        (URIRef(ID + "usage/x"), CG.practice, URIRef(ID + "practice/deliberation")),
        (URIRef(ID + "usage/x"), CG.status, URIRef(ID + "status/active")),
        (URIRef(ID + "usage/x"), CG.observedOn, Literal("2024-05-14", datatype=XSD.date)),
        (
            URIRef(ID + "usage/x"),
            URIRef("https://schema.org/startDate"),
            Literal("2020-01-01", datatype=XSD.date),
        ),
        (URIRef(ID + "usage/x"), PROV.wasGeneratedBy, URIRef(ID + "activity/s")),
        (URIRef(ID + "usage/x"), DCTERMS.description, Literal("Fictional usage", lang="en")),
        (URIRef(ID + "org/a"), RDF.type, ORG.FormalOrganization),
        (URIRef(ID + "org/a"), RDFS.label, Literal("Collectif A", lang="fr")),
        (URIRef(ID + "org/a"), ORG.identifier, Literal("W931234567", datatype=CG.RNA)),
        (URIRef(ID + "org/a"), CG.isFictional, Literal(True)),
        (URIRef(ID + "instance/i"), RDFS.label, Literal("Instance")),
        (URIRef(ID + "instance/i"), CG.hostingKind, CG.ChatonsHosting),
        (URIRef(ID + "consent/c"), DPV.hasConsentStatus, DPV.ConsentGiven),
        (URIRef(ID + "consent/c"), DPV.hasPersonalData, PD.Name),
        (URIRef(ID + "consent/c"), DPV.hasPersonalData, CG.MembershipData),
        (URIRef(ID + "consent/c"), CG.givenOn, Literal("2025-03-01", datatype=XSD.date)),
        (URIRef(ID + "wave/2024"), CG.waveNumber, Literal(1)),
    ],
    ids=lambda t: f"{t[0].rsplit('/', 1)[-1]} {t[1].n3().rsplit('#', 1)[-1]}",
)
def test_document_expands_as_expected(
    context: dict[str, Any], triple: tuple[Any, Any, Any]
) -> None:
    assert triple in expanded(context)


def test_expansion_has_no_surprise_triples(context: dict[str, Any]) -> None:
    assert len(expanded(context)) == 26  # 11 + 4 + 4 + 5 + 2, one per key and list item


def test_oxigraph_reads_the_same_graph(context: dict[str, Any]) -> None:
    data = json.dumps({"@context": context, **DOCUMENT})
    quads = list(ox.parse(data, format=ox.RdfFormat.JSON_LD))
    ntriples = "".join(f"{q.triple} .\n" for q in quads)
    assert isomorphic(Graph().parse(data=ntriples, format="nt"), expanded(context))


@pytest.mark.parametrize("path", examples("valid"), ids=lambda p: p.stem)
def test_examples_round_trip_through_the_context(context: dict[str, Any], path: Any) -> None:
    turtle = Graph().parse(path, format="turtle")
    compacted = turtle.serialize(format="json-ld", context=context)
    assert isomorphic(Graph().parse(data=compacted, format="json-ld"), turtle)

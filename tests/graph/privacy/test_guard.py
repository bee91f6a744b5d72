"""The privacy guard (graph/privacy/guard.py): what a write may not put into a public graph,
whatever the vocabulary or the IRI it says it with, and what it still may."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.namespaces import ID
from graph.privacy.guard import may_be_personal, personal_data
from graph.samples.example import EXAMPLE_GRAPHS, ExampleGraph, example_path

PREFIXES = """
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix schema: <https://schema.org/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix dpv: <https://w3id.org/dpv#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix cg: <https://w3id.org/civicgraph/ns#> . @prefix id: <https://w3id.org/civicgraph/id/> .
@prefix ex: <https://example.org/> .
"""
ASSO = "id:org\\/diabete-entraide-93"
P4, P5 = "id:person\\/personne-04", "id:person\\/personne-05"

#: name -> (Turtle about to go into a public graph, a node the refusal must name)
REFUSED = {
    # the tester's write, whole
    "priv7": (f"""{P4} org:memberOf {ASSO} ; schema:name "Camille Durand" ;
                  schema:email "camille@example.org" . {ASSO} org:hasMember {P5} .""",
              f"{ID}person/personne-04"),
    # IRI spaces: any triple about a person, a membership or a consent record
    "a person's rdfs:label": ('id:person\\/personne-02 rdfs:label "Camille" .',
                              f"{ID}person/personne-02"),
    "a person, subject": (f"{P4} cg:isFictional true .", f"{ID}person/personne-04"),
    "a person, object": (f"{ASSO} org:hasMember {P5} .", f"{ID}person/personne-05"),
    "a person, object of any property": (f"{ASSO} rdfs:seeAlso {P5} .",
                                         f"{ID}person/personne-05"),
    "a membership, subject": ('id:membership\\/personne-02-x rdfs:comment "x" .',
                              f"{ID}membership/personne-02-x"),
    "a membership, object": (f"{ASSO} rdfs:seeAlso id:membership\\/personne-02-x .",
                             f"{ID}membership/personne-02-x"),
    "a consent record, subject": ("id:consent\\/personne-02-publication cg:givenOn "
                                  '"2024-01-01" .', f"{ID}consent/personne-02-publication"),
    "a consent record, object": (f"{ASSO} rdfs:seeAlso id:consent\\/personne-02-publication .",
                                 f"{ID}consent/personne-02-publication"),
    "a person under another base": ('<https://example.org/civic/id/person/p> rdfs:label "P" .',
                                    "https://example.org/civic/id/person/p"),
    "an e-mail address": (f"{ASSO} rdfs:seeAlso <mailto:camille@example.org> .",
                          "mailto:camille@example.org"),
    "a phone number": (f"{ASSO} rdfs:seeAlso <tel:+33100000000> .", "tel:+33100000000"),
    # classes, wherever the node's IRI is
    "foaf:Person": ("ex:c a foaf:Person .", "https://example.org/c"),
    "schema:Person": ('ex:c a schema:Person ; schema:name "Camille" .', "https://example.org/c"),
    "vcard:Individual": ("ex:c a vcard:Individual .", "https://example.org/c"),
    "org:Membership": ("ex:m a org:Membership .", "https://example.org/m"),
    "dpv:ConsentRecord": ("ex:r a dpv:ConsentRecord .", "https://example.org/r"),
    # personal properties, whatever the subject
    "foaf:givenName": ('ex:c foaf:givenName "Camille" .', "https://example.org/c"),
    "foaf:familyName": ('ex:c foaf:familyName "Durand" .', "https://example.org/c"),
    "foaf:nick": ('ex:c foaf:nick "cam" .', "https://example.org/c"),
    "foaf:mbox_sha1sum": ('ex:c foaf:mbox_sha1sum "ab12" .', "https://example.org/c"),
    "schema:email": ('ex:c schema:email "camille@example.org" .', "https://example.org/c"),
    "schema:email on an organisation": (f'{ASSO} schema:email "camille@example.org" .',
                                        f"{ID}org/diabete-entraide-93"),
    "schema:telephone": ('ex:c schema:telephone "+33 1 00 00 00 00" .',
                         "https://example.org/c"),
    "schema:givenName": ('ex:c schema:givenName "Camille" .', "https://example.org/c"),
    "schema:familyName": ('ex:c schema:familyName "Durand" .', "https://example.org/c"),
    "schema:birthDate": ('ex:c schema:birthDate "1980-01-01" .', "https://example.org/c"),
    "schema:worksFor": (f"ex:c schema:worksFor {ASSO} .", "https://example.org/c"),
    "vcard:fn": ('ex:c vcard:fn "Camille Durand" .', "https://example.org/c"),
    "vcard:given-name": ('ex:c vcard:given-name "Camille" .', "https://example.org/c"),
    "vcard:email": ('ex:c vcard:email "camille@example.org" .', "https://example.org/c"),
    "vcard:hasEmail": ("ex:c vcard:hasEmail <mailto:camille@example.org> .",
                       "https://example.org/c"),
    "vcard:tel": ('ex:c vcard:tel "+33 1 00 00 00 00" .', "https://example.org/c"),
    "vcard:hasTelephone": ("ex:c vcard:hasTelephone ex:phone .", "https://example.org/c"),
    "vcard:hasMember": ("ex:g vcard:hasMember ex:c .", "https://example.org/g"),
    "org:hasMembership": ("ex:c org:hasMembership ex:m .", "https://example.org/c"),
    "org:organization": (f"ex:m org:organization {ASSO} .", "https://example.org/m"),
    "org:headOf": (f"ex:c org:headOf {ASSO} .", "https://example.org/c"),
    "dpv:hasDataSubject": ("ex:r dpv:hasDataSubject ex:c .", "https://example.org/r"),
    "cg:withdrawnOn": ('ex:r cg:withdrawnOn "2025-01-01" .', "https://example.org/r"),
    # memberships whose member is not known as an organisation
    "org:memberOf, an untyped member": (f"ex:camille org:memberOf {ASSO} .",
                                        "https://example.org/camille"),
    "org:hasMember, an untyped member": (f"{ASSO} org:hasMember ex:camille .",
                                         "https://example.org/camille"),
    "org:hasMember, a blank node": (f'{ASSO} org:hasMember [ rdfs:label "Camille" ] .',
                                    "_:"),
    "schema:memberOf": (f"ex:camille schema:memberOf {ASSO} .", "https://example.org/camille"),
    "schema:member": (f"{ASSO} schema:member ex:camille .", "https://example.org/camille"),
    "schema:members": (f"{ASSO} schema:members ex:camille .", "https://example.org/camille"),
    "foaf:member": (f"{ASSO} foaf:member ex:camille .", "https://example.org/camille"),
}

#: name -> Turtle a public graph may hold
ALLOWED = {
    "a network of organisations": f"{ASSO} org:memberOf id:org\\/reseau-sante-ville .",
    "a network's member organisations": f"id:org\\/reseau-sante-ville org:hasMember {ASSO} .",
    "an organisation typed in the write": f"""ex:asso a org:FormalOrganization ;
        org:memberOf {ASSO} . {ASSO} schema:member [ a schema:NGO ] .""",
    "a software's schema:name": 'id:software\\/loomio schema:name "Loomio" .',
    "an organisation's label": f'{ASSO} rdfs:label "Diabète Entraide" .',
    "an organisation whose slug says person": 'id:org\\/personnes-agees rdfs:label "P" .',
    "another space's person": '<https://example.org/id/personnel/x> rdfs:label "X" .',
}


def store_of(turtle: str) -> ox.Store:
    data = ox.Store()
    data.extend(ox.parse(PREFIXES + turtle, ox.RdfFormat.TURTLE))
    return data


@pytest.mark.parametrize(("turtle", "node"), REFUSED.values(), ids=REFUSED.keys())
def test_personal_data_is_found_and_named(turtle: str, node: str) -> None:
    found = personal_data(store_of(turtle))
    assert found, turtle
    named = [v for v in found if v.focus_node.strip("<>").startswith(node)]
    assert named, found
    assert all(v.constraint == "civicgraph:restricted" and "restricted graph" in v.message
               for v in found)


@pytest.mark.parametrize(("turtle", "node"), REFUSED.values(), ids=REFUSED.keys())
def test_the_quick_test_lets_no_personal_triple_past(turtle: str, node: str) -> None:
    """``may_be_personal`` is what the write path asks of each triple before it builds a
    store for ``personal_data``: it must say yes to one of the triples of each case."""
    assert any(may_be_personal(q.triple) for q in store_of(turtle))


@pytest.mark.parametrize("turtle", ALLOWED.values(), ids=ALLOWED.keys())
def test_public_data_passes(turtle: str) -> None:
    assert personal_data(store_of(turtle)) == []


@pytest.mark.parametrize("graph", EXAMPLE_GRAPHS, ids=[g.name for g in EXAMPLE_GRAPHS])
def test_the_example_is_personal_in_its_restricted_graphs_only(graph: ExampleGraph) -> None:
    data = ox.Store()
    data.extend(ox.parse(example_path(graph).read_bytes(), ox.RdfFormat.TURTLE, base_iri=ID))
    assert bool(personal_data(data)) == (not graph.public)

"""The SHACL shapes against the examples: valid ones conform, invalid ones fail exactly as their
``# expect:`` lines say. Validation runs on example ∪ vocabulary, as civicgraph does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from graph.vocabulary import examples, ontology_dir
from tests.support.shapes import SH, Report, expectations

CG = Namespace("https://w3id.org/civicgraph/ns#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
DPV = Namespace("https://w3id.org/dpv#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")

VALID = examples("valid")
INVALID = examples("invalid")
Validate = Callable[..., Report]


def profile_of(path: Path) -> str:
    return "public" if path.name.startswith("public") else "core"


def name(path: Path) -> str:
    return path.stem


def test_vocabulary_alone_conforms_to_core_shapes(validate: Validate) -> None:
    report = validate(None, "core")
    assert report.conforms, report.text


@pytest.mark.parametrize("path", VALID, ids=name)
def test_valid_example_conforms(validate: Validate, path: Path) -> None:
    report = validate(path, profile_of(path))
    assert report.conforms, report.text


@pytest.mark.parametrize("path", [p for p in VALID if profile_of(p) == "public"], ids=name)
def test_valid_public_example_also_conforms_to_core(validate: Validate, path: Path) -> None:
    report = validate(path, "core")
    assert report.conforms, report.text


@pytest.mark.parametrize("path", INVALID, ids=name)
def test_invalid_example_starts_with_an_expectation(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith("# expect: ")
    assert expectations(path)


@pytest.mark.parametrize("path", INVALID, ids=name)
def test_invalid_example_fails_exactly_as_expected(validate: Validate, path: Path) -> None:
    report = validate(path, profile_of(path))
    assert not report.conforms
    assert report.results == expectations(path), report.text


#: the main classes, and the type a focus node must have for an example to count for it
MAIN_CLASSES = {
    "tool usage": CG.ToolUsage,
    "organisation": ORG.Organization,
    "software": SCHEMA.SoftwareApplication,
    "hosted instance": CG.HostedInstance,
    "shared space": CG.SharedSpace,
    "need": CG.Need,
    "experience report": CG.ExperienceReport,
    "effect observation": CG.EffectObservation,
    "co-design project": CG.CoDesignProject,
    "event": SCHEMA.Event,
    "resource": SCHEMA.CreativeWork,
    "membership": ORG.Membership,
    "consent": DPV.Consent,
    "person": FOAF.Person,
    "observation wave": CG.ObservationWave,
    "commune": IGEO.Commune,
    "concept": SKOS.Concept,
}


def instances(graph: Graph, cls: URIRef, vocabulary: Graph) -> set[URIRef]:
    """Instances of ``cls`` or of its subclasses (following the vocabulary's rdfs:subClassOf)."""
    subclasses = set(vocabulary.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in subclasses for s in graph.subjects(RDF.type, c) if isinstance(s, URIRef)}


@pytest.mark.parametrize("label", MAIN_CLASSES)
def test_each_main_class_has_valid_and_invalid_examples(label: str, vocabulary: Graph) -> None:
    cls = MAIN_CLASSES[label]
    valid = [p for p in VALID if instances(Graph().parse(p), cls, vocabulary)]
    invalid = [
        p
        for p in INVALID
        if {URIRef(focus) for _, focus in expectations(p)}
        & instances(Graph().parse(p), cls, vocabulary)
    ]
    assert valid, f"no valid example has a {label}"
    assert invalid, f"no invalid example fails on a {label}"


def test_public_profile_rejects_a_non_consenting_persons_email(validate: Validate) -> None:
    """The restricted example (a person without consent, with an e-mail) is not publishable."""
    restricted = ontology_dir() / "examples" / "valid" / "membership-consent.ttl"
    assert validate(restricted, "core").conforms
    report = validate(restricted, "public", with_vocabulary=False)
    dominique = "https://w3id.org/civicgraph/id/person/dominique-exemple"
    assert not report.conforms
    assert ("sh:HasValueConstraintComponent", dominique) in report.results  # e-mail, no consent
    assert ("sh:MinCountConstraintComponent", dominique) in report.results  # no consent at all


def test_public_profile_on_the_vocabulary_alone_conforms(validate: Validate) -> None:
    """The vocabulary graph is public: it must hold no personal data."""
    assert validate(None, "public").conforms


@pytest.mark.parametrize("profile", ["core", "public", "meta"])
def test_shapes_use_shacl_core_only(shapes: dict[str, Graph], profile: str) -> None:
    used = {p for p in shapes[profile].predicates() if str(p).startswith(str(SH))}
    used |= {o for o in shapes[profile].objects(None, RDF.type) if str(o).startswith(str(SH))}
    sparql_based = {
        SH.sparql,
        SH.SPARQLConstraint,
        SH.SPARQLTarget,
        SH.target,
        SH.select,
        SH.ask,
        SH.rule,
        SH.SPARQLRule,
    }
    assert not used & sparql_based


@pytest.mark.parametrize("profile", ["core", "public", "meta"])
def test_node_shapes_target_by_class_or_subjects_of(shapes: dict[str, Graph], profile: str) -> None:
    g = shapes[profile]
    targets = {p for p in g.predicates() if str(p).startswith(str(SH) + "target")}
    assert targets <= {SH.targetClass, SH.targetSubjectsOf}
    assert targets


@pytest.mark.parametrize("profile", ["core", "public", "meta"])
def test_every_message_has_an_english_version(shapes: dict[str, Graph], profile: str) -> None:
    g = shapes[profile]
    for shape in set(g.subjects(SH.message, None)):
        messages = [m for m in g.objects(shape, SH.message) if isinstance(m, Literal)]
        assert any(m.language == "en" for m in messages), shape


def test_core_shapes_cover_every_class_of_the_model(shapes: dict[str, Graph]) -> None:
    targeted = set(shapes["core"].objects(None, SH.targetClass))
    assert set(MAIN_CLASSES.values()) | {CG.Programme, CG.ObservationActivity} <= targeted


def test_meta_shapes_accept_a_graph_description_and_reject_a_bad_one(
    validate: Validate, tmp_path: Path
) -> None:
    good = tmp_path / "meta.ttl"
    good.write_text(
        """@prefix cg: <https://w3id.org/civicgraph/ns#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/civicgraph/graph/example> a void:Dataset , prov:Entity ;
    dcterms:title "Example" ; dcterms:source "example.trig" ;
    prov:generatedAtTime "2026-11-29T10:00:00Z"^^xsd:dateTime ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    cg:importedBy "test" ; cg:access cg:Public ; void:triples 1234 ;
    cg:sha256 "%s" .
"""
        % ("a" * 64),
        encoding="utf-8",
    )
    assert validate(good, "meta", with_vocabulary=False).conforms
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        good.read_text(encoding="utf-8").replace("cg:Public", "cg:SelfHosting"), encoding="utf-8"
    )
    report = validate(bad, "meta", with_vocabulary=False)
    assert report.results == {
        ("sh:InConstraintComponent", "https://w3id.org/civicgraph/graph/example")
    }

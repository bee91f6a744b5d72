"""The SKOS concept schemes (ontology/schemes/*.ttl)."""

from __future__ import annotations

import re

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from graph.vocabulary import ontology_dir

ID = "https://w3id.org/civicgraph/id/"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KINDS = [
    "practice",
    "tool-category",
    "field",
    "org-kind",
    "role",
    "effect",
    "status",
    "stage",
    "resource-type",
]

#: concepts docs/MODEL.md names explicitly (other helpers rely on these slugs)
MODEL_SLUGS = {
    "practice": [
        "internal-communication",
        "decision-making",
        "co-writing",
        "event-organisation",
        "mobilisation",
        "knowledge-sharing",
        "project-coordination",
        "public-communication",
        "member-management",
        "remote-meeting",
        "consensus-decision",
        "voting",
        "agenda-setting",
        "minutes-taking",
        "document-co-editing",
        "newsletter",
        "petition",
    ],
    "tool-category": [
        "mailing-list",
        "pad",
        "wiki",
        "chat",
        "video-conferencing",
        "decision-making-platform",
        "social-network",
        "file-sharing",
        "calendar",
        "forum",
        "project-management",
        "mapping",
        "survey-form",
    ],
    "field": [
        "urban-question",
        "health",
        "housing",
        "environment",
        "digital-commons",
        "social-economy",
    ],
    "org-kind": [
        "association",
        "union",
        "collective",
        "network",
        "public-body",
        "foundation",
        "cooperative",
        "patients-association",
    ],
    "role": [
        "member",
        "board-member",
        "president",
        "treasurer",
        "employee",
        "volunteer",
        "facilitator",
    ],
    "effect": [
        "roles-redistributed",
        "remote-members-included",
        "platform-dependency",
        "information-overload",
        "transparency-increased",
        "exclusion-digital-divide",
        "data-sovereignty",
    ],
    "status": ["active", "trial", "abandoned"],
    "stage": ["idea", "prototype", "tested", "adopted"],
    "resource-type": ["guide", "method", "report", "video"],
}


def scheme_graph(kind: str) -> Graph:
    return Graph().parse(ontology_dir() / "schemes" / f"{kind}.ttl", format="turtle")


def concepts(graph: Graph) -> set[URIRef]:
    return {c for c in graph.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef)}


def langs(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str | None]:
    return sorted(
        (o.language or "") for o in graph.objects(subject, predicate) if isinstance(o, Literal)
    )


def test_one_file_per_scheme() -> None:
    files = {p.stem for p in (ontology_dir() / "schemes").glob("*.ttl")}
    assert files == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_scheme_header(kind: str) -> None:
    g = scheme_graph(kind)
    scheme = URIRef(f"{ID}scheme/{kind}")
    assert list(g.subjects(RDF.type, SKOS.ConceptScheme)) == [scheme]
    assert langs(g, scheme, DCTERMS.title) == ["en", "fr"]
    assert langs(g, scheme, SKOS.prefLabel) == ["en", "fr"]
    assert list(g.objects(scheme, SKOS.hasTopConcept))


@pytest.mark.parametrize("kind", KINDS)
def test_every_concept_is_complete(kind: str) -> None:
    g = scheme_graph(kind)
    scheme = URIRef(f"{ID}scheme/{kind}")
    for concept in concepts(g):
        iri = str(concept)
        assert iri.startswith(f"{ID}{kind}/") and SLUG.match(iri.rsplit("/", 1)[1]), iri
        assert langs(g, concept, SKOS.prefLabel) == ["en", "fr"], iri
        assert langs(g, concept, SKOS.definition) == ["en", "fr"], iri
        assert list(g.objects(concept, SKOS.inScheme)) == [scheme], iri


@pytest.mark.parametrize("kind", KINDS)
def test_broader_and_narrower_are_symmetric_and_stay_in_scheme(kind: str) -> None:
    g = scheme_graph(kind)
    members = concepts(g)
    broader = {(s, o) for s, o in g.subject_objects(SKOS.broader)}
    narrower_inverted = {(o, s) for s, o in g.subject_objects(SKOS.narrower)}
    assert broader == narrower_inverted
    assert {node for pair in broader for node in pair} <= members


@pytest.mark.parametrize("kind", KINDS)
def test_hierarchy_has_no_cycle(kind: str) -> None:
    g = scheme_graph(kind)
    for concept in concepts(g):
        seen: set[URIRef] = set()
        node: URIRef | None = concept
        while node is not None:
            assert node not in seen, f"cycle through {concept}"
            seen.add(node)
            parents = list(g.objects(node, SKOS.broader))
            assert len(parents) <= 1, f"{node} has several broader concepts"
            node = parents[0] if parents else None  # type: ignore[assignment]


@pytest.mark.parametrize("kind", KINDS)
def test_top_concepts_are_exactly_those_without_broader(kind: str) -> None:
    g = scheme_graph(kind)
    scheme = URIRef(f"{ID}scheme/{kind}")
    without_broader = {c for c in concepts(g) if g.value(c, SKOS.broader) is None}
    assert set(g.subjects(SKOS.topConceptOf, scheme)) == without_broader
    assert set(g.objects(scheme, SKOS.hasTopConcept)) == without_broader


@pytest.mark.parametrize("kind", KINDS)
def test_labels_are_unique_within_a_scheme(kind: str) -> None:
    g = scheme_graph(kind)
    labels = [(o.language, str(o)) for c in concepts(g) for o in g.objects(c, SKOS.prefLabel)]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize(
    ("kind", "slug"), [(k, s) for k, slugs in MODEL_SLUGS.items() for s in slugs]
)
def test_model_concept_exists(kind: str, slug: str) -> None:
    assert URIRef(f"{ID}{kind}/{slug}") in concepts(scheme_graph(kind))


def test_practice_scheme_is_large_and_hierarchical() -> None:
    g = scheme_graph("practice")
    assert len(concepts(g)) >= 24
    tops = set(g.objects(URIRef(f"{ID}scheme/practice"), SKOS.hasTopConcept))
    assert len(tops) >= 8
    assert all(list(g.objects(top, SKOS.narrower)) for top in tops), "every top has narrower"
    depth_three = [
        c
        for c in concepts(g)
        if any(g.value(p, SKOS.broader) is not None for p in g.objects(c, SKOS.broader))
    ]
    assert depth_three, "at least one three-level branch"


@pytest.mark.parametrize("kind", ["effect", "field", "tool-category"])
def test_grouped_schemes_have_broader_groupings(kind: str) -> None:
    g = scheme_graph(kind)
    assert len(list(g.subject_objects(SKOS.broader))) >= len(concepts(g)) // 2


@pytest.mark.parametrize(("kind", "members"), [("status", 3), ("stage", 4)])
def test_small_schemes_are_flat(kind: str, members: int) -> None:
    g = scheme_graph(kind)
    assert len(concepts(g)) == members
    assert not list(g.subject_objects(SKOS.broader))


def test_stages_are_ordered_by_notation() -> None:
    g = scheme_graph("stage")
    order = sorted(concepts(g), key=lambda c: int(g.value(c, SKOS.notation)))  # type: ignore[arg-type]
    assert [str(c).rsplit("/", 1)[1] for c in order] == ["idea", "prototype", "tested", "adopted"]


def test_scheme_files_declare_their_own_prefix() -> None:
    """Concepts are written `practice:voting`: `id:practice/voting` is not legal Turtle."""
    for kind in KINDS:
        text = (ontology_dir() / "schemes" / f"{kind}.ttl").read_text(encoding="utf-8")
        assert f"@prefix {kind}: <{ID}{kind}/> ." in text

"""The bundled example dataset: it parses, conforms, keeps people private, flags fiction and
holds the patterns the query catalogue is tested on."""

from __future__ import annotations

import re
from typing import Literal

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib

from graph.namespaces import CG, ID, prefix_block
from graph.samples.data.build_example import build
from graph.samples.example import EXAMPLE_GRAPHS, ExampleGraph, example_path
from graph.vocabulary import shapes_path, vocabulary_files

VOCABULARY_FILES = vocabulary_files()
PUBLIC = next(g for g in EXAMPLE_GRAPHS if g.name == "example")
MEMBERS = next(g for g in EXAMPLE_GRAPHS if g.name == "example-members")
CONSENT = next(g for g in EXAMPLE_GRAPHS if g.name == "example-consent")
REAL_ORGS = {"vecam", "fonda", "aitec", "region-ile-de-france", "framasoft"}


def _store(*graphs: ExampleGraph, vocabulary: bool = False) -> ox.Store:
    store = ox.Store()
    for graph in graphs:
        store.load(example_path(graph).read_bytes(), format=ox.RdfFormat.TURTLE)
    if vocabulary:
        for path in VOCABULARY_FILES:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def public() -> ox.Store:
    return _store(PUBLIC, vocabulary=True)


def _select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    """Rows of plain strings; ``id:kind/slug`` in the query stands for the full IRI."""
    query = re.sub(r"\bid:([a-z-]+/[a-z0-9-]+)", rf"<{ID}\1>", query)
    result = store.query(prefix_block() + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(s[n].value.removeprefix(ID) if s[n] is not None else "" for n in names)
            for s in result]


def _count(store: ox.Store, query: str) -> int:
    return int(_select(store, query)[0][0])


# -- files -------------------------------------------------------------------------------------

def test_committed_files_are_the_builders_output() -> None:
    built = build()
    assert sorted(built) == sorted(g.file for g in EXAMPLE_GRAPHS)
    for graph in EXAMPLE_GRAPHS:
        assert example_path(graph).read_text(encoding="utf-8") == built[graph.file], (
            f"{graph.file} is stale: run python -m graph.samples.data.build_example")


@pytest.mark.parametrize("graph", EXAMPLE_GRAPHS, ids=lambda g: g.name)
def test_file_parses_with_oxigraph_and_rdflib(graph: ExampleGraph) -> None:
    data = example_path(graph).read_bytes()
    triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    assert len(rdflib.Graph().parse(data=data, format="turtle")) == len(triples) > 50


def test_manifest_names_public_and_restricted_graphs() -> None:
    assert [(g.name, g.public) for g in EXAMPLE_GRAPHS] == [
        ("example", True), ("example-members", False), ("example-consent", False)]
    assert all(g.licence == "https://creativecommons.org/licenses/by/4.0/" for g in EXAMPLE_GRAPHS)
    assert all(g.iri.startswith("https://w3id.org/civicgraph/graph/example")
               for g in EXAMPLE_GRAPHS)


# -- shapes ------------------------------------------------------------------------------------

def _validate(graph: ExampleGraph, shapes: Literal["core", "public"],
              with_vocabulary: bool) -> tuple[bool, str]:
    data = rdflib.Graph().parse(data=example_path(graph).read_bytes(), format="turtle")
    if with_vocabulary:
        for path in VOCABULARY_FILES:
            data.parse(path)
    conforms, _, text = pyshacl.validate(
        data, shacl_graph=rdflib.Graph().parse(shapes_path(shapes)),
        inference="none", allow_warnings=True)
    return bool(conforms), str(text)


@pytest.mark.parametrize("graph", EXAMPLE_GRAPHS, ids=lambda g: g.name)
def test_file_conforms_to_the_core_shapes(graph: ExampleGraph) -> None:
    conforms, report = _validate(graph, "core", with_vocabulary=True)
    assert conforms, report[:3000]


def test_public_file_conforms_to_the_public_profile() -> None:
    conforms, report = _validate(PUBLIC, "public", with_vocabulary=False)
    assert conforms, report[:3000]


def test_members_file_breaks_the_public_profile() -> None:
    """The profile is not vacuous: the restricted members file must fail it."""
    conforms, _ = _validate(MEMBERS, "public", with_vocabulary=False)
    assert not conforms


# -- size and shape of the programme -----------------------------------------------------------

@pytest.mark.parametrize(("what", "query", "low", "high"), [
    ("organisations", "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a ?c . "
     "VALUES ?c { org:Organization org:FormalOrganization org:OrganizationalCollaboration "
     "org:OrganizationalUnit } }", 40, 50),
    ("software", "SELECT (COUNT(*) AS ?n) WHERE { ?s a schema:SoftwareApplication }", 30, 40),
    ("usages", "SELECT (COUNT(*) AS ?n) WHERE { ?u a cg:ToolUsage }", 200, 400),
    ("waves", "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?u a cg:ToolUsage ; "
     "prov:wasGeneratedBy/cg:wave ?w }", 2, 2),
    ("projects", "SELECT (COUNT(*) AS ?n) WHERE { ?p a cg:CoDesignProject }", 3, 5),
    ("project stages", "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?p cg:stage ?s }", 4, 4),
    ("needs", "SELECT (COUNT(*) AS ?n) WHERE { ?x a cg:Need }", 8, 20),
    ("experiences", "SELECT (COUNT(*) AS ?n) WHERE { ?x a cg:ExperienceReport }", 10, 30),
    ("effects", "SELECT (COUNT(*) AS ?n) WHERE { ?x a cg:EffectObservation }", 15, 40),
    ("resources", "SELECT (COUNT(*) AS ?n) WHERE { ?x a schema:CreativeWork ; dcterms:license ?l }",
     5, 20),
    ("hosted instances", "SELECT (COUNT(*) AS ?n) WHERE { ?x a cg:HostedInstance }", 8, 20),
    ("seminars", "SELECT (COUNT(*) AS ?n) WHERE { ?x a cg:Seminar ; cg:partOfProgramme ?p }",
     6, 6),
    ("public days", "SELECT (COUNT(*) AS ?n) WHERE { ?x a cg:PublicDay }", 2, 2),
    ("software with a Wikidata id", "SELECT (COUNT(*) AS ?n) WHERE { ?s a "
     "schema:SoftwareApplication ; owl:sameAs ?wd }", 12, 40),
])
def test_dataset_has_the_programmes_shape(public: ox.Store, what: str, query: str, low: int,
                                          high: int) -> None:
    assert low <= _count(public, query) <= high, what


def test_programme_names_its_real_organiser_partners_and_funder(public: ox.Store) -> None:
    rows = _select(public, """SELECT ?organiser ?partner ?funder WHERE {
        id:programme/formation-action-idf schema:organizer ?organiser ; cg:partner ?partner ;
        schema:funder ?funder }""")
    assert sorted(rows) == [("org/vecam", "org/aitec", "org/region-ile-de-france"),
                            ("org/vecam", "org/fonda", "org/region-ile-de-france")]


def test_every_concept_used_exists_in_the_schemes(public: ox.Store) -> None:
    schemes = "practice|tool-category|field|org-kind|role|effect|status|stage|resource-type"
    missing = _select(public, f"""SELECT DISTINCT ?c WHERE {{
        ?s ?p ?c FILTER(isIRI(?c))
        FILTER(REGEX(STR(?c), "^{ID}({schemes})/"))
        FILTER NOT EXISTS {{ ?c a skos:Concept }} }}""")
    assert missing == []


def test_every_instance_referenced_is_described(public: ox.Store) -> None:
    dangling = _select(public, f"""SELECT DISTINCT ?o WHERE {{
        ?s ?p ?o . FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{ID}"))
        FILTER NOT EXISTS {{ ?o ?q ?v }} }}""")
    assert dangling == []


# -- fiction and real organisations --------------------------------------------------------------

def test_every_fictional_resource_says_so_in_french_and_english(public: ox.Store) -> None:
    rows = _select(public, """SELECT ?s ?fr ?en WHERE { ?s cg:isFictional true .
        OPTIONAL { ?s dcterms:description ?fr FILTER(LANG(?fr) = "fr") }
        OPTIONAL { ?s dcterms:description ?en FILTER(LANG(?en) = "en") } }""")
    assert len(rows) > 300
    bad = [s for s, fr, en in rows
           if not re.search(r"\bfictif|\bfictive", fr) or "Fictional" not in en]
    assert bad == []


@pytest.mark.parametrize("cls", [
    "cg:ToolUsage", "cg:Need", "cg:ExperienceReport", "cg:EffectObservation", "cg:CoDesignProject",
    "schema:CreativeWork", "schema:Event", "cg:SharedSpace", "cg:ObservationActivity",
    "cg:ObservationWave", "org:Organization",
])
def test_instances_of_invented_kinds_are_flagged(public: ox.Store, cls: str) -> None:
    unflagged = _select(public, f"""SELECT ?s WHERE {{ ?s a/rdfs:subClassOf* {cls} .
        FILTER NOT EXISTS {{ ?s cg:isFictional true }} }}""")
    expected = sorted(f"org/{o}" for o in REAL_ORGS) if cls == "org:Organization" else []
    assert sorted(s for (s,) in unflagged) == expected


def test_real_organisations_appear_only_in_their_programme_roles(public: ox.Store) -> None:
    roles = _select(public, """SELECT DISTINCT ?p WHERE { ?s ?p ?o . VALUES ?o {
        id:org/vecam id:org/fonda id:org/aitec id:org/region-ile-de-france id:org/framasoft } }""")
    assert sorted(p for (p,) in roles) == sorted([
        f"https://schema.org/{p}" for p in ("organizer", "funder", "provider")] + [CG + "partner"])


# -- privacy -------------------------------------------------------------------------------------

def test_public_file_holds_no_person_membership_or_consent() -> None:
    text = example_path(PUBLIC).read_text(encoding="utf-8")
    for needle in ("foaf:", "org:Membership", "dpv:", "<person/", "<membership/", "<consent/",
                   "mailto:", "tel:"):
        assert needle not in text
    store = _store(PUBLIC)
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER("
                         "CONTAINS(STR(?s), '/id/person/') || CONTAINS(STR(?o), '/id/person/')"
                         " || STRSTARTS(STR(?p), STR(foaf:))"
                         " || STRSTARTS(STR(?p), STR(dpv:))) }") == 0


def test_people_live_only_in_the_restricted_files() -> None:
    store = _store(MEMBERS, CONSENT)
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a foaf:Person ; foaf:name ?n ; "
                         "cg:isFictional true }") >= 30
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?m a org:Membership ; "
                         "org:role ?r }") >= 30
    members_text = example_path(MEMBERS).read_text(encoding="utf-8")
    assert "dpv:Consent" not in members_text
    assert "foaf:Person" not in example_path(CONSENT).read_text(encoding="utf-8")
    assert re.findall(r"mailto:[^>]+", members_text) and all(
        m.endswith("@example.org") for m in re.findall(r"mailto:[^>]+", members_text))


def test_consent_records_cover_given_refused_and_withdrawn() -> None:
    store = _store(MEMBERS, CONSENT)
    rows = _select(store, """SELECT ?person ?status WHERE { ?c dpv:hasDataSubject ?person ;
        dpv:hasConsentStatus ?status . ?person a foaf:Person }""")
    statuses = {status.rsplit("#", 1)[1] for _, status in rows}
    assert statuses == {"ConsentGiven", "ConsentWithdrawn"}
    assert sum(s.endswith("ConsentWithdrawn") for _, s in rows) == 1
    persons = _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a foaf:Person }")
    assert 5 <= len(rows) < persons, "some people must have given no consent at all"


# -- designed patterns (graph/samples/data/example_usages.py) -------------------------------------

def test_migrations_from_commercial_to_free_tools_for_the_same_practice(public: ox.Store) -> None:
    rows = _select(public, """SELECT DISTINCT ?o ?p ?old ?new WHERE {
        ?a a cg:ToolUsage ; cg:organisation ?o ; cg:tool ?ta ; cg:practice ?p ;
           cg:status id:status/abandoned ; schema:endDate ?end .
        ?ta cg:software? ?old . ?old a schema:SoftwareApplication ; cg:isFreeSoftware false .
        ?b a cg:ToolUsage ; cg:organisation ?o ; cg:tool ?new ; cg:practice ?p ;
           cg:status id:status/active ; schema:startDate ?start . FILTER(?start >= ?end)
        ?new cg:software? ?sw . ?sw a schema:SoftwareApplication .
        FILTER(EXISTS { ?sw cg:isFreeSoftware true }
               || EXISTS { ?new sioc:has_host?/cg:hostingKind cg:ChatonsHosting }) }""")
    assert sorted(rows) == sorted([
        ("org/collectif-sante-belleville", "practice/instant-messaging", "software/whatsapp",
         "space/equipe-inter-assos"),
        ("org/amicale-quatre-vents", "practice/announcement", "software/facebook",
         "space/liste-locataires-93"),
        ("org/atelier-urbanisme-plaine", "practice/document-co-editing", "software/google-docs",
         "instance/framapad"),
        ("org/reseau-sante-mentale-94", "practice/video-meeting", "software/zoom",
         "instance/fabrique-bbb"),
        ("org/coordination-quartiers-populaires", "practice/video-meeting", "software/zoom",
         "instance/chatons-canal-jitsi"),
        ("org/climat-versailles", "practice/internal-discussion", "software/slack",
         "software/rocket-chat"),
        ("org/comite-usagers-aubervilliers", "practice/date-polling", "software/doodle",
         "instance/framadate"),
        ("org/culture-quartiers-bagnolet", "practice/date-polling", "software/doodle",
         "instance/framadate"),
        ("org/velo-mobilites-argenteuil", "practice/task-management", "software/trello",
         "software/wekan"),
        ("org/vitry-sante-environnement", "practice/event-registration", "software/facebook",
         "software/mobilizon"),
    ])


@pytest.mark.parametrize(("wave_with", "wave_without", "expected"), [
    ("2025", "2024", ["bigbluebutton", "carto-quartier", "cryptpad", "decidim", "mobilizon",
                      "rocket-chat"]),
    ("2024", "2025", ["doodle", "skype", "trello"]),
])
def test_software_that_appeared_or_was_abandoned_between_waves(
        public: ox.Store, wave_with: str, wave_without: str, expected: list[str]) -> None:
    rows = _select(public, f"""SELECT DISTINCT ?sw WHERE {{
        ?u a cg:ToolUsage ; cg:tool ?t ; cg:status ?s ;
           prov:wasGeneratedBy/cg:wave id:wave/{wave_with} .
        FILTER(?s != id:status/abandoned) ?t cg:software? ?sw . ?sw a schema:SoftwareApplication .
        FILTER NOT EXISTS {{ ?v a cg:ToolUsage ; cg:tool ?t2 ; cg:status ?s2 ;
            prov:wasGeneratedBy/cg:wave id:wave/{wave_without} .
            FILTER(?s2 != id:status/abandoned) ?t2 cg:software? ?sw }} }}""")
    assert sorted(sw.removeprefix("software/") for (sw,) in rows) == expected


def test_spaces_shared_by_several_organisations(public: ox.Store) -> None:
    rows = _select(public, """SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s a cg:SharedSpace ;
        cg:sharedBy ?o } GROUP BY ?s HAVING (COUNT(?o) > 1)""")
    assert sorted(rows) == [("space/dossier-champigny", "2"), ("space/equipe-inter-assos", "3"),
                            ("space/liste-locataires-93", "4"),
                            ("space/liste-sante-communautaire", "5"),
                            ("space/loomio-convergence", "6"), ("space/wiki-convergence", "6")]


def test_health_organisations_deciding_with_tools(public: ox.Store) -> None:
    rows = _select(public, """SELECT DISTINCT ?o ?sw ?start WHERE {
        ?u a cg:ToolUsage ; cg:organisation ?o ; cg:tool ?t ; cg:practice ?p ;
           schema:startDate ?start .
        ?o org:purpose/skos:broader* id:field/health .
        ?p skos:broader* id:practice/decision-making .
        ?t cg:software? ?sw . ?sw a schema:SoftwareApplication . }""")
    assert sorted(rows) == [
        ("org/aidants-essonne", "software/google-forms", "2022-01-10"),
        ("org/collectif-sante-belleville", "software/loomio", "2023-11-15"),
        ("org/diabete-entraide-93", "software/loomio", "2023-09-01"),
        ("org/positifs-ensemble", "software/loomio", "2022-05-01"),
        ("org/precarite-energetique-93", "software/loomio", "2024-01-10"),
        ("org/reseau-sante-mentale-94", "software/decidim", "2024-11-15"),
        ("org/reseau-sante-ville", "software/loomio", "2023-11-15"),
        ("org/union-sante-social-93", "software/mattermost", "2023-02-01"),
    ]


def test_needs_answered_by_projects(public: ox.Store) -> None:
    rows = _select(public, "SELECT ?n ?p WHERE { ?p cg:answersNeed ?n }")
    assert sorted(rows) == [
        ("need/associer-membres-eloignes", "project/decider-a-distance"),
        ("need/cartographier-entraide", "project/carte-lieux-entraide"),
        ("need/decider-entre-les-reunions", "project/decider-a-distance"),
        ("need/quitter-whatsapp", "project/sortir-de-whatsapp"),
        ("need/reduire-surcharge-messages", "project/sortir-de-whatsapp"),
        ("need/signaler-logement-indigne", "project/signalement-logement"),
    ]


def test_usages_rest_on_one_or_several_sources(public: ox.Store) -> None:
    rows = _select(public, """SELECT ?k (COUNT(*) AS ?n) WHERE { { SELECT ?u
        (COUNT(DISTINCT ?a) AS ?k) WHERE { ?u a cg:ToolUsage ; prov:wasGeneratedBy ?a }
        GROUP BY ?u } }
        GROUP BY ?k""")
    assert sorted(rows) == [("1", "239"), ("2", "43")]

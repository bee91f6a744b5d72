"""The catalogue's exact answers on the example from the facts' §6 on: effects, needs and
co-design projects, single sources, tool maps, organisations, free software share,
shared resources, and the same answers over all graphs."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import ROUND_FLOOR, Decimal

import pyoxigraph as ox
import pytest

from graph.queries.catalogue import (
    CatalogueQuery,
    run,
)
from graph.store import Store
from tests.graph.queries.catalogue import (
    CATALOGUE,
    CG,
    DCTERMS,
    ID,
    INJECTION,
    ORG,
    PROV,
    PUBLIC,
    RDF_TYPE,
    SCHEMA,
    Raw,
    answer,
    cut,
)

EFFECTS = {  # facts §6: software -> effect -> observations
    "bigbluebutton": {"remote-members-included": 1},
    "decidim": {"transparency-increased": 1},
    "etherpad": {"participation-broadened": 1},
    "facebook": {"exclusion-digital-divide": 1},
    "google-docs": {"exclusion-digital-divide": 1, "surveillance-exposure": 1},
    "loomio": {"decision-speed": 1, "remote-members-included": 1, "transparency-increased": 1},
    "mattermost": {"data-sovereignty": 1, "power-concentration": 1, "roles-redistributed": 1},
    "mediawiki": {"memory-preserved": 1},
    "microsoft-teams": {"vendor-lock-in": 1},
    "mobilizon": {"data-sovereignty": 1},
    "slack": {"platform-dependency": 1, "vendor-lock-in": 1},
    "sympa": {"newcomers-integrated": 1},
    "wekan": {"skills-developed": 1},
    "whatsapp": {"information-overload": 2, "platform-dependency": 1, "volunteer-fatigue": 1},
    "yakforms": {"time-saved": 1},
    "zoom": {"platform-dependency": 1},
}


def effect_rows(software: str | None = None, group: set[str] | None = None,
                ) -> set[tuple[str, str, int]]:
    return {(f"software/{s}", f"effect/{e}", n) for s, effects in EFFECTS.items()
            for e, n in effects.items()
            if (software is None or s == software) and (group is None or e in group)}


AUTONOMY = {"platform-dependency", "data-sovereignty", "vendor-lock-in", "surveillance-exposure"}


@pytest.mark.parametrize(("params", "expected"), [
    ({}, effect_rows()),
    ({"tool": "whatsapp"}, effect_rows("whatsapp")),
    ({"tool": "https://w3id.org/civicgraph/id/software/loomio"}, effect_rows("loomio")),
    ({"effect_group": "autonomy"}, effect_rows(group=AUTONOMY)),
    ({"effect_group": "vendor-lock-in"}, effect_rows(group={"vendor-lock-in"})),
    ({"tool": "slack", "effect_group": "autonomy"}, effect_rows("slack", AUTONOMY)),
    ({"tool": "signal"}, set()),
])
def test_effects_reported_per_tool(example_store: Store, params: dict[str, str],
                                   expected: set[tuple[str, str, int]]) -> None:
    rows = answer(example_store, "effects_by_tool", "software effect observations", params)
    assert set(rows) == expected
    assert len(rows) == len(expected)
    assert sum(int(n) for _, _, n in rows) == sum(n for _, _, n in expected)  # type: ignore[call-overload]


NEEDS_BY_PROJECT = [  # facts §7, in project-label order
    ("project/carte-lieux-entraide", "stage/tested", "need/cartographier-entraide"),
    ("project/decider-a-distance", "stage/adopted", "need/associer-membres-eloignes"),
    ("project/decider-a-distance", "stage/adopted", "need/decider-entre-les-reunions"),
    ("project/signalement-logement", "stage/idea", "need/signaler-logement-indigne"),
    ("project/sortir-de-whatsapp", "stage/prototype", "need/quitter-whatsapp"),
    ("project/sortir-de-whatsapp", "stage/prototype", "need/reduire-surcharge-messages"),
]


@pytest.mark.parametrize(("params", "expected"), [
    ({}, NEEDS_BY_PROJECT),
    ({"stage": "prototype"}, NEEDS_BY_PROJECT[4:]),
    ({"stage": "id:stage/idea"}, NEEDS_BY_PROJECT[3:4]),
])
def test_needs_answered_by_codesign_projects(example_store: Store, raw: Raw,
                                             params: dict[str, str],
                                             expected: list[tuple[str, ...]]) -> None:
    rows = answer(example_store, "needs_by_codesign_project",
                  "project stage need organisations", params)
    assert [r[:3] for r in rows] == expected
    for _, _, need, organisations in rows:
        assert organisations == len(raw.objects(ID + str(need), CG + "expressedBy"))


@pytest.mark.parametrize(("lang", "stage"), [("en", "Adopted"), ("fr", "Adopté"),
                                             ("de", "Adopted")])
def test_labels_follow_the_language_parameter(example_store: Store, lang: str,
                                              stage: str) -> None:
    rows = answer(example_store, "needs_by_codesign_project", "stageLabel projectLabel",
                  {"stage": "adopted", "lang": lang})
    # the project is labelled in French only: every language falls back to it
    assert set(rows) == {(stage, "Décider à distance")}


def test_needs_no_project_answers(example_store: Store, raw: Raw) -> None:
    rows = answer(example_store, "unanswered_needs", "need organisations")
    assert {r[0] for r in rows} == {f"need/{n}" for n in (  # facts §7
        "calendrier-inter-associations", "former-benevoles", "hebergement-de-confiance",
        "visio-accessible-lsf")}
    for need, organisations in rows:
        assert organisations == len(raw.objects(ID + str(need), CG + "expressedBy"))
    assert [r[1] for r in rows] == sorted((r[1] for r in rows), reverse=True)  # type: ignore[type-var]


def test_unanswered_needs_about_a_practice(example_store: Store, raw: Raw) -> None:
    for practice in ("remote-meeting", "internal-communication", "voting"):
        rows = answer(example_store, "unanswered_needs", "need", {"practice": practice})
        expected = {
            cut(n) for n in raw.subjects(RDF_TYPE, CG + "Need")
            if not raw.subjects(CG + "answersNeed", n)
            and any(ID + f"practice/{practice}" in raw.up(p)
                    for p in raw.objects(n, CG + "concernsPractice"))}
        assert {r[0] for r in rows} == expected


@pytest.mark.parametrize(("maximum", "count"), [("1", 239), ("2", 282), ("0", 0)])
def test_usages_resting_on_a_single_source(example_store: Store, raw: Raw, maximum: str,
                                           count: int) -> None:
    rows = answer(example_store, "single_source_usages", "usage sources primarySources",
                  {"max_sources": maximum})
    assert len(rows) == count  # facts §8: 239 usages with one activity, 43 with two
    assert {r[0] for r in rows} == {
        cut(u) for u in raw.usages()
        if len(raw.objects(u, PROV + "wasGeneratedBy")) <= int(maximum)}
    assert all(sources == primary for _, sources, primary in rows)


def test_the_map_of_one_tool(example_store: Store, raw: Raw) -> None:
    rows = answer(example_store, "tool_usage_map",
                  "organisation practice status since until observed effects usage")
    # facts §1: the five health users of Loomio and the three others
    assert {r[0] for r in rows} == {f"org/{o}" for o in (
        "collectif-sante-belleville", "diabete-entraide-93", "positifs-ensemble",
        "precarite-energetique-93", "reseau-sante-ville", "habitat-participatif-cergy",
        "atelier-urbanisme-plaine", "coordination-quartiers-populaires")}
    expected = set()
    for u in raw.usages():
        if raw.software(raw.one(u, CG + "tool") or "") != ID + "software/loomio":
            continue
        for practice in raw.objects(u, CG + "practice"):
            expected.add((
                cut(raw.one(u, CG + "organisation")), cut(practice),
                cut(raw.one(u, CG + "status")), raw.one(u, SCHEMA + "startDate"),
                raw.one(u, SCHEMA + "endDate"), raw.one(u, CG + "observedOn"),
                len(raw.subjects(CG + "onUsage", u)), cut(u)))
    assert set(rows) == expected
    assert len(rows) == len(expected)


def test_the_map_of_a_tool_given_by_its_instance(example_store: Store) -> None:
    rows = answer(example_store, "tool_usage_map", "organisation",
                  {"tool": "id:instance/chatons-canal-loomio"})
    assert {r[0] for r in rows} == {"org/diabete-entraide-93", "org/habitat-participatif-cergy"}


@pytest.mark.parametrize("departement", [None, "93", "75"])
def test_organisations_by_field_and_kind(example_store: Store, raw: Raw,
                                         departement: str | None) -> None:
    params = {"departement": departement} if departement else {}
    rows = answer(example_store, "organisations_by_field_and_kind", "field kind organisations",
                  params)
    expected: Counter[tuple[str | None, str | None]] = Counter()
    for organisation in {s for s, by in raw.out.items() if by.get(ORG + "purpose")}:
        places = {raw.one(c, CG + "departement") for c in
                  raw.objects(organisation, SCHEMA + "location")}
        if departement and departement not in places:
            continue
        for field_ in raw.objects(organisation, ORG + "purpose"):
            for kind in raw.objects(organisation, ORG + "classification"):
                expected[(cut(field_), cut(kind))] += 1
    assert {(f, k): n for f, k, n in rows} == dict(expected)
    assert len(rows) == len(expected) > 0


def test_a_string_parameter_is_data_not_sparql(example_store: Store) -> None:
    before = example_store.count()
    assert answer(example_store, "organisations_by_field_and_kind", "field",
                  {"departement": INJECTION}) == []
    assert answer(example_store, "organisations_by_field_and_kind", "field",
                  {"departement": '93" || true || "'}) == []
    assert example_store.count() == before


def test_free_software_share_per_practice(example_store: Store, raw: Raw) -> None:
    for wave in (None, "2024", "2025"):
        rows = answer(example_store, "free_software_share_by_practice",
                      "practice pairs free proprietary unknown freePercent",
                      {"wave": wave} if wave else {})
        pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for u in raw.usages():
            waves = {raw.one(a, CG + "wave") for a in raw.objects(u, PROV + "wasGeneratedBy")}
            if not raw.in_use(u) or (wave and ID + f"wave/{wave}" not in waves):
                continue
            software = raw.software(raw.one(u, CG + "tool") or "")
            for used_for in raw.objects(u, CG + "practice"):
                for practice in raw.up(used_for):
                    pairs[str(cut(practice))].add((raw.one(u, CG + "organisation") or "", software))
        expected = {}
        for practice, found in pairs.items():
            free = sum(raw.one(s, CG + "isFreeSoftware") == "true" for _, s in found)
            proprietary = sum(raw.one(s, CG + "isFreeSoftware") == "false" for _, s in found)
            percent = ((Decimal(1000 * free) / len(found)) + Decimal("0.5")).to_integral_value(
                rounding=ROUND_FLOOR) / 10
            expected[practice] = (len(found), free, proprietary,
                                  len(found) - free - proprietary, percent)
        assert {r[0]: r[1:] for r in rows} == expected
        assert len(rows) == len(expected)


@pytest.mark.parametrize("stage", [None, "adopted", "idea"])
def test_codesign_projects_by_stage(example_store: Store, raw: Raw, stage: str | None) -> None:
    rows = answer(example_store, "codesign_projects_by_stage",
                  "stage project relation related date", {"stage": stage} if stage else {})
    stages = {"project/signalement-logement": "stage/idea",  # facts §7
              "project/sortir-de-whatsapp": "stage/prototype",
              "project/carte-lieux-entraide": "stage/tested",
              "project/decider-a-distance": "stage/adopted"}
    expected = set()
    for project, at in stages.items():
        if stage and at != f"stage/{stage}":
            continue
        for organisation in raw.objects(ID + project, CG + "involves"):
            expected.add((at, project, "involves", cut(organisation), None))
        for event in raw.objects(ID + project, CG + "workedOnAt"):
            expected.add((at, project, "workedOnAt", cut(event),
                          raw.one(event, SCHEMA + "startDate")))
    assert set(rows) == expected
    assert len(rows) == len(expected)
    order = ["stage/idea", "stage/prototype", "stage/tested", "stage/adopted"]
    assert [order.index(str(r[0])) for r in rows] == sorted(order.index(str(r[0])) for r in rows)


def resource_rows(raw: Raw, topic: str | None = None, licence: str | None = None,
                  kind: str | None = None) -> set[tuple[object, ...]]:
    found = set()
    for resource in raw.subjects(RDF_TYPE, SCHEMA + "CreativeWork"):
        about = {a for t in raw.objects(resource, SCHEMA + "about") for a in raw.up(t)}
        types = {a for t in raw.objects(resource, DCTERMS + "type") for a in raw.up(t)}
        if ((topic and topic not in about) or (kind and kind not in types)
                or (licence and licence not in raw.objects(resource, DCTERMS + "license"))):
            continue
        found.add((cut(resource), cut(raw.one(resource, DCTERMS + "type")),
                   raw.one(resource, DCTERMS + "license"), raw.one(resource, DCTERMS + "issued"),
                   len(raw.objects(resource, DCTERMS + "creator"))))
    return found


BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"


@pytest.mark.parametrize(("params", "selection"), [
    ({}, {}),
    ({"topic": "id:field/health"}, {"topic": ID + "field/health"}),
    ({"topic": "id:practice/decision-making"}, {"topic": ID + "practice/decision-making"}),
    ({"topic": "id:software/whatsapp"}, {"topic": ID + "software/whatsapp"}),
    ({"licence": BY_SA}, {"licence": BY_SA}),
    ({"type": "report"}, {"kind": ID + "resource-type/report"}),
    ({"type": "report", "licence": BY_SA}, {"kind": ID + "resource-type/report",
                                            "licence": BY_SA}),
])
def test_shared_resources(example_store: Store, raw: Raw, params: dict[str, str],
                          selection: dict[str, str]) -> None:
    rows = answer(example_store, "shared_resources",
                  "resource resourceType resourceLicence issued creators", params)
    assert set(rows) == resource_rows(raw, **selection)
    assert len(rows) == len(set(rows))
    assert [r[3] for r in rows] == sorted((r[3] for r in rows), reverse=True)  # type: ignore[type-var]


def test_there_are_eight_resources_and_some_selections_are_not_empty(raw: Raw) -> None:
    assert len(resource_rows(raw)) == 8  # facts: 8 resources
    assert resource_rows(raw, kind=ID + "resource-type/report")
    assert resource_rows(raw, topic=ID + "practice/decision-making")


def test_resources_by_licence_and_topic(example_store: Store, raw: Raw) -> None:
    rows = answer(example_store, "resources_by_licence_and_topic", "licence topic resources")
    expected: Counter[tuple[str | None, str | None]] = Counter()
    for resource in raw.subjects(RDF_TYPE, SCHEMA + "CreativeWork"):
        for topic in raw.objects(resource, SCHEMA + "about"):
            expected[(raw.one(resource, DCTERMS + "license"), cut(topic))] += 1
    assert {(licence, topic): n for licence, topic, n in rows} == dict(expected)
    assert sum(int(n) for _, _, n in rows) >= 8  # type: ignore[call-overload]


@pytest.mark.parametrize("query", CATALOGUE, ids=lambda q: q.name)
def test_answers_are_the_same_over_all_graphs(example_store: Store, query: CatalogueQuery) -> None:
    """Restricted graphs (persons, memberships, consent) change no answer."""
    public = run(example_store, query.name, {}, default_graph=PUBLIC)
    everything = run(example_store, query.name, {})
    assert isinstance(public, ox.QuerySolutions) and isinstance(everything, ox.QuerySolutions)
    rows = [[row[v] for v in public.variables] for row in public]
    assert rows == [[row[v] for v in everything.variables] for row in everything]
    assert rows or query.name in EMPTY_BY_DEFAULT


#: queries whose answer on the example with default parameters may be empty
EMPTY_BY_DEFAULT: frozenset[str] = frozenset()

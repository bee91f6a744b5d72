"""The catalogue's exact answers on the example about tool use (facts §1-§5): tools by
field and practice, tools bridging fields, shared spaces, migrations, waves."""

from __future__ import annotations

from collections import defaultdict

import pytest

from graph.store import Store
from tests.graph.queries.catalogue import (
    CG,
    ID,
    ORG,
    PROV,
    RDF_TYPE,
    SCHEMA,
    Raw,
    answer,
    cut,
)


def test_raw_reading_agrees_with_the_designed_counts(raw: Raw) -> None:
    usages = raw.usages()
    assert len(usages) == 282
    assert sum(not raw.in_use(u) for u in usages) == 17
    assert len(raw.subjects(RDF_TYPE, SCHEMA + "SoftwareApplication")) == 32


# §1 of the facts: health organisations, decision making, since when
HEALTH_DECISION_TOOLS = [
    ("software/decidim", "org/reseau-sante-mentale-94", "2024-11-15"),
    ("software/google-forms", "org/aidants-essonne", "2022-01-10"),
    ("software/loomio", "org/positifs-ensemble", "2022-05-01"),
    ("software/loomio", "org/diabete-entraide-93", "2023-09-01"),
    ("software/loomio", "org/collectif-sante-belleville", "2023-11-15"),
    ("software/loomio", "org/reseau-sante-ville", "2023-11-15"),
    ("software/loomio", "org/precarite-energetique-93", "2024-01-10"),
    ("software/mattermost", "org/union-sante-social-93", "2023-02-01"),
]


def test_tools_health_organisations_use_for_decision_making(example_store: Store) -> None:
    assert answer(example_store, "tools_in_field_for_practice",
                  "software organisation since") == HEALTH_DECISION_TOOLS


def test_tools_urban_organisations_use_for_decision_making(example_store: Store) -> None:
    rows = answer(example_store, "tools_in_field_for_practice", "software organisation",
                  {"field": "urban-question", "practice": "id:practice/decision-making"})
    # facts §1: the three non-health Loomio users, and the two health organisations that
    # also work on the urban question (housing is under urban-question)
    assert sorted(rows) == [("software/loomio", f"org/{o}") for o in sorted([
        "atelier-urbanisme-plaine", "coordination-quartiers-populaires",
        "habitat-participatif-cergy", "precarite-energetique-93", "reseau-sante-ville"])]


def in_use_for(raw: Raw, field_: str, practice: str) -> set[tuple[object, object, str]]:
    """(software, organisation, since) whose latest observation for the practice is in use."""
    latest: dict[tuple[object, object], tuple[str, bool]] = {}
    since: dict[tuple[object, object], str] = {}
    for u in raw.usages():
        organisation = raw.one(u, CG + "organisation") or ""
        fields = {f for p in raw.objects(organisation, ORG + "purpose") for f in raw.up(p)}
        practices = {q for p in raw.objects(u, CG + "practice") for q in raw.up(p)}
        if ID + field_ not in fields or ID + practice not in practices:
            continue
        key = (cut(raw.software(raw.one(u, CG + "tool") or "")), cut(organisation))
        observed = raw.one(u, CG + "observedOn") or ""
        latest[key] = max(latest.get(key, ("", False)), (observed, raw.in_use(u)))
        start = raw.one(u, SCHEMA + "startDate") or observed
        since[key] = min(since.get(key, start), start)
    return {(*key, since[key]) for key, (_, in_use) in latest.items() if in_use}


@pytest.mark.parametrize(("field_", "practice"), [
    ("health", "decision-making"), ("health", "remote-meeting"),
    ("urban-question", "internal-communication"), ("environment", "co-writing"),
    ("health", "event-organisation"),  # three levels: date-polling < scheduling < it
])
def test_tools_in_a_field_agree_with_the_raw_triples(example_store: Store, raw: Raw,
                                                    field_: str, practice: str) -> None:
    rows = answer(example_store, "tools_in_field_for_practice", "software organisation since",
                  {"field": field_, "practice": practice})
    assert set(rows) == in_use_for(raw, f"field/{field_}", f"practice/{practice}")
    assert len(rows) == len(set(rows)) > 0


def test_tools_in_use_leave_out_later_abandonments(example_store: Store) -> None:
    rows = {r[:2] for r in answer(example_store, "tools_in_field_for_practice",
                                  "software organisation since", {"practice": "remote-meeting"})}
    # facts §4: reseau-sante-mentale-94 left Zoom for BigBlueButton, aidants-essonne Skype for Zoom
    assert ("software/bigbluebutton", "org/reseau-sante-mentale-94") in rows
    assert ("software/zoom", "org/reseau-sante-mentale-94") not in rows
    assert ("software/zoom", "org/aidants-essonne") in rows
    assert ("software/skype", "org/aidants-essonne") not in rows


def test_tools_by_practice_rolls_narrower_practices_up(example_store: Store, raw: Raw) -> None:
    rows = answer(example_store, "tools_by_practice", "software free organisations usages")
    # facts §1: five health users of Loomio plus three others; one user each for the rest
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("software/loomio", "true", 8), ("software/google-forms", "false", 1),
        ("software/mattermost", "true", 1), ("software/decidim", "true", 1)]
    under = {c for c in raw.out if ID + "practice/decision-making" in raw.up(c)}
    for software, _, _, usages in rows:
        assert usages == sum(
            1 for u in raw.usages() if raw.in_use(u)
            and raw.software(raw.one(u, CG + "tool") or "") == ID + str(software)
            and raw.objects(u, CG + "practice") & under)


def practice_tools(raw: Raw, practice: str, keep_abandoned: bool,
                   ) -> dict[object, tuple[int, int]]:
    """Software -> (organisations, usages) for ``practice``, read from the raw triples."""
    organisations: dict[object, set[str]] = defaultdict(set)
    usages: dict[object, set[str]] = defaultdict(set)
    for u in raw.usages():
        practices = raw.objects(u, CG + "practice")
        if (keep_abandoned or raw.in_use(u)) and any(
                ID + f"practice/{practice}" in raw.up(p) for p in practices):
            software = cut(raw.software(raw.one(u, CG + "tool") or ""))
            organisations[software].add(raw.one(u, CG + "organisation") or "")
            usages[software].add(u)
    return {k: (len(organisations[k]), len(usages[k])) for k in organisations}


@pytest.mark.parametrize("practice", ["remote-meeting", "event-organisation"])
def test_tools_by_practice_counts_abandoned_usages_only_when_asked(
        example_store: Store, raw: Raw, practice: str) -> None:
    found = {}
    for keep in (False, True):
        rows = answer(example_store, "tools_by_practice", "software organisations usages",
                      {"practice": practice, "include_abandoned": str(keep).lower()})
        found[keep] = {r[0]: (r[1], r[2]) for r in rows}
        assert found[keep] == practice_tools(raw, practice, keep)
    # facts §4: Zoom was abandoned for video meetings, Doodle for date polling
    left = "software/zoom" if practice == "remote-meeting" else "software/doodle"
    assert found[True][left][1] > found[False][left][1]


def bridging(raw: Raw) -> dict[object, tuple[int, int]]:
    """Software -> (top-level fields, organisations) of the organisations using it."""
    fields: dict[object, set[str]] = defaultdict(set)
    organisations: dict[object, set[str]] = defaultdict(set)
    for u in raw.usages():
        if not raw.in_use(u):
            continue
        organisation = raw.one(u, CG + "organisation") or ""
        tops = raw.top_fields(organisation)
        if tops:
            software = cut(raw.software(raw.one(u, CG + "tool") or ""))
            fields[software] |= tops
            organisations[software].add(organisation)
    return {k: (len(fields[k]), len(organisations[k])) for k in fields}


def test_tools_bridging_fields(example_store: Store, raw: Raw) -> None:
    rows = answer(example_store, "bridging_tools", "software fields organisations")
    widths = {software: fields for software, fields, _ in rows}
    # facts §2
    assert len(rows) == 27
    assert {s for s, _, _ in rows[:3]} == {"software/facebook", "software/nextcloud",
                                           "software/sympa"}
    assert {widths[f"software/{s}"] for s in ("facebook", "nextcloud", "sympa")} == {7}
    assert widths["software/whatsapp"] == 6
    assert {widths[f"software/{s}"] for s in ("framadate", "mattermost", "yakforms")} == {5}
    assert widths["software/carto-quartier"] == widths["software/skype"] == 2
    assert widths["software/loomio"] >= 3
    single = {f"software/{s}" for s in ("decidim", "discourse", "limesurvey", "peertube",
                                        "rocket-chat")}
    assert not single & set(widths)
    assert {r[0]: (r[1], r[2]) for r in rows} == {
        k: v for k, v in bridging(raw).items() if v[0] >= 2}
    assert rows == sorted(rows, key=lambda r: (-int(r[1]), -int(r[2])))  # type: ignore[call-overload]


def test_bridging_with_one_field_lists_every_used_software(example_store: Store) -> None:
    rows = answer(example_store, "bridging_tools", "software fields", {"min_fields": "1"})
    assert len(rows) == 32
    assert {s for s, f in rows if f == 1} == {
        f"software/{s}" for s in ("decidim", "discourse", "limesurvey", "peertube", "rocket-chat")}


SHARED_SPACES = [  # facts §3, ties in label order
    ("space/loomio-convergence", 6), ("space/wiki-convergence", 6),
    ("space/liste-sante-communautaire", 5), ("space/liste-locataires-93", 4),
    ("space/equipe-inter-assos", 3), ("space/dossier-champigny", 2),
]


@pytest.mark.parametrize(("minimum", "expected"), [
    ("2", SHARED_SPACES),
    ("5", SHARED_SPACES[:3]),
    ("1", [*SHARED_SPACES, ("space/pad-cahier-revendications", 1)]),
])
def test_spaces_shared_by_several_organisations(example_store: Store, minimum: str,
                                                expected: list[tuple[str, int]]) -> None:
    assert answer(example_store, "shared_spaces", "space organisations",
                  {"min_organisations": minimum}) == expected


def test_shared_spaces_name_their_software_and_hosting(example_store: Store, raw: Raw) -> None:
    for space, software, hosting in answer(example_store, "shared_spaces",
                                           "space software hosting"):
        host = raw.one(ID + str(space), "http://rdfs.org/sioc/ns#has_host")
        assert software == cut(raw.one(ID + str(space), CG + "software"))
        assert hosting == cut(raw.one(host or "", CG + "hostingKind"))


MIGRATIONS = {  # facts §4, the "to" tool rolled up to its software
    ("collectif-sante-belleville", "instant-messaging", "whatsapp", "mattermost",
     "2024-09-30", "2024-10-01"),
    ("amicale-quatre-vents", "announcement", "facebook", "sympa", "2024-12-15", "2024-12-16"),
    ("atelier-urbanisme-plaine", "document-co-editing", "google-docs", "etherpad",
     "2024-11-30", "2024-12-02"),
    ("reseau-sante-mentale-94", "video-meeting", "zoom", "bigbluebutton",
     "2024-10-31", "2024-11-04"),
    ("coordination-quartiers-populaires", "video-meeting", "zoom", "jitsi-meet",
     "2024-06-30", "2024-07-01"),
    ("climat-versailles", "internal-discussion", "slack", "rocket-chat",
     "2024-08-31", "2024-09-02"),
    ("comite-usagers-aubervilliers", "date-polling", "doodle", "framadate",
     "2024-06-30", "2024-07-01"),
    ("culture-quartiers-bagnolet", "date-polling", "doodle", "framadate",
     "2024-10-01", "2024-10-02"),
    ("velo-mobilites-argenteuil", "task-management", "trello", "wekan",
     "2024-09-01", "2024-09-02"),
    ("vitry-sante-environnement", "event-registration", "facebook", "mobilizon",
     "2024-12-31", "2025-01-02"),
}


def test_moves_from_commercial_platforms_to_free_tools(example_store: Store) -> None:
    rows = answer(example_store, "platform_migrations",
                  "organisation practice from to fromUntil toSince organisationLabel")
    assert {(str(o)[4:], str(p)[9:], str(f)[9:], str(t)[9:], u, s)
            for o, p, f, t, u, s, _ in rows} == MIGRATIONS
    assert len(rows) == len(MIGRATIONS)
    labels = [r[-1] for r in rows]
    assert labels == sorted(labels)  # type: ignore[type-var]


def test_moves_name_the_hosting_of_the_new_tool(example_store: Store) -> None:
    hosting = {(str(o)[4:], str(t)[9:]): h for o, t, h in answer(
        example_store, "platform_migrations", "organisation to toHosting")}
    assert hosting[("reseau-sante-mentale-94", "bigbluebutton")] == "AssociativeHosting"
    assert hosting[("comite-usagers-aubervilliers", "framadate")] == "ChatonsHosting"
    assert hosting[("climat-versailles", "rocket-chat")] is None  # the software itself


WAVE_CHANGES = [  # facts §5
    ("software/doodle", "abandoned", 4, 0), ("software/skype", "abandoned", 2, 0),
    ("software/trello", "abandoned", 3, 0),
    ("software/bigbluebutton", "appeared", 0, 2), ("software/carto-quartier", "appeared", 0, 2),
    ("software/cryptpad", "appeared", 0, 2), ("software/decidim", "appeared", 0, 1),
    ("software/mobilizon", "appeared", 0, 2), ("software/rocket-chat", "appeared", 0, 1),
]


def wave_users(raw: Raw, software: str, wave: str) -> int:
    """How many organisations use ``software`` (not abandoned) in ``wave``."""
    return len({
        raw.one(u, CG + "organisation") for u in raw.usages()
        if raw.in_use(u) and cut(raw.software(raw.one(u, CG + "tool") or "")) == software
        and any(raw.one(a, CG + "wave") == ID + wave
                for a in raw.objects(u, PROV + "wasGeneratedBy"))
    })


def test_tools_that_appeared_or_were_abandoned_between_waves(example_store: Store,
                                                             raw: Raw) -> None:
    rows = answer(example_store, "wave_changes",
                  "software change organisationsWave1 organisationsWave2")
    assert [(s, c) for s, c, _, _ in rows] == [(s, c) for s, c, _, _ in WAVE_CHANGES]
    for software, _, first, second in rows:
        assert (first, second) == (wave_users(raw, str(software), "wave/2024"),
                                   wave_users(raw, str(software), "wave/2025"))
    # still in use in both waves despite some abandonments (facts §5)
    assert not {f"software/{s}" for s in ("zoom", "slack", "facebook", "google-docs",
                                          "whatsapp")} & {r[0] for r in rows}


def test_waves_compared_backwards(example_store: Store) -> None:
    rows = answer(example_store, "wave_changes", "software change",
                  {"wave1": "2025", "wave2": "id:wave/2024"})
    # Doodle, Skype and Trello still have (abandoned) usages in 2025: seen, so not "appeared"
    assert rows == [(s, "abandoned") for s, c, _, _ in WAVE_CHANGES if c == "appeared"]

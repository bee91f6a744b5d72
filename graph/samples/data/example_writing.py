"""Turtle for the example dataset's communes, organisations, tools, programme and events."""

from __future__ import annotations

from graph.samples.data.example_orgs import COMMUNES, ORG_BY_SLUG, ORGS
from graph.samples.data.example_programme import ACTIVITIES, EVENTS, PROGRAMME, WAVES
from graph.samples.data.example_tools import (
    INSTANCE_BY_SLUG,
    INSTANCES,
    PROPRIETARY,
    SOFTWARE,
    SOFTWARE_BY_SLUG,
    SPACES,
    SPDX,
)
from graph.samples.data.turtle import (
    TurtleDocument,
    boolean,
    date,
    en,
    fr,
    integer,
    iri,
    plain,
    ref,
    typed,
)

# ------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------

def fictional_text(what_fr: str, what_en: str, text_fr: str, text_en: str) -> list[str]:
    """A description pair that says the resource is invented.

    >>> fictional_text("Atelier fictif", "Fictional workshop", "texte.", "text.")[1]
    '"Fictional workshop: text."@en'
    """
    return [fr(f"{what_fr} : {text_fr}"), en(f"{what_en}: {text_en}")]


def write_communes(doc: TurtleDocument) -> None:
    doc.section("Communes (real INSEE codes)")
    for code, name in COMMUNES.items():
        doc.resource(ref("commune", code), [
            ("a", "igeo:Commune"),
            ("rdfs:label", plain(name)),
            ("igeo:codeINSEE", plain(code)),
            ("cg:departement", plain(code[:2])),
        ])


def write_orgs(doc: TurtleDocument) -> None:
    doc.section("Organisations",
                "The first five are real and described only by their role in the programme;",
                "all the others are invented (cg:isFictional true).")
    for org in ORGS:
        if org.fictional:
            description = fictional_text("Organisation fictive", "Fictional organisation",
                                         org.about_fr, org.about_en)
        else:
            description = [fr(org.about_fr), en(org.about_en)]
        doc.resource(ref("org", org.slug), [
            ("a", list(org.types)),
            ("rdfs:label", plain(org.label)),
            ("dcterms:description", description),
            ("org:classification", ref("org-kind", org.kind)),
            ("org:purpose", [ref("field", f) for f in org.fields]),
            ("schema:location", ref("commune", org.commune) if org.commune else None),
            ("org:memberOf", [ref("org", m) for m in org.member_of]),
            ("org:subOrganizationOf", ref("org", org.sub_of) if org.sub_of else None),
            ("org:identifier", typed(org.rna, "cg:RNA") if org.rna else None),
            ("schema:url", iri(org.url) if org.url else None),
            ("cg:isFictional", boolean(org.fictional)),
        ])


def write_tools(doc: TurtleDocument) -> None:
    doc.section("Tools, level 1: software",
                "owl:sameAs points to Wikidata only where the id was checked.")
    for sw in SOFTWARE:
        licence = iri(SPDX + sw.licence) if sw.free else PROPRIETARY
        if sw.fictional:
            description = fictional_text("Logiciel fictif", "Fictional software", sw.about_fr,
                                         sw.about_en)
        else:
            description = None
        doc.resource(ref("software", sw.slug), [
            ("a", "schema:SoftwareApplication"),
            ("rdfs:label", plain(sw.label)),
            ("dcterms:description", description),
            ("cg:category", [ref("tool-category", c) for c in sw.categories]),
            ("schema:license", licence),
            ("cg:isFreeSoftware", boolean(sw.free)),
            ("owl:sameAs", f"wd:{sw.wikidata}" if sw.wikidata else None),
            ("schema:url", iri(sw.url) if sw.url else None),
            ("cg:isFictional", boolean(sw.fictional)),
        ])
    doc.section("Tools, level 2: hosted instances",
                "The Framasoft services are real; the other instances are invented.")
    for inst in INSTANCES:
        software = SOFTWARE_BY_SLUG[inst.software].label
        provider = ORG_BY_SLUG[inst.provider].label
        if inst.fictional:
            description = fictional_text(
                "Instance fictive", "Fictional instance",
                f"{software} hébergé par {provider}.", f"{software} hosted by {provider}.")
        else:
            description = [fr(f"Service {inst.label} de {provider} (instance de {software})."),
                           en(f"{provider}'s {inst.label} service (an instance of {software}).")]
        doc.resource(ref("instance", inst.slug), [
            ("a", "cg:HostedInstance"),
            ("rdfs:label", plain(inst.label)),
            ("dcterms:description", description),
            ("cg:software", ref("software", inst.software)),
            ("schema:provider", ref("org", inst.provider)),
            ("cg:hostingKind", f"cg:{inst.hosting}"),
            ("schema:url", iri(inst.url) if inst.url else None),
            ("cg:isFictional", boolean(inst.fictional)),
        ])
    doc.section("Tools, level 3: shared spaces (all invented)")
    for space in SPACES:
        instance = INSTANCE_BY_SLUG[space.host]
        names = ", ".join(ORG_BY_SLUG[o].label for o in space.shared_by)
        doc.resource(ref("space", space.slug), [
            ("a", ["cg:SharedSpace"] + ([space.sioc_type] if space.sioc_type else [])),
            ("rdfs:label", fr(space.label)),
            ("dcterms:description", fictional_text(
                "Espace partagé fictif", "Fictional shared space", f"partagé par {names}.",
                f"shared by {names}.")),
            ("sioc:has_host", ref("instance", instance.slug)),
            ("cg:software", ref("software", instance.software)),
            ("cg:sharedBy", [ref("org", o) for o in space.shared_by]),
            ("cg:isFictional", boolean(True)),
        ])


def write_programme(doc: TurtleDocument) -> None:
    doc.section("The programme, the observation waves and the observation activities")
    doc.resource(ref("programme", PROGRAMME), [
        ("a", "cg:Programme"),
        ("rdfs:label", [fr("Formation-action « Pratiques numériques des réseaux citoyens en "
                           "Île-de-France »"),
                        en("Formation-action programme \"Digital practices of citizen networks "
                           "in Île-de-France\"")]),
        ("dcterms:description", [
            fr("Programme de formation-action mené par des réseaux citoyens d'Île-de-France : "
               "analyser les expériences et besoins des militants, assurer une veille sur les "
               "outils de coordination, co-concevoir des outils avec des développeurs et "
               "interroger leurs effets sociaux et politiques. Les séminaires, dates, "
               "participants et observations de ce jeu de données sont fictifs."),
            en("Formation-action programme run by citizen networks in Île-de-France: analyse "
               "activists' experiences and needs, keep a watch on coordination tools, co-design "
               "tools with developers and question their social and political effects. The "
               "seminars, dates, participants and observations in this dataset are fictional.")]),
        ("schema:organizer", ref("org", "vecam")),
        ("cg:partner", [ref("org", "fonda"), ref("org", "aitec")]),
        ("schema:funder", ref("org", "region-ile-de-france")),
        ("cg:isFictional", boolean(False)),
    ])
    for wave in WAVES:
        doc.resource(ref("wave", str(wave.year)), [
            ("a", "cg:ObservationWave"),
            ("rdfs:label", [fr(f"Vague d'observation {wave.year}"),
                            en(f"Observation wave {wave.year}")]),
            ("dcterms:description", fictional_text(
                "Vague fictive", "Fictional wave",
                f"vague n° {wave.number} d'observation du programme.",
                f"observation wave number {wave.number} of the programme.")),
            ("schema:startDate", date(wave.start)),
            ("schema:endDate", date(wave.end)),
            ("cg:waveNumber", integer(wave.number)),
            ("cg:isFictional", boolean(True)),
        ])
    for act in ACTIVITIES:
        doc.resource(ref("activity", act.slug), [
            ("a", act.cls),
            ("rdfs:label", [fr(act.label_fr), en(act.label_en)]),
            ("dcterms:description", fictional_text(
                "Activité d'observation fictive", "Fictional observation activity",
                f"{act.label_fr.lower()} auprès des organisations participantes.",
                f"{act.label_en.lower()} of the participating organisations.")),
            ("schema:startDate", date(act.start)),
            ("schema:endDate", date(act.end)),
            ("cg:wave", ref("wave", str(act.wave))),
            ("cg:partOfProgramme", ref("programme", PROGRAMME)),
            ("cg:isFictional", boolean(True)),
        ])


def write_events(doc: TurtleDocument) -> None:
    doc.section("Seminars, public days and workshops",
                "Organised by VECAM, the programme's organiser and host of its seminars; the",
                "dates, places and attendees are invented. Seminars are also observation",
                "activities of their wave.")
    for ev in EVENTS:
        kind_fr = {"cg:Seminar": "Séminaire fictif", "cg:PublicDay": "Journée publique fictive",
                   "cg:Workshop": "Atelier fictif"}[ev.cls]
        kind_en = {"cg:Seminar": "Fictional seminar", "cg:PublicDay": "Fictional public day",
                   "cg:Workshop": "Fictional workshop"}[ev.cls]
        doc.resource(ref("event", ev.slug), [
            ("a", ev.cls),
            ("rdfs:label", [fr(ev.label_fr), en(ev.label_en)]),
            ("dcterms:description", fictional_text(
                kind_fr, kind_en, f"{ev.label_fr} du programme de formation-action.",
                f"{ev.label_en} of the formation-action programme.")),
            ("schema:startDate", date(ev.start)),
            ("schema:endDate", date(ev.end) if ev.end else None),
            ("schema:location", ref("commune", ev.commune)),
            ("schema:organizer", ref("org", "vecam")),
            ("schema:about", [ref("field", f) for f in ev.about]),
            ("schema:attendee", [ref("org", o) for o in ev.attendees]),
            ("schema:superEvent", ref("event", ev.super_event) if ev.super_event else None),
            ("cg:partOfProgramme", ref("programme", PROGRAMME)),
            ("cg:wave", ref("wave", str(ev.wave)) if ev.wave else None),
            ("cg:isFictional", boolean(True)),
        ])

"""The example dataset: the programme, its observation waves, activities and events.

The programme is real (see the README, "What the graph holds"); its seminars, public days,
workshops, dates and attendees here are invented, organised by VECAM, the programme's
organiser and host.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ------------------------------------------------------------------------------------------
# Programme, waves, observation activities, events
# ------------------------------------------------------------------------------------------

PROGRAMME = "formation-action-idf"


@dataclass(frozen=True)
class Wave:
    year: int
    number: int
    start: str
    end: str


WAVES: tuple[Wave, ...] = (
    Wave(2024, 1, "2024-01-01", "2024-12-31"),
    Wave(2025, 2, "2025-01-01", "2025-12-31"),
)


@dataclass(frozen=True)
class Event:
    slug: str
    cls: str                 # cg:Seminar | cg:PublicDay | cg:Workshop
    label_fr: str
    label_en: str
    start: str
    end: str | None
    commune: str
    about: tuple[str, ...]
    wave: int | None = None  # seminars are also observation activities of a wave
    super_event: str | None = None
    attendees: tuple[str, ...] = field(default=())


HEALTH_SEMINAR_2024 = ("collectif-sante-belleville", "diabete-entraide-93",
                       "reseau-sante-mentale-94", "aidants-essonne", "positifs-ensemble",
                       "comite-usagers-aubervilliers", "pairs-aidants-addictions",
                       "signes-et-sante", "union-sante-social-93", "femmes-relais-mantois")
URBAN_SEMINAR_2024 = ("amicale-quatre-vents", "collectif-toits-montreuil",
                      "atelier-urbanisme-plaine", "jardins-du-canal",
                      "coordination-quartiers-populaires", "union-locataires-ivry",
                      "vigilance-renovation-clichy", "observatoire-grand-paris",
                      "precarite-energetique-93", "velo-mobilites-argenteuil")

EVENTS: tuple[Event, ...] = (
    Event("seminaire-question-urbaine-2024", "cg:Seminar",
          "Séminaire « question urbaine » 2024", "Urban-question seminar 2024",
          "2024-03-14", "2024-03-15", "93066", ("urban-question",), 2024,
          attendees=URBAN_SEMINAR_2024),
    Event("seminaire-sante-2024", "cg:Seminar", "Séminaire « santé » 2024", "Health seminar 2024",
          "2024-04-11", "2024-04-12", "75056", ("health",), 2024, attendees=HEALTH_SEMINAR_2024),
    Event("seminaire-convergence-2024", "cg:Seminar", "Séminaire de convergence 2024",
          "Convergence seminar 2024", "2024-06-20", None, "93048",
          ("health", "urban-question"), 2024,
          attendees=("reseau-sante-ville", "collectif-sante-belleville", "positifs-ensemble",
                     "atelier-urbanisme-plaine", "coordination-quartiers-populaires",
                     "precarite-energetique-93", "vitry-sante-environnement",
                     "fabrique-numerique-meaux", "chatons-du-canal")),
    Event("journee-publique-2024", "cg:PublicDay", "Journée publique 2024", "Public day 2024",
          "2024-10-05", None, "75056", ("digital-commons",),
          attendees=("fabrique-numerique-meaux", "chatons-du-canal", "grigny-numerique-solidaire",
                     "regie-quartier-trappes", "recyclerie-gresillons", "amap-pays-de-melun")),
    Event("seminaire-question-urbaine-2025", "cg:Seminar",
          "Séminaire « question urbaine » 2025", "Urban-question seminar 2025",
          "2025-03-13", "2025-03-14", "93066", ("urban-question",), 2025,
          attendees=(*URBAN_SEMINAR_2024, "habitat-participatif-cergy")),
    Event("seminaire-sante-2025", "cg:Seminar", "Séminaire « santé » 2025", "Health seminar 2025",
          "2025-04-10", "2025-04-11", "75056", ("health",), 2025,
          attendees=(*HEALTH_SEMINAR_2024, "vitry-sante-environnement")),
    Event("seminaire-convergence-2025", "cg:Seminar", "Séminaire de convergence 2025",
          "Convergence seminar 2025", "2025-06-19", None, "93048",
          ("health", "urban-question"), 2025,
          attendees=("reseau-sante-ville", "collectif-sante-belleville", "positifs-ensemble",
                     "atelier-urbanisme-plaine", "coordination-quartiers-populaires",
                     "precarite-energetique-93", "diabete-entraide-93", "amicale-quatre-vents",
                     "fabrique-numerique-meaux", "chatons-du-canal")),
    Event("journee-publique-2025", "cg:PublicDay", "Journée publique 2025", "Public day 2025",
          "2025-10-04", None, "75056", ("digital-commons",),
          attendees=("fabrique-numerique-meaux", "chatons-du-canal", "grigny-numerique-solidaire",
                     "education-populaire-95", "climat-versailles")),
    Event("atelier-decision-distance-2024", "cg:Workshop",
          "Atelier de co-conception « décider à distance »",
          "Co-design workshop \"deciding remotely\"", "2024-04-12", None, "75056",
          ("health",), super_event="seminaire-sante-2024",
          attendees=("collectif-sante-belleville", "positifs-ensemble", "reseau-sante-ville",
                     "fabrique-numerique-meaux")),
    Event("atelier-carte-entraide-2024", "cg:Workshop",
          "Atelier de co-conception « carte des lieux d'entraide »",
          "Co-design workshop \"map of mutual-aid places\"", "2024-03-15", None, "93066",
          ("urban-question",), super_event="seminaire-question-urbaine-2024",
          attendees=("atelier-urbanisme-plaine", "jardins-du-canal",
                     "coordination-quartiers-populaires", "grigny-numerique-solidaire")),
    Event("atelier-sortir-whatsapp-2025", "cg:Workshop",
          "Atelier de co-conception « sortir de WhatsApp »",
          "Co-design workshop \"leaving WhatsApp\"", "2025-06-19", None, "93048",
          ("digital-commons",), super_event="seminaire-convergence-2025",
          attendees=("collectif-sante-belleville", "amicale-quatre-vents", "chatons-du-canal",
                     "diabete-entraide-93")),
)


@dataclass(frozen=True)
class Activity:
    slug: str
    cls: str                 # cg:Survey | cg:Interview
    label_fr: str
    label_en: str
    start: str
    end: str
    wave: int


ACTIVITIES: tuple[Activity, ...] = (
    Activity("enquete-2024", "cg:Survey", "Enquête par questionnaire 2024",
             "Questionnaire survey 2024", "2024-01-15", "2024-02-29", 2024),
    Activity("entretiens-2024", "cg:Interview", "Entretiens 2024", "Interviews 2024",
             "2024-05-02", "2024-06-28", 2024),
    Activity("enquete-2025", "cg:Survey", "Enquête par questionnaire 2025",
             "Questionnaire survey 2025", "2025-01-13", "2025-02-28", 2025),
    Activity("entretiens-2025", "cg:Interview", "Entretiens 2025", "Interviews 2025",
             "2025-05-05", "2025-06-27", 2025),
)

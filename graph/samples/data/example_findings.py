"""The example dataset, part 3: needs, experience reports, effects, co-design projects and
shared resources. All invented; they concern invented organisations only.

Usages are named by ``(organisation, tool, wave year)``, as the builder names them.
"""

from __future__ import annotations

from dataclasses import dataclass

UsageKey = tuple[str, str, int]


@dataclass(frozen=True)
class Need:
    slug: str
    label: str
    text_fr: str
    text_en: str
    expressed_by: tuple[str, ...]
    practices: tuple[str, ...]
    tools: tuple[str, ...]
    source: str               # an activity or event slug ("event/…" or "activity/…")
    observed: str


NEEDS: tuple[Need, ...] = (
    Need("decider-entre-les-reunions", "Décider entre deux réunions",
         "pouvoir décider entre deux réunions sans réunir tout le monde en visioconférence.",
         "being able to decide between meetings without gathering everyone on a video call.",
         ("collectif-sante-belleville", "positifs-ensemble", "reseau-sante-ville"),
         ("consensus-decision",), (), "event/seminaire-sante-2024", "2024-04-11"),
    Need("associer-membres-eloignes", "Associer les membres éloignés aux décisions",
         "associer aux décisions les membres malades, hospitalisés ou éloignés.",
         "involving members who are ill, in hospital or far away in decisions.",
         ("diabete-entraide-93", "reseau-sante-mentale-94"), ("voting", "video-meeting"), (),
         "event/seminaire-sante-2024", "2024-04-11"),
    Need("cartographier-entraide", "Cartographier les lieux d'entraide",
         "cartographier avec les habitants les lieux d'entraide du quartier.",
         "mapping the neighbourhood's mutual-aid places with its residents.",
         ("atelier-urbanisme-plaine", "jardins-du-canal", "coordination-quartiers-populaires"),
         ("participatory-mapping",), (), "event/seminaire-question-urbaine-2024", "2024-03-14"),
    Need("quitter-whatsapp", "Quitter WhatsApp sans perdre les membres",
         "quitter WhatsApp sans perdre les membres qui n'utilisent que cette application.",
         "leaving WhatsApp without losing the members who use nothing else.",
         ("collectif-sante-belleville", "amicale-quatre-vents", "diabete-entraide-93"),
         ("instant-messaging",), ("software/whatsapp",), "activity/entretiens-2024",
         "2024-05-21"),
    Need("hebergement-de-confiance", "Un hébergement de confiance pour les données des membres",
         "héberger les données des membres (santé, adhésion syndicale) chez un tiers de "
         "confiance.",
         "hosting members' data (health, union membership) with a trusted third party.",
         ("positifs-ensemble", "union-sante-social-93"), ("membership-records",),
         ("software/google-forms",), "activity/enquete-2024", "2024-02-12"),
    Need("signaler-logement-indigne", "Recueillir les signalements de logement indigne",
         "recueillir de façon accessible les signalements de logement indigne.",
         "collecting reports of substandard housing in an accessible way.",
         ("precarite-energetique-93", "collectif-toits-montreuil"), ("petition",),
         ("instance/framaforms",), "event/seminaire-question-urbaine-2025", "2025-03-13"),
    Need("former-benevoles", "Former les bénévoles aux outils libres",
         "former les bénévoles aux outils libres.", "training volunteers in free tools.",
         ("grigny-numerique-solidaire", "fabrique-numerique-meaux"), ("training",), (),
         "activity/enquete-2025", "2025-02-03"),
    Need("reduire-surcharge-messages", "Réduire la surcharge de messages",
         "réduire la surcharge de messages dans les groupes de discussion.",
         "reducing message overload in chat groups.",
         ("femmes-relais-mantois", "union-locataires-ivry"), ("instant-messaging",),
         ("software/whatsapp",), "activity/entretiens-2025", "2025-05-20"),
    Need("visio-accessible-lsf", "Des visioconférences accessibles en LSF",
         "des visioconférences avec interprétation en langue des signes et sous-titres.",
         "video meetings with sign-language interpreting and captions.",
         ("signes-et-sante",), ("video-meeting",), (), "event/seminaire-sante-2025",
         "2025-04-10"),
    Need("calendrier-inter-associations", "Un calendrier partagé entre associations",
         "un calendrier partagé entre les associations d'un territoire.",
         "a calendar shared between the associations of an area.",
         ("inter-associations-champigny", "education-populaire-95"), ("shared-calendar",), (),
         "activity/enquete-2025", "2025-02-17"),
)


@dataclass(frozen=True)
class Experience:
    slug: str
    label: str
    text_fr: str
    text_en: str
    usage: UsageKey
    source: str
    observed: str
    effects: tuple[str, ...]


EXPERIENCES: tuple[Experience, ...] = (
    Experience("belleville-whatsapp-messages-perdus", "Les messages se perdent sur WhatsApp",
               "dans le groupe WhatsApp, les informations importantes se perdent et seules "
               "deux personnes répondent aux questions.",
               "in the WhatsApp group important information gets lost and only two people "
               "answer questions.",
               ("collectif-sante-belleville", "whatsapp", 2024), "event/seminaire-sante-2024",
               "2024-04-11", ("information-overload", "platform-dependency")),
    Experience("belleville-mattermost-canaux", "Des canaux par thème sur Mattermost",
               "les canaux par thème ont permis à de nouvelles personnes d'animer une partie "
               "des échanges.",
               "channels per topic let new people lead part of the conversations.",
               ("collectif-sante-belleville", "space/equipe-inter-assos", 2025),
               "activity/entretiens-2025", "2025-05-14", ("roles-redistributed",
                                                           "data-sovereignty")),
    Experience("positifs-loomio-propositions", "Loomio rend les propositions visibles",
               "chaque proposition et son résultat restent visibles ; les membres hospitalisés "
               "peuvent voter.",
               "each proposal and its outcome stay visible; members in hospital can vote.",
               ("positifs-ensemble", "space/loomio-convergence", 2024),
               "event/seminaire-sante-2024", "2024-04-11",
               ("transparency-increased", "remote-members-included")),
    Experience("sante-mentale-zoom-limites", "Les limites de la version gratuite de Zoom",
               "les réunions sont coupées au bout de quarante minutes ; le réseau dépend d'un "
               "abonnement payé par une seule association.",
               "meetings are cut after forty minutes; the network depends on a subscription "
               "paid by a single association.",
               ("reseau-sante-mentale-94", "zoom", 2024), "event/seminaire-sante-2024",
               "2024-04-12", ("platform-dependency",)),
    Experience("sante-mentale-bbb-inclusion", "BigBlueButton ouvert aux usagers",
               "des usagers qui ne viennent pas aux réunions physiques participent depuis "
               "leur téléphone.",
               "users who do not come to physical meetings take part from their phone.",
               ("reseau-sante-mentale-94", "instance/fabrique-bbb", 2025),
               "activity/entretiens-2025", "2025-05-22", ("remote-members-included",)),
    Experience("plaine-google-docs-comptes", "Les comptes Google excluent des habitants",
               "des habitants sans compte Google ne pouvaient pas modifier les documents.",
               "residents without a Google account could not edit the documents.",
               ("atelier-urbanisme-plaine", "google-docs", 2024),
               "event/seminaire-question-urbaine-2024", "2024-03-14",
               ("exclusion-digital-divide", "surveillance-exposure")),
    Experience("plaine-framapad-sans-compte", "Framapad sans compte",
               "sans compte à créer, davantage d'habitants écrivent dans les comptes rendus.",
               "with no account to create, more residents write in the minutes.",
               ("atelier-urbanisme-plaine", "instance/framapad", 2025),
               "event/seminaire-question-urbaine-2025", "2025-03-13",
               ("participation-broadened",)),
    Experience("quatre-vents-facebook-exclusion", "Le groupe Facebook excluait les aînés",
               "les locataires âgés sans compte Facebook ne recevaient pas les annonces.",
               "elderly tenants without a Facebook account did not receive announcements.",
               ("amicale-quatre-vents", "facebook", 2024),
               "event/seminaire-question-urbaine-2024", "2024-03-14",
               ("exclusion-digital-divide",)),
    Experience("quatre-vents-liste-nouveaux", "La liste de diffusion accueille les nouveaux",
               "les nouveaux locataires s'inscrivent à la liste à la permanence.",
               "new tenants subscribe to the list at the drop-in.",
               ("amicale-quatre-vents", "space/liste-locataires-93", 2025),
               "event/seminaire-question-urbaine-2025", "2025-03-14", ("newcomers-integrated",)),
    Experience("climat-slack-historique", "L'historique limité de Slack",
               "l'historique de la version gratuite disparaissait ; la mémoire du collectif "
               "dépendait d'un abonnement.",
               "the free plan's history disappeared; the collective's memory depended on a "
               "subscription.",
               ("climat-versailles", "slack", 2024), "activity/entretiens-2024", "2024-05-28",
               ("platform-dependency", "vendor-lock-in")),
    Experience("fabrique-wekan-competences", "Wekan comme outil d'apprentissage",
               "les bénévoles ont appris à organiser leurs tâches en l'installant eux-mêmes.",
               "volunteers learned to organise their tasks by installing it themselves.",
               ("fabrique-numerique-meaux", "wekan", 2024), "activity/entretiens-2024",
               "2024-06-04", ("skills-developed",)),
    Experience("diabete-loomio-rapidite", "Des décisions plus rapides avec Loomio",
               "les décisions courantes sont prises en une semaine au lieu d'attendre "
               "l'assemblée mensuelle.",
               "routine decisions take a week instead of waiting for the monthly assembly.",
               ("diabete-entraide-93", "instance/chatons-canal-loomio", 2025),
               "event/seminaire-sante-2025", "2025-04-10", ("decision-speed",)),
    Experience("femmes-relais-whatsapp-fatigue", "La fatigue des groupes WhatsApp",
               "les bénévoles reçoivent des messages à toute heure et s'épuisent.",
               "volunteers receive messages at all hours and burn out.",
               ("femmes-relais-mantois", "whatsapp", 2025), "activity/entretiens-2025",
               "2025-05-27", ("volunteer-fatigue", "information-overload")),
    Experience("coordination-wiki-memoire", "Le wiki garde la mémoire des luttes",
               "le wiki rassemble les comptes rendus de dix ans de mobilisations.",
               "the wiki gathers the minutes of ten years of campaigns.",
               ("coordination-quartiers-populaires", "space/wiki-convergence", 2025),
               "event/seminaire-convergence-2025", "2025-06-19", ("memory-preserved",)),
    Experience("union-mattermost-administrateurs", "Qui administre Mattermost ?",
               "deux administrateurs décident seuls de l'organisation des canaux.",
               "two administrators alone decide how channels are organised.",
               ("union-sante-social-93", "instance/chatons-canal-mattermost", 2024),
               "activity/entretiens-2024", "2024-06-11", ("power-concentration",)),
)


@dataclass(frozen=True)
class UsageEffect:
    """An effect observed on a usage without an experience report."""

    slug: str
    effect: str
    usage: UsageKey
    source: str
    observed: str
    text_fr: str
    text_en: str


USAGE_EFFECTS: tuple[UsageEffect, ...] = (
    UsageEffect("decidim-transparence", "transparency-increased",
                ("reseau-sante-mentale-94", "decidim", 2025), "activity/enquete-2025",
                "2025-02-05", "les votes et leurs résultats sont publiés aux membres.",
                "votes and their results are published to members."),
    UsageEffect("mobilizon-autonomie", "data-sovereignty",
                ("vitry-sante-environnement", "mobilizon", 2025), "activity/enquete-2025",
                "2025-02-07", "les inscriptions ne passent plus par un réseau social commercial.",
                "registrations no longer go through a commercial social network."),
    UsageEffect("framaforms-temps-gagne", "time-saved",
                ("precarite-energetique-93", "instance/framaforms", 2025),
                "event/seminaire-question-urbaine-2025", "2025-03-13",
                "les pétitions papier ne sont plus ressaisies à la main.",
                "paper petitions are no longer typed in by hand."),
    UsageEffect("teams-dependance", "vendor-lock-in",
                ("inter-associations-champigny", "microsoft-teams", 2025),
                "activity/enquete-2025", "2025-02-19",
                "les comptes dépendent de licences offertes par un partenaire.",
                "accounts depend on licences given by a partner."),
)


@dataclass(frozen=True)
class Project:
    slug: str
    label: str
    text_fr: str
    text_en: str
    stage: str
    involves: tuple[str, ...]
    answers: tuple[str, ...]
    worked_on_at: tuple[str, ...]
    software: tuple[str, ...]
    start: str


PROJECTS: tuple[Project, ...] = (
    Project("decider-a-distance", "Décider à distance",
            "configuration partagée de Loomio et guide de décision par consentement pour "
            "les associations de santé.",
            "a shared Loomio set-up and a consent-decision guide for health associations.",
            "adopted",
            ("collectif-sante-belleville", "positifs-ensemble", "reseau-sante-ville",
             "fabrique-numerique-meaux", "chatons-du-canal"),
            ("decider-entre-les-reunions", "associer-membres-eloignes"),
            ("atelier-decision-distance-2024", "seminaire-sante-2025"), ("loomio",),
            "2024-04-12"),
    Project("carte-lieux-entraide", "Carte des lieux d'entraide",
            "Carto'Quartier, une carte contributive des lieux d'entraide.",
            "Carto'Quartier, a contributory map of mutual-aid places.",
            "tested",
            ("atelier-urbanisme-plaine", "jardins-du-canal", "coordination-quartiers-populaires",
             "grigny-numerique-solidaire"),
            ("cartographier-entraide",),
            ("atelier-carte-entraide-2024", "seminaire-question-urbaine-2025"),
            ("carto-quartier",), "2024-03-15"),
    Project("sortir-de-whatsapp", "Sortir de WhatsApp",
            "un kit de passage de WhatsApp vers Signal et un Mattermost associatif.",
            "a kit for moving from WhatsApp to Signal and an associative Mattermost.",
            "prototype",
            ("collectif-sante-belleville", "amicale-quatre-vents", "diabete-entraide-93",
             "chatons-du-canal"),
            ("quitter-whatsapp", "reduire-surcharge-messages"),
            ("atelier-sortir-whatsapp-2025",), ("mattermost", "signal"), "2025-06-19"),
    Project("signalement-logement", "Signaler le logement indigne",
            "un formulaire accessible de signalement du logement indigne.",
            "an accessible form for reporting substandard housing.",
            "idea",
            ("precarite-energetique-93", "collectif-toits-montreuil"),
            ("signaler-logement-indigne",), ("seminaire-question-urbaine-2025",),
            ("yakforms",), "2025-03-14"),
)


@dataclass(frozen=True)
class Resource:
    slug: str
    label: str
    text_fr: str
    text_en: str
    rtype: str
    licence: str
    creators: tuple[str, ...]
    about: tuple[str, ...]    # "practice/…", "software/…", "field/…"
    issued: str


CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"

RESOURCES: tuple[Resource, ...] = (
    Resource("guide-quitter-whatsapp", "Quitter WhatsApp sans perdre ses membres",
             "guide pratique issu du projet « Sortir de WhatsApp ».",
             "practical guide from the \"Leaving WhatsApp\" project.", "guide", CC_BY_SA,
             ("collectif-sante-belleville", "chatons-du-canal"),
             ("practice/instant-messaging", "software/whatsapp", "software/mattermost"),
             "2025-07-01"),
    Resource("methode-decision-consentement", "Décider par consentement avec Loomio",
             "méthode de décision par consentement en ligne.",
             "a method for consent decision-making online.", "method", CC_BY,
             ("reseau-sante-ville",), ("practice/consensus-decision", "software/loomio"),
             "2024-09-15"),
    Resource("compte-rendu-seminaire-sante-2024", "Compte rendu du séminaire santé 2024",
             "compte rendu du séminaire santé 2024.", "proceedings of the 2024 health seminar.",
             "proceedings", CC_BY, ("reseau-sante-ville",), ("field/health",), "2024-05-15"),
    Resource("compte-rendu-seminaire-urbain-2024",
             "Compte rendu du séminaire question urbaine 2024",
             "compte rendu du séminaire question urbaine 2024.",
             "proceedings of the 2024 urban-question seminar.", "proceedings", CC_BY,
             ("coordination-quartiers-populaires",), ("field/urban-question",), "2024-04-20"),
    Resource("synthese-vague-2024", "Synthèse de la vague d'observation 2024",
             "synthèse des usages observés en 2024.", "summary of the usages observed in 2024.",
             "report", CC_BY, ("fabrique-numerique-meaux",), ("field/digital-commons",),
             "2024-12-10"),
    Resource("tutoriel-framapad-ateliers", "Tutoriel Framapad pour les ateliers d'urbanisme",
             "tutoriel pour prendre des notes à plusieurs.",
             "a tutorial for taking notes together.", "tutorial", CC_BY_SA,
             ("atelier-urbanisme-plaine",), ("practice/document-co-editing", "instance/framapad"),
             "2025-01-20"),
    Resource("video-carte-entraide", "La carte des lieux d'entraide en vidéo",
             "vidéo de présentation de Carto'Quartier.", "a video presenting Carto'Quartier.",
             "video", CC_BY, ("jardins-du-canal",),
             ("practice/participatory-mapping", "software/carto-quartier"), "2025-04-01"),
    Resource("cas-zoom-bigbluebutton", "Étude de cas : de Zoom à BigBlueButton",
             "étude de cas d'un réseau de santé mentale.",
             "a case study of a mental-health network.", "case-study", CC_BY,
             ("reseau-sante-mentale-94",), ("practice/video-meeting", "software/bigbluebutton"),
             "2025-05-01"),
)

#: Seminars whose proceedings serve as the primary source of the usages observed there.
PROCEEDINGS: dict[str, str] = {
    "seminaire-sante-2024": "compte-rendu-seminaire-sante-2024",
    "seminaire-question-urbaine-2024": "compte-rendu-seminaire-urbain-2024",
}

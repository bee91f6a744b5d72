"""The example dataset: tools at their three levels (software, hosted instances, spaces).

Wikidata ids are given only where they were checked (the French administration's SILL
catalogue, and a list verified against the Wikipedia API); the others are left out rather
than guessed. The Framasoft services are real; the other instances and all spaces are invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.samples.data.turtle import ref

# ------------------------------------------------------------------------------------------
# Tools: software, hosted instances, shared spaces
# ------------------------------------------------------------------------------------------

SPDX = "https://spdx.org/licenses/"
PROPRIETARY = "cg:proprietaryLicence"


@dataclass(frozen=True)
class Software:
    slug: str
    label: str
    categories: tuple[str, ...]
    licence: str            # an SPDX id, or "proprietary"
    wikidata: str | None = None
    url: str | None = None
    fictional: bool = False
    about_fr: str = ""
    about_en: str = ""

    @property
    def free(self) -> bool:
        return self.licence != "proprietary"


#: Wikidata ids are given only where they were checked (SILL catalogue and a Wikipedia-API
#: verified list); the others are left out rather than guessed.
SOFTWARE: tuple[Software, ...] = (
    Software("etherpad", "Etherpad", ("pad",), "Apache-2.0", url="https://etherpad.org"),
    Software("yakforms", "Yakforms (ex-Framaforms)", ("survey-form",), "GPL-2.0-or-later"),
    Software("framadate", "Framadate", ("date-poll",), "CECILL-B"),
    Software("sympa", "Sympa", ("mailing-list",), "GPL-2.0-or-later", "Q1850168",
             "https://www.sympa.community"),
    Software("mattermost", "Mattermost", ("chat",), "AGPL-3.0-only", url="https://mattermost.com"),
    Software("rocket-chat", "Rocket.Chat", ("chat",), "MIT", "Q24050001", "https://rocket.chat"),
    Software("jitsi-meet", "Jitsi Meet", ("video-conferencing",), "Apache-2.0",
             url="https://jitsi.org"),
    Software("bigbluebutton", "BigBlueButton", ("video-conferencing",), "LGPL-3.0-only",
             "Q4904858", "https://bigbluebutton.org"),
    Software("nextcloud", "Nextcloud", ("cloud-suite", "calendar"), "AGPL-3.0-or-later",
             "Q25874683", "https://nextcloud.com"),
    Software("mediawiki", "MediaWiki", ("wiki",), "GPL-2.0-or-later", "Q83",
             "https://www.mediawiki.org"),
    Software("loomio", "Loomio", ("decision-making-platform",), "AGPL-3.0-only",
             url="https://www.loomio.com"),
    Software("discourse", "Discourse", ("forum",), "GPL-2.0-or-later", "Q15054354",
             "https://www.discourse.org"),
    Software("decidim", "Decidim", ("decision-making-platform",), "AGPL-3.0-only", "Q20105575",
             "https://decidim.org"),
    Software("limesurvey", "LimeSurvey", ("survey-form",), "GPL-2.0-or-later", "Q1514978"),
    Software("wekan", "Wekan", ("project-management",), "MIT", "Q50558592"),
    Software("mastodon", "Mastodon", ("social-network",), "AGPL-3.0-only", "Q27986619",
             "https://joinmastodon.org"),
    Software("peertube", "PeerTube", ("publishing",), "AGPL-3.0-or-later", "Q50938515",
             "https://joinpeertube.org"),
    Software("mobilizon", "Mobilizon", ("calendar",), "AGPL-3.0-only",
             url="https://mobilizon.org"),
    Software("cryptpad", "CryptPad", ("pad", "office-suite"), "AGPL-3.0-only",
             url="https://cryptpad.org"),
    Software("signal", "Signal", ("chat",), "AGPL-3.0-only", url="https://signal.org"),
    Software("whatsapp", "WhatsApp", ("chat",), "proprietary", "Q1049511"),
    Software("facebook", "Facebook (groupes et pages)", ("social-network",), "proprietary",
             "Q355"),
    Software("google-docs", "Google Docs", ("office-suite", "pad"), "proprietary"),
    Software("google-forms", "Google Forms", ("survey-form",), "proprietary"),
    Software("google-drive", "Google Drive", ("file-sharing",), "proprietary"),
    Software("slack", "Slack", ("chat",), "proprietary"),
    Software("zoom", "Zoom", ("video-conferencing",), "proprietary"),
    Software("microsoft-teams", "Microsoft Teams", ("video-conferencing", "chat"), "proprietary",
             "Q28406404"),
    Software("skype", "Skype", ("video-conferencing",), "proprietary", "Q40984"),
    Software("doodle", "Doodle", ("date-poll",), "proprietary"),
    Software("trello", "Trello", ("project-management",), "proprietary"),
    Software("carto-quartier", "Carto'Quartier", ("mapping",), "AGPL-3.0-or-later",
             fictional=True,
             about_fr="carte contributive des lieux d'entraide d'un quartier, "
                      "issue du projet de co-conception « Carte des lieux d'entraide ».",
             about_en="a contributory map of a neighbourhood's mutual-aid "
                      "places, produced by the co-design project \"Map of mutual-aid places\"."),
)
SOFTWARE_BY_SLUG: dict[str, Software] = {s.slug: s for s in SOFTWARE}


@dataclass(frozen=True)
class Instance:
    slug: str
    label: str
    software: str
    provider: str
    hosting: str            # ChatonsHosting | CommercialHosting | SelfHosting | AssociativeHosting
    fictional: bool = True
    url: str | None = None


INSTANCES: tuple[Instance, ...] = (
    Instance("framapad", "Framapad", "etherpad", "framasoft", "ChatonsHosting", False,
             "https://framapad.org"),
    Instance("framaforms", "Framaforms", "yakforms", "framasoft", "ChatonsHosting", False,
             "https://framaforms.org"),
    Instance("framadate", "Framadate (service)", "framadate", "framasoft", "ChatonsHosting",
             False, "https://framadate.org"),
    Instance("framalistes", "Framalistes", "sympa", "framasoft", "ChatonsHosting", False,
             "https://framalistes.org"),
    Instance("framaspace", "Framaspace", "nextcloud", "framasoft", "ChatonsHosting", False,
             "https://www.frama.space"),
    Instance("chatons-canal-mattermost", "Mattermost des Chatons du Canal", "mattermost",
             "chatons-du-canal", "ChatonsHosting"),
    Instance("chatons-canal-loomio", "Loomio des Chatons du Canal", "loomio",
             "chatons-du-canal", "ChatonsHosting"),
    Instance("chatons-canal-jitsi", "Jitsi Meet des Chatons du Canal", "jitsi-meet",
             "chatons-du-canal", "ChatonsHosting"),
    Instance("fabrique-bbb", "BigBlueButton de la Fabrique Numérique", "bigbluebutton",
             "fabrique-numerique-meaux", "AssociativeHosting"),
    Instance("wiki-quartiers", "Wiki des quartiers populaires", "mediawiki",
             "coordination-quartiers-populaires", "SelfHosting"),
    Instance("nuagefacile-nextcloud", "Nextcloud hébergé par NuageFacile", "nextcloud",
             "nuagefacile", "CommercialHosting"),
)
INSTANCE_BY_SLUG: dict[str, Instance] = {i.slug: i for i in INSTANCES}


@dataclass(frozen=True)
class Space:
    slug: str
    label: str
    host: str               # an instance slug
    shared_by: tuple[str, ...]
    sioc_type: str | None = None


SPACES: tuple[Space, ...] = (
    Space("liste-sante-communautaire", "Liste santé communautaire", "framalistes",
          ("collectif-sante-belleville", "diabete-entraide-93", "pairs-aidants-addictions",
           "comite-usagers-aubervilliers", "femmes-relais-mantois"), "sioct:MailingList"),
    Space("liste-locataires-93", "Liste inter-amicales de locataires", "framalistes",
          ("amicale-quatre-vents", "union-locataires-ivry", "collectif-toits-montreuil",
           "precarite-energetique-93"), "sioct:MailingList"),
    Space("wiki-convergence", "Wiki de la convergence santé-ville", "wiki-quartiers",
          ("coordination-quartiers-populaires", "reseau-sante-ville", "atelier-urbanisme-plaine",
           "collectif-sante-belleville", "jardins-du-canal", "fabrique-numerique-meaux"),
          "sioct:Wiki"),
    Space("loomio-convergence", "Groupe Loomio « Convergence santé-ville »",
          "chatons-canal-loomio",
          ("reseau-sante-ville", "collectif-sante-belleville", "positifs-ensemble",
           "atelier-urbanisme-plaine", "coordination-quartiers-populaires",
           "precarite-energetique-93"), "sioct:MessageBoard"),
    Space("equipe-inter-assos", "Équipe Mattermost inter-associations", "chatons-canal-mattermost",
          ("collectif-sante-belleville", "jardins-du-canal", "chatons-du-canal"), None),
    Space("dossier-champigny", "Dossier partagé de l'inter-associations", "nuagefacile-nextcloud",
          ("inter-associations-champigny", "education-populaire-95"), None),
    Space("pad-cahier-revendications", "Pad « cahier de revendications »", "framapad",
          ("section-soignants-nanterre",), None),
)
SPACE_BY_SLUG: dict[str, Space] = {s.slug: s for s in SPACES}


def tool_ref(tool: str) -> str:
    """``"instance/x"``, ``"space/x"`` or a software slug, as a Turtle term."""
    if "/" in tool:
        kind, slug = tool.split("/", 1)
        return ref(kind, slug)
    return ref("software", tool)


def tool_label(tool: str) -> str:
    if tool.startswith("instance/"):
        return INSTANCE_BY_SLUG[tool.split("/", 1)[1]].label
    if tool.startswith("space/"):
        return SPACE_BY_SLUG[tool.split("/", 1)[1]].label
    return SOFTWARE_BY_SLUG[tool].label


def tool_software(tool: str) -> str:
    """The software slug a tool reference rolls up to."""
    if tool.startswith("instance/"):
        return INSTANCE_BY_SLUG[tool.split("/", 1)[1]].software
    if tool.startswith("space/"):
        return INSTANCE_BY_SLUG[SPACE_BY_SLUG[tool.split("/", 1)[1]].host].software
    return tool

"""The example dataset, part 2: the usage observations, wave by wave.

Each row says how one invented organisation uses one tool for some practices; the builder
turns it into one ``cg:ToolUsage`` per observation wave in which the usage had begun. A row
with an end date becomes ``abandoned`` (with ``schema:endDate``) in the first wave observed
after that date. Sources: ``S`` the wave's survey, ``I`` its interviews, ``M`` the field
seminar the organisation attended that year, ``C`` that year's convergence seminar.

Designed patterns (checked by tests/graph/samples/test_example_data.py):
migrations from a commercial platform to a free or CHATONS-hosted tool for the same
practice; tools that appear only in wave 2 (Mobilizon, CryptPad, Decidim, BigBlueButton,
Rocket.Chat, Carto'Quartier) and tools abandoned between the waves (Skype, Trello, Doodle).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class U:
    """One usage row: ``tool`` is a software slug, ``instance/…`` or ``space/…``."""

    tool: str
    practices: str            # space-separated practice slugs
    start: str
    end: str | None = None
    src1: str = "S"           # sources in wave 2024 ("" = not observed that wave)
    src2: str = "S"           # sources in wave 2025
    trial: tuple[int, ...] = ()   # waves in which the usage is still a trial


USAGES: dict[str, tuple[U, ...]] = {
    # -- health --------------------------------------------------------------------------
    "diabete-entraide-93": (
        U("space/liste-sante-communautaire", "announcement internal-discussion", "2021-09-01",
          src1="SM"),
        U("whatsapp", "instant-messaging", "2018-04-01"),
        U("instance/chatons-canal-loomio", "consensus-decision", "2023-09-01", src1="SM"),
        U("instance/framadate", "date-polling", "2020-01-15"),
        U("zoom", "video-meeting", "2020-04-01", src2="SC"),
    ),
    "collectif-sante-belleville": (
        # migration: WhatsApp -> Mattermost of a CHATONS host, for instant messaging
        U("whatsapp", "instant-messaging", "2019-05-01", "2024-09-30", src1="SM", src2="SC"),
        U("space/equipe-inter-assos", "instant-messaging", "2024-10-01", src2="SC"),
        U("space/loomio-convergence", "consensus-decision agenda-setting", "2023-11-15",
          src1="SC"),
        U("space/liste-sante-communautaire", "announcement", "2021-09-01"),
        U("space/wiki-convergence", "documentation wiki-writing", "2024-02-01", src1="SC"),
        U("instance/framapad", "minutes-taking", "2019-10-01"),
    ),
    "reseau-sante-mentale-94": (
        # migration: Zoom -> BigBlueButton (associative hosting), for video meetings
        U("zoom", "video-meeting", "2020-03-16", "2024-10-31", src1="SM", src2="SI"),
        U("instance/fabrique-bbb", "video-meeting", "2024-11-04", src2="SI"),
        U("decidim", "voting deliberation", "2024-11-15", src2="SM", trial=(2025,)),
        U("google-drive", "document-sharing", "2019-01-01"),
    ),
    "aidants-essonne": (
        U("google-forms", "voting", "2022-01-10", src2="SM"),
        U("facebook", "social-media-publishing", "2017-06-01"),
        U("skype", "video-meeting", "2016-09-01", "2024-12-13"),
        U("zoom", "video-meeting", "2024-12-16"),
        U("instance/framaforms", "event-registration", "2023-05-01"),
    ),
    "comite-usagers-aubervilliers": (
        U("space/liste-sante-communautaire", "announcement internal-discussion", "2022-03-01"),
        # migration: Doodle -> Framadate (CHATONS), for date polls
        U("doodle", "date-polling", "2019-09-01", "2024-06-30"),
        U("instance/framadate", "date-polling", "2024-07-01"),
        U("instance/framaspace", "document-sharing", "2024-03-01", src1="SI"),
    ),
    "positifs-ensemble": (
        U("space/loomio-convergence", "deliberation agenda-setting", "2022-05-01", src1="SM",
          src2="SM"),
        U("signal", "instant-messaging", "2020-06-01"),
        U("instance/framaspace", "document-sharing", "2023-01-15"),
        U("mastodon", "social-media-publishing", "2022-11-20"),
        U("facebook", "social-media-publishing", "2015-03-01"),
    ),
    "union-sante-social-93": (
        U("instance/chatons-canal-mattermost", "deliberation internal-discussion", "2023-02-01",
          src1="SI"),
        U("instance/framalistes", "announcement newsletter", "2016-01-01"),
        U("microsoft-teams", "video-meeting", "2021-01-15"),
        U("whatsapp", "campaign-coordination", "2019-11-01"),
    ),
    "section-soignants-nanterre": (
        U("space/pad-cahier-revendications", "document-co-editing", "2023-12-01"),
        U("whatsapp", "instant-messaging", "2020-03-01"),
        U("instance/chatons-canal-mattermost", "internal-discussion", "2023-06-01"),
    ),
    "pairs-aidants-addictions": (
        U("space/liste-sante-communautaire", "announcement", "2022-03-01"),
        U("signal", "instant-messaging", "2021-05-01"),
        U("instance/chatons-canal-jitsi", "video-meeting", "2021-01-10", src1="SI", src2="SI"),
        U("trello", "task-management", "2020-02-01", "2024-10-15"),
    ),
    "signes-et-sante": (
        U("zoom", "video-meeting", "2020-04-01", src1="SM"),
        U("facebook", "social-media-publishing", "2016-01-01"),
        U("google-docs", "document-co-editing", "2019-01-01"),
        U("cryptpad", "document-co-editing", "2025-01-06", trial=(2025,)),
    ),
    "femmes-relais-mantois": (
        U("whatsapp", "instant-messaging", "2019-01-01", src2="SI"),
        U("space/liste-sante-communautaire", "announcement", "2023-06-01"),
        U("google-forms", "event-registration", "2021-09-01"),
        U("facebook", "social-media-publishing", "2018-02-01"),
    ),
    "vitry-sante-environnement": (
        # migration: Facebook events -> Mobilizon, for event registration
        U("facebook", "event-registration", "2019-03-01", "2024-12-31"),
        U("mobilizon", "event-registration", "2025-01-02"),
        U("instance/nuagefacile-nextcloud", "document-sharing", "2022-05-01"),
        U("instance/framaforms", "petition", "2023-10-01"),
    ),
    # -- urban question, housing -----------------------------------------------------------
    "amicale-quatre-vents": (
        # migration: Facebook group -> mailing list on Framalistes (CHATONS), for announcements
        U("facebook", "announcement", "2017-05-01", "2024-12-15", src1="SM", src2="SM"),
        U("space/liste-locataires-93", "announcement", "2024-12-16", src2="SM"),
        U("whatsapp", "instant-messaging", "2019-06-01"),
        U("doodle", "date-polling", "2020-01-01", "2024-09-01"),
        U("instance/framapad", "minutes-taking", "2021-01-01"),
    ),
    "collectif-toits-montreuil": (
        U("space/liste-locataires-93", "internal-discussion", "2022-01-01"),
        U("whatsapp", "instant-messaging campaign-coordination", "2020-01-15", src1="SM"),
        U("google-docs", "document-co-editing", "2020-02-01"),
        U("instance/framaforms", "petition", "2023-03-01"),
    ),
    "atelier-urbanisme-plaine": (
        # migration: Google Docs -> Framapad (CHATONS), for document co-editing
        U("google-docs", "document-co-editing", "2020-09-01", "2024-11-30", src1="SM",
          src2="SM"),
        U("instance/framapad", "document-co-editing", "2024-12-02", src2="SM"),
        U("space/wiki-convergence", "documentation", "2023-10-01", src1="SC"),
        U("space/loomio-convergence", "deliberation", "2023-11-15"),
        U("carto-quartier", "participatory-mapping", "2025-03-13", src2="M", trial=(2025,)),
        U("slack", "internal-discussion", "2019-05-01"),
    ),
    "jardins-du-canal": (
        U("space/equipe-inter-assos", "instant-messaging", "2022-09-01"),
        U("space/wiki-convergence", "documentation", "2023-10-01"),
        U("facebook", "social-media-publishing", "2016-04-01"),
        U("instance/framadate", "date-polling", "2018-04-01"),
        U("carto-quartier", "participatory-mapping", "2025-03-13", src2="M", trial=(2025,)),
    ),
    "coordination-quartiers-populaires": (
        U("space/wiki-convergence", "documentation", "2023-10-01", src1="SC", src2="SC"),
        U("space/loomio-convergence", "consensus-decision", "2023-11-15"),
        U("instance/framalistes", "newsletter", "2015-09-01"),
        # migration: Zoom -> Jitsi Meet of a CHATONS host, for video meetings
        U("zoom", "video-meeting", "2020-03-20", "2024-06-30", src1="SM"),
        U("instance/chatons-canal-jitsi", "video-meeting", "2024-07-01"),
        U("mastodon", "social-media-publishing", "2023-02-01"),
    ),
    "union-locataires-ivry": (
        U("space/liste-locataires-93", "internal-discussion", "2022-01-01"),
        U("skype", "video-meeting", "2018-01-01", "2024-11-30"),
        U("whatsapp", "instant-messaging", "2019-01-01", src2="SI"),
        U("google-drive", "document-sharing", "2019-01-01"),
    ),
    "velo-mobilites-argenteuil": (
        U("whatsapp", "instant-messaging campaign-coordination", "2020-06-01", src1="SM"),
        U("instance/framaforms", "petition", "2022-04-01"),
        U("mastodon", "social-media-publishing", "2023-01-10"),
        # migration: Trello -> Wekan, for task management
        U("trello", "task-management", "2021-03-01", "2024-09-01"),
        U("wekan", "task-management", "2024-09-02"),
    ),
    "vigilance-renovation-clichy": (
        U("whatsapp", "instant-messaging", "2019-09-01"),
        U("facebook", "social-media-publishing", "2018-09-01", src1="SM"),
        U("google-docs", "minutes-taking", "2021-01-01"),
        U("instance/framadate", "date-polling", "2022-01-01"),
    ),
    "habitat-participatif-cergy": (
        U("instance/chatons-canal-loomio", "consensus-decision", "2020-10-01", src2="SM"),
        U("instance/nuagefacile-nextcloud", "document-sharing shared-calendar", "2021-01-01"),
        U("signal", "instant-messaging", "2021-02-01"),
    ),
    "observatoire-grand-paris": (
        U("instance/wiki-quartiers", "documentation", "2022-01-01", src1="SM"),
        U("mastodon", "social-media-publishing", "2022-12-01"),
        U("peertube", "public-communication", "2023-05-01"),
        U("slack", "internal-discussion", "2020-01-01"),
    ),
    "precarite-energetique-93": (
        U("space/liste-locataires-93", "announcement", "2023-01-01"),
        U("space/loomio-convergence", "voting", "2024-01-10", src1="SC"),
        U("instance/framaforms", "petition", "2023-11-01", src2="SM"),
        U("whatsapp", "instant-messaging", "2021-01-01"),
    ),
    "culture-quartiers-bagnolet": (
        U("facebook", "social-media-publishing", "2014-01-01"),
        U("google-drive", "document-sharing", "2018-01-01"),
        # migration: Doodle -> Framadate (CHATONS), for date polls
        U("doodle", "date-polling", "2019-01-01", "2024-10-01"),
        U("instance/framadate", "date-polling", "2024-10-02"),
        U("mobilizon", "event-registration", "2025-01-08"),
    ),
    "reseau-sante-ville": (
        U("space/loomio-convergence", "consensus-decision agenda-setting", "2023-11-15",
          src1="SC", src2="SC"),
        U("space/wiki-convergence", "documentation wiki-writing", "2023-10-01"),
        U("instance/framalistes", "newsletter", "2020-01-01"),
        U("instance/chatons-canal-jitsi", "video-meeting", "2021-03-01"),
    ),
    # -- social economy, environment, digital commons, labour ----------------------------------
    "fabrique-numerique-meaux": (
        U("instance/fabrique-bbb", "training video-meeting", "2024-10-07"),
        U("wekan", "task-management", "2020-05-01", src1="SI"),
        U("space/wiki-convergence", "documentation", "2023-10-01"),
        U("mastodon", "social-media-publishing", "2021-06-01"),
        U("slack", "internal-discussion", "2018-01-01"),
    ),
    "chatons-du-canal": (
        U("space/equipe-inter-assos", "internal-discussion", "2019-03-01"),
        U("discourse", "knowledge-sharing", "2020-01-01"),
        U("instance/chatons-canal-jitsi", "video-meeting", "2020-03-20"),
    ),
    "regie-quartier-trappes": (
        U("microsoft-teams", "video-meeting internal-discussion", "2020-09-01"),
        U("google-drive", "document-sharing", "2018-01-01"),
        U("whatsapp", "instant-messaging", "2019-01-01"),
        U("instance/framadate", "date-polling", "2024-03-01"),
    ),
    "amap-pays-de-melun": (
        U("google-forms", "membership-records", "2017-01-01"),
        U("facebook", "social-media-publishing", "2015-01-01"),
        U("instance/framalistes", "announcement", "2016-01-01"),
        U("doodle", "date-polling", "2018-01-01", "2024-08-31"),
    ),
    "recyclerie-gresillons": (
        U("facebook", "social-media-publishing", "2016-01-01"),
        U("google-docs", "document-co-editing", "2019-01-01"),
        U("whatsapp", "instant-messaging", "2019-01-01"),
        U("trello", "task-management", "2019-05-01", "2024-12-31"),
    ),
    "climat-versailles": (
        # migration: Slack -> Rocket.Chat, for internal discussion
        U("slack", "internal-discussion", "2021-02-01", "2024-08-31", src1="SI"),
        U("rocket-chat", "internal-discussion", "2024-09-02"),
        U("instance/framaforms", "petition", "2022-02-01"),
        U("mastodon", "social-media-publishing", "2022-11-10"),
    ),
    "education-populaire-95": (
        U("space/dossier-champigny", "document-sharing", "2022-06-01"),
        U("zoom", "video-meeting training", "2020-05-01"),
        U("instance/framalistes", "newsletter", "2017-01-01"),
        U("limesurvey", "knowledge-sharing", "2021-01-01"),
    ),
    "grigny-numerique-solidaire": (
        U("instance/framaspace", "document-sharing", "2023-02-01"),
        U("instance/chatons-canal-jitsi", "training", "2021-10-01"),
        U("facebook", "social-media-publishing", "2017-01-01"),
        U("cryptpad", "document-co-editing", "2025-01-08"),
    ),
    "inter-associations-champigny": (
        U("space/dossier-champigny", "document-sharing", "2022-06-01"),
        # a move between two commercial platforms: NOT a migration to a free tool
        U("zoom", "video-meeting", "2020-04-01", "2024-09-30"),
        U("microsoft-teams", "video-meeting", "2024-10-01"),
        U("instance/framalistes", "announcement", "2019-01-01"),
    ),
    "precaires-93": (
        U("whatsapp", "campaign-coordination instant-messaging", "2018-01-01"),
        U("signal", "internal-discussion", "2022-01-01"),
        U("instance/framaforms", "membership-records", "2023-01-01"),
        U("instance/framapad", "document-co-editing", "2020-01-01"),
    ),
}

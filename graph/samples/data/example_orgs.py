"""The example dataset: communes and organisations.

Real organisations (VECAM, La Fonda, AITEC, the Région Île-de-France, Framasoft) appear only
with what the programme's description says of them, or, for Framasoft, as the provider of
its public services. Every other organisation is invented and flagged ``cg:isFictional true``.
"""

from __future__ import annotations

from dataclasses import dataclass

# ------------------------------------------------------------------------------------------
# Communes (real INSEE codes)
# ------------------------------------------------------------------------------------------

COMMUNES: dict[str, str] = {
    "75056": "Paris",
    "77284": "Meaux",
    "77288": "Melun",
    "78361": "Mantes-la-Jolie",
    "78621": "Trappes",
    "78646": "Versailles",
    "91228": "Évry-Courcouronnes",
    "91286": "Grigny",
    "92036": "Gennevilliers",
    "92050": "Nanterre",
    "93001": "Aubervilliers",
    "93006": "Bagnolet",
    "93008": "Bobigny",
    "93014": "Clichy-sous-Bois",
    "93027": "La Courneuve",
    "93048": "Montreuil",
    "93055": "Pantin",
    "93066": "Saint-Denis",
    "93070": "Saint-Ouen-sur-Seine",
    "94017": "Champigny-sur-Marne",
    "94028": "Créteil",
    "94041": "Ivry-sur-Seine",
    "94081": "Vitry-sur-Seine",
    "95018": "Argenteuil",
    "95127": "Cergy",
    "95585": "Sarcelles",
}


# ------------------------------------------------------------------------------------------
# Organisations
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Org:
    slug: str
    label: str
    types: tuple[str, ...]
    kind: str
    fields: tuple[str, ...]
    commune: str | None
    about_fr: str
    about_en: str
    fictional: bool = True
    member_of: tuple[str, ...] = ()
    sub_of: str | None = None
    rna: str | None = None
    url: str | None = None


FORMAL = ("org:FormalOrganization",)
NETWORK = ("org:OrganizationalCollaboration",)
COLLECTIVE = ("org:Organization",)
UNIT = ("org:OrganizationalUnit",)

#: The real organisations: only what the programme's own description says of them.
REAL_ORGS: tuple[Org, ...] = (
    Org("vecam", "VECAM", FORMAL, "association", ("digital-commons",), None,
        "Association citoyenne ; organisatrice du programme de formation-action sur les "
        "pratiques numériques des réseaux citoyens en Île-de-France et hôte de ses séminaires.",
        "Citizen association; organiser of the formation-action programme on the digital "
        "practices of citizen networks in Île-de-France, and host of its seminars.",
        fictional=False),
    Org("fonda", "La Fonda", FORMAL, "association", ("social-economy",), None,
        "Association ; partenaire du programme de formation-action.",
        "Association; partner of the formation-action programme.", fictional=False),
    Org("aitec", "AITEC", FORMAL, "association", ("urban-question",), None,
        "Association ; partenaire du programme de formation-action.",
        "Association; partner of the formation-action programme.", fictional=False),
    Org("region-ile-de-france", "Région Île-de-France", FORMAL, "regional-authority", (), None,
        "Collectivité régionale ; financeuse du programme de formation-action.",
        "Regional authority; funder of the formation-action programme.", fictional=False,
        url="https://www.iledefrance.fr"),
    Org("framasoft", "Framasoft", FORMAL, "association", ("digital-commons",), None,
        "Association d'éducation populaire, membre du collectif CHATONS ; n'apparaît ici que "
        "comme fournisseur des services Framapad, Framaforms, Framadate, Framalistes et "
        "Framaspace.",
        "Popular-education association and CHATONS member; appears here only as the provider "
        "of the Framapad, Framaforms, Framadate, Framalistes and Framaspace services.",
        fictional=False, url="https://framasoft.org"),
)

#: Invented organisations: every usage, need, experience and effect concerns only these.
FICTIONAL_ORGS: tuple[Org, ...] = (
    # -- health ------------------------------------------------------------------------
    Org("diabete-entraide-93", "Diabète Entraide Seine-Saint-Denis", FORMAL,
        "patients-association", ("patients-rights",), "93008",
        "association de patients diabétiques qui organise groupes de parole et permanences.",
        "association of people living with diabetes, running peer groups and drop-in hours.",
        member_of=("reseau-sante-ville",), rna="W939990011"),
    Org("collectif-sante-belleville", "Collectif Santé Communautaire de Belleville", COLLECTIVE,
        "collective", ("access-to-care",), "75056",
        "collectif d'habitants et de soignants pour l'accès aux soins dans le quartier.",
        "collective of residents and carers working on access to care in the neighbourhood.",
        member_of=("reseau-sante-ville",)),
    Org("reseau-sante-mentale-94", "Réseau Solidaire Santé Mentale 94", NETWORK,
        "network", ("mental-health",), "94028",
        "réseau d'associations d'usagers et de proches en santé mentale du Val-de-Marne.",
        "network of mental-health user and family associations in the Val-de-Marne."),
    Org("aidants-essonne", "Association des Aidants de l'Essonne", FORMAL,
        "association", ("health",), "91228",
        "association de proches aidants qui anime des cafés des aidants.",
        "association of family carers running carers' cafés.", rna="W919990023"),
    Org("comite-usagers-aubervilliers", "Comité d'usagers de la Maison de santé d'Aubervilliers",
        FORMAL, "residents-association", ("access-to-care",), "93001",
        "comité d'usagers d'une maison de santé pluriprofessionnelle.",
        "users' committee of a multi-professional health centre.", rna="W939990035",
        member_of=("reseau-sante-ville",)),
    Org("positifs-ensemble", "Positifs Ensemble Île-de-France", FORMAL,
        "patients-association", ("patients-rights",), "75056",
        "association de personnes vivant avec le VIH, d'entraide et de plaidoyer.",
        "association of people living with HIV, for mutual aid and advocacy.",
        rna="W759990047"),
    Org("union-sante-social-93", "Union syndicale Santé-Social 93", FORMAL,
        "union", ("health", "labour"), "93008",
        "union syndicale départementale des salariés de la santé et du social.",
        "departmental trade union of health and social-care workers."),
    Org("section-soignants-nanterre", "Section syndicale des soignants de Nanterre", UNIT,
        "union", ("health", "labour"), "92050",
        "section locale d'hôpital de l'Union syndicale Santé-Social 93.",
        "hospital branch of the Union syndicale Santé-Social 93.",
        sub_of="union-sante-social-93"),
    Org("pairs-aidants-addictions", "Pairs-Aidants Addictions Île-de-France", FORMAL,
        "patients-association", ("health",), "93066",
        "association de pairs-aidants en addictologie.",
        "association of peer supporters in addiction care.", rna="W939990059"),
    Org("signes-et-sante", "Signes & Santé IDF", FORMAL, "association", ("access-to-care",),
        "75056", "association pour l'accès aux soins des personnes sourdes.",
        "association for deaf people's access to care.", rna="W759990061"),
    Org("femmes-relais-mantois", "Femmes Relais du Mantois", FORMAL, "association",
        ("health", "solidarity"), "78361",
        "association de femmes relais en santé et médiation sociale.",
        "association of women acting as health and social mediators.",
        rna="W789990073", member_of=("reseau-sante-ville",)),
    Org("vitry-sante-environnement", "Vitry Santé Environnement", FORMAL, "association",
        ("health", "environment"), "94081",
        "association d'habitants sur la qualité de l'air et la santé environnementale.",
        "residents' association on air quality and environmental health.", rna="W949990085"),
    # -- urban question, housing ---------------------------------------------------------
    Org("amicale-quatre-vents", "Amicale des locataires des Quatre-Vents", FORMAL,
        "tenants-association", ("housing",), "93027",
        "amicale de locataires d'une cité de logement social.",
        "tenants' association of a social-housing estate.", rna="W939990097",
        member_of=("coordination-quartiers-populaires",)),
    Org("collectif-toits-montreuil", "Collectif Toits pour Tous Montreuil", COLLECTIVE,
        "collective", ("housing",), "93048",
        "collectif de soutien aux personnes mal logées.",
        "collective supporting people in poor housing.",
        member_of=("coordination-quartiers-populaires",)),
    Org("atelier-urbanisme-plaine", "Atelier Citoyen d'Urbanisme de la Plaine", FORMAL,
        "association", ("urban-planning",), "93066",
        "atelier d'urbanisme participatif sur les projets d'aménagement.",
        "participatory planning workshop on urban development projects.", rna="W939990102",
        member_of=("coordination-quartiers-populaires",)),
    Org("jardins-du-canal", "Jardins Partagés du Canal", FORMAL, "association",
        ("public-space", "food"), "93055",
        "association de jardins partagés au bord du canal.",
        "shared-gardens association along the canal.", rna="W939990114"),
    Org("coordination-quartiers-populaires",
        "Coordination des Quartiers Populaires d'Île-de-France",
        NETWORK, "network", ("urban-question",), "75056",
        "réseau d'associations de quartiers populaires.",
        "network of working-class neighbourhood associations."),
    Org("union-locataires-ivry", "Union des locataires d'Ivry", FORMAL, "tenants-association",
        ("housing",), "94041", "fédération locale d'amicales de locataires.",
        "local federation of tenants' associations.", rna="W949990126"),
    Org("velo-mobilites-argenteuil", "Collectif Vélo & Mobilités Argenteuil", COLLECTIVE,
        "collective", ("mobility", "climate"), "95018",
        "collectif pour les mobilités actives.", "collective for active mobility."),
    Org("vigilance-renovation-clichy", "Comité de vigilance Rénovation urbaine Clichy-Montfermeil",
        COLLECTIVE, "collective", ("urban-planning", "housing"), "93014",
        "comité d'habitants qui suit un programme de rénovation urbaine.",
        "residents' committee following an urban renewal programme.",
        member_of=("coordination-quartiers-populaires",)),
    Org("habitat-participatif-cergy", "Habitat Participatif Cergy-Pontoise", FORMAL,
        "cooperative", ("housing",), "95127", "coopérative d'habitants.",
        "residents' housing cooperative."),
    Org("observatoire-grand-paris", "Observatoire citoyen du Grand Paris Express", COLLECTIVE,
        "collective", ("urban-planning", "mobility"), "93070",
        "collectif qui documente les chantiers et leurs effets sur les quartiers.",
        "collective documenting construction works and their effects on neighbourhoods."),
    Org("precarite-energetique-93", "Collectif Précarité Énergétique 93", COLLECTIVE,
        "collective", ("housing", "health", "climate"), "93001",
        "collectif sur le logement indigne, le froid et la santé.",
        "collective on substandard housing, cold homes and health."),
    Org("culture-quartiers-bagnolet", "Culture et Quartiers de Bagnolet", FORMAL, "association",
        ("culture", "public-space"), "93006", "association d'action culturelle de quartier.",
        "neighbourhood cultural-action association.", rna="W939990138"),
    Org("reseau-sante-ville", "Réseau Santé-Ville Île-de-France", NETWORK, "network",
        ("health", "urban-question"), "75056",
        "réseau qui relie associations de santé et collectifs d'habitants.",
        "network linking health associations and residents' groups."),
    # -- social economy, environment, digital commons, labour ----------------------------------
    Org("fabrique-numerique-meaux", "La Fabrique Numérique de Meaux", FORMAL, "association",
        ("digital-commons",), "77284", "tiers-lieu d'accompagnement au numérique libre.",
        "third place supporting free digital tools.", rna="W779990141"),
    Org("chatons-du-canal", "Les Chatons du Canal", FORMAL, "association", ("free-software",),
        "75056", "hébergeur associatif membre du collectif CHATONS.",
        "associative host, member of the CHATONS collective.", rna="W759990153"),
    Org("nuagefacile", "NuageFacile SAS", FORMAL, "company", (), "92050",
        "entreprise d'hébergement en ligne.", "online hosting company."),
    Org("regie-quartier-trappes", "Régie de quartier de Trappes", FORMAL, "association",
        ("social-economy",), "78621", "régie de quartier d'insertion.",
        "neighbourhood work-integration enterprise.", rna="W789990165"),
    Org("amap-pays-de-melun", "AMAP du Pays de Melun", FORMAL, "association", ("food",),
        "77288", "association pour le maintien d'une agriculture paysanne.",
        "community-supported agriculture association.", rna="W779990177"),
    Org("recyclerie-gresillons", "Recyclerie des Grésillons", FORMAL, "association",
        ("environment", "social-economy"), "92036", "recyclerie associative.",
        "associative reuse centre.", rna="W929990189"),
    Org("climat-versailles", "Collectif Climat Versailles Grand Parc", COLLECTIVE, "collective",
        ("climate",), "78646", "collectif local pour le climat.", "local climate collective."),
    Org("education-populaire-95", "Réseau d'éducation populaire du Val-d'Oise", NETWORK,
        "network", ("popular-education",), "95585", "réseau d'associations d'éducation populaire.",
        "network of popular-education associations."),
    Org("grigny-numerique-solidaire", "Grigny Numérique Solidaire", FORMAL, "association",
        ("digital-commons", "anti-poverty"), "91286", "association de médiation numérique.",
        "digital-inclusion association.", rna="W919990190"),
    Org("inter-associations-champigny", "Inter-associations de Champigny", NETWORK, "federation",
        ("citizenship",), "94017", "fédération locale d'associations.",
        "local federation of associations."),
    Org("precaires-93", "Syndicat interprofessionnel des précaires 93", FORMAL, "union",
        ("labour", "anti-poverty"), "93066", "syndicat de travailleurs précaires.",
        "union of precarious workers."),
)

ORGS: tuple[Org, ...] = REAL_ORGS + FICTIONAL_ORGS
ORG_BY_SLUG: dict[str, Org] = {o.slug: o for o in ORGS}

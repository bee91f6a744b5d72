"""The example dataset, part 4 (restricted graphs): invented people, their memberships and
their consent records. None of this may reach a public graph.

Slugs carry no names, so an IRI published by mistake reveals nobody.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    number: int
    name: str
    memberships: tuple[tuple[str, str, str], ...]   # (organisation, role, start date)
    phone: bool = False

    @property
    def slug(self) -> str:
        return f"personne-{self.number:02d}"

    @property
    def email(self) -> str:
        local = (self.name.lower().replace(" ", ".").replace("é", "e").replace("è", "e")
                 .replace("ï", "i").replace("ç", "c").replace("'", ""))
        return f"mailto:{local}@example.org"

    @property
    def telephone(self) -> str:
        # 01 99 00 xx xx: a range set aside for fiction.
        return f"tel:+3319900{self.number:04d}"


PEOPLE: tuple[Person, ...] = (
    Person(1, "Amina Belkacem", (("collectif-sante-belleville", "facilitator", "2019-05-01"),
                                 ("reseau-sante-ville", "board-member", "2021-01-15")), True),
    Person(2, "Julien Marchand", (("collectif-sante-belleville", "volunteer", "2020-02-01"),)),
    Person(3, "Fatou Diallo", (("diabete-entraide-93", "president", "2017-06-10"),), True),
    Person(4, "Marc Lefèvre", (("diabete-entraide-93", "treasurer", "2018-09-01"),)),
    Person(5, "Sophie Nguyen", (("reseau-sante-mentale-94", "coordinator", "2020-01-06"),)),
    Person(6, "Karim Haddad", (("reseau-sante-mentale-94", "member", "2022-03-01"),)),
    Person(7, "Claire Dumont", (("aidants-essonne", "president", "2016-05-01"),)),
    Person(8, "Yacine Benali", (("positifs-ensemble", "coordinator", "2019-11-01"),), True),
    Person(9, "Élodie Robert", (("positifs-ensemble", "volunteer", "2021-04-15"),)),
    Person(10, "Thomas Girard", (("union-sante-social-93", "secretary", "2015-10-01"),
                                 ("section-soignants-nanterre", "member", "2015-10-01"))),
    Person(11, "Nadia Kaci", (("section-soignants-nanterre", "facilitator", "2019-03-01"),)),
    Person(12, "Paul Moreau", (("pairs-aidants-addictions", "employee", "2020-02-01"),)),
    Person(13, "Inès Carvalho", (("signes-et-sante", "president", "2015-01-20"),)),
    Person(14, "Mariam Traoré", (("femmes-relais-mantois", "coordinator", "2018-02-01"),), True),
    Person(15, "Lucas Petit", (("vitry-sante-environnement", "member", "2021-06-01"),)),
    Person(16, "Rose Lambert", (("amicale-quatre-vents", "president", "2012-03-01"),
                                ("coordination-quartiers-populaires", "board-member",
                                 "2018-01-01"))),
    Person(17, "Hugo Fontaine", (("amicale-quatre-vents", "volunteer", "2023-01-10"),)),
    Person(18, "Leïla Mansouri", (("collectif-toits-montreuil", "facilitator", "2020-01-15"),)),
    Person(19, "Antoine Roux", (("atelier-urbanisme-plaine", "coordinator", "2019-09-01"),)),
    Person(20, "Chloé Bernard", (("atelier-urbanisme-plaine", "volunteer", "2022-10-01"),
                                 ("jardins-du-canal", "member", "2021-04-01"))),
    Person(21, "Omar Cissé", (("coordination-quartiers-populaires", "coordinator",
                               "2016-02-01"),), True),
    Person(22, "Camille Durand", (("union-locataires-ivry", "president", "2014-06-01"),)),
    Person(23, "Samir Ait-Ali", (("velo-mobilites-argenteuil", "facilitator", "2020-06-01"),)),
    Person(24, "Jeanne Leroy", (("precarite-energetique-93", "member", "2021-01-01"),
                                ("collectif-toits-montreuil", "member", "2021-09-01"))),
    Person(25, "Nicolas Faure", (("fabrique-numerique-meaux", "developer", "2019-01-01"),
                                 ("chatons-du-canal", "volunteer", "2019-03-01"))),
    Person(26, "Aïcha Keita", (("grigny-numerique-solidaire", "employee", "2022-09-01"),)),
    Person(27, "Pierre Gauthier", (("chatons-du-canal", "president", "2018-11-01"),)),
    Person(28, "Mélanie Caron", (("climat-versailles", "facilitator", "2021-02-01"),)),
    Person(29, "Bruno Chevalier", (("precaires-93", "secretary", "2018-01-01"),)),
    Person(30, "Lina Haddou", (("reseau-sante-ville", "coordinator", "2021-01-15"),), True),
)


@dataclass(frozen=True)
class Consent:
    person: int
    data: tuple[str, ...]      # pd:Name, pd:EmailAddress, pd:TelephoneNumber, cg:MembershipData
    given: str
    withdrawn: str | None = None


#: People 1, 3, 8, 14, 16, 21 and 30 consent to publish their name (and some their
#: memberships); person 19 gave consent and withdrew it; everyone else gave none.
CONSENTS: tuple[Consent, ...] = (
    Consent(1, ("pd:Name", "cg:MembershipData"), "2024-03-02"),
    Consent(3, ("pd:Name",), "2024-04-11"),
    Consent(8, ("pd:Name", "cg:MembershipData"), "2024-04-11"),
    Consent(14, ("pd:Name",), "2024-05-06"),
    Consent(16, ("pd:Name", "cg:MembershipData"), "2024-03-14"),
    Consent(21, ("pd:Name", "pd:EmailAddress"), "2024-06-20"),
    Consent(30, ("pd:Name", "cg:MembershipData"), "2025-04-10"),
    Consent(19, ("pd:Name", "cg:MembershipData"), "2024-03-14", withdrawn="2025-01-27"),
)

"""What no anonymous surface may show, read from the example's raw files, and the detector
that looks for it in any answer (whatever its escaping).

The persons, their memberships and their consent records are read with rdflib straight from
``graph/samples/data/example/members.ttl`` and ``consent.ttl`` (not through the store under test);
who consented to what (``graph/samples/data/example_people.py``) is written down here by hand.

A person who did not consent (the one who withdrew included) must not appear at all: not
their name (whole, or their surname where it is not an ordinary word of the public data),
e-mail address, phone number, nor any IRI of theirs (person, membership, consent record:
they all carry ``personne-NN``). A person who consented appears only with the categories
they consented to.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus

import rdflib

from graph.namespaces import DPV, FOAF, ID, ORG
from graph.samples.example import EXAMPLE_GRAPHS, example_path

#: example_people.py: person number -> what they consented to publish
CONSENTS: Mapping[int, frozenset[str]] = {
    1: frozenset({"name", "membership"}),
    3: frozenset({"name"}),
    8: frozenset({"name", "membership"}),
    14: frozenset({"name"}),
    16: frozenset({"name", "membership"}),
    21: frozenset({"name", "email"}),
    30: frozenset({"name", "membership"}),
}
WITHDRAWN = 19
CATEGORIES = ("name", "email", "phone", "membership")


@dataclass(frozen=True)
class Person:
    """One fictional member, as the restricted files describe them."""

    number: int
    iri: str
    names: frozenset[str]
    emails: frozenset[str]          # mailto: IRIs
    phones: frozenset[str]          # tel: IRIs
    memberships: frozenset[str]     # membership IRIs
    organisations: frozenset[str]   # organisations of those memberships
    consents: frozenset[str]        # consent record IRIs

    @property
    def token(self) -> str:
        """What every IRI of theirs holds (``personne-07``)."""
        return f"personne-{self.number:02d}"


def _restricted_graph(name: str) -> rdflib.Graph:
    graph = next(g for g in EXAMPLE_GRAPHS if g.name == name)
    return rdflib.Graph().parse(data=example_path(graph).read_text(encoding="utf-8"),
                                format="turtle", publicID=ID)


def read_people() -> dict[int, Person]:
    """Every person of the example, from the raw Turtle files."""
    members, consent = _restricted_graph("example-members"), _restricted_graph("example-consent")
    people: dict[int, Person] = {}
    for subject in members.subjects(rdflib.RDF.type, rdflib.URIRef(FOAF + "Person")):
        number = int(str(subject).rsplit("-", 1)[-1])
        memberships = set(members.subjects(rdflib.URIRef(ORG + "member"), subject))
        people[number] = Person(
            number, str(subject),
            frozenset(str(v) for v in members.objects(subject, rdflib.URIRef(FOAF + "name"))),
            frozenset(str(v) for v in members.objects(subject, rdflib.URIRef(FOAF + "mbox"))),
            frozenset(str(v) for v in members.objects(subject, rdflib.URIRef(FOAF + "phone"))),
            frozenset(str(m) for m in memberships),
            frozenset(str(o) for m in memberships
                      for o in members.objects(m, rdflib.URIRef(ORG + "organization"))),
            frozenset(str(c) for c in consent.subjects(
                rdflib.URIRef(DPV + "hasDataSubject"), subject)),
        )
    assert len(people) == 30 and sum(len(p.memberships) for p in people.values()) == 36
    return people


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def decoded(text: str) -> str:
    """``text`` with JSON / N-Triples / SPARQL ``\\u`` escapes, Turtle's ``\\/``, HTML
    entities and percent-encoding undone, NFC-normalised and case-folded."""
    out = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    out = html.unescape(out.replace("\\/", "/").replace("\\-", "-"))
    return _fold(unquote_plus(unquote(out)) if "%" in out or "+" in out else out)


def public_text() -> str:
    """The text of the public example data and the vocabulary, folded: a surname found in it
    (« Petit » in « petite ») is an ordinary word, and only the whole name is looked for."""
    from graph.vocabulary import vocabulary_triples

    public = next(g for g in EXAMPLE_GRAPHS if g.public)
    texts = [example_path(public).read_text(encoding="utf-8")]
    texts += [t.object.value for t in vocabulary_triples() if hasattr(t.object, "language")]
    return _fold(" ".join(texts))


@dataclass
class Probe:
    """The patterns an anonymous answer must not match, and the check itself. Each pattern
    has literal anchors, one of which any match holds: the regular expression runs only on
    answers that hold one (a dump is megabytes)."""

    people: dict[int, Person]
    consents: Mapping[int, frozenset[str]]
    patterns: dict[str, tuple[tuple[str, ...], re.Pattern[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ordinary = public_text()
        for person in self.people.values():
            allowed = self.consents.get(person.number, frozenset())
            if not allowed:
                self._forbid(person, "IRI", (person.token,),
                             rf"(?<![\w-]){person.token}(?!\d)")
            if "name" not in allowed:
                for name in person.names:
                    surname = _fold(name.split()[-1])
                    self._forbid(person, "name", (surname,), re.escape(_fold(name)))
                    slug = _fold(_ascii(name)).replace(" ", "-")
                    self._forbid(person, "name as a slug", (_ascii(surname),), re.escape(slug))
                    if surname not in ordinary:
                        self._forbid(person, "surname", (surname,),
                                     rf"(?<!\w){re.escape(surname)}(?!\w)")
            if "email" not in allowed:
                for mbox in person.emails:
                    user = _fold(mbox.removeprefix("mailto:")).split("@")[0]
                    self._forbid(person, "e-mail", (user,), re.escape(user) + r"(?=@|\b)")
            if "phone" not in allowed:
                for tel in person.phones:
                    digits = re.sub(r"\D", "", tel)[-9:]   # 1 99 00 00 NN
                    pairs = [digits[1:3], digits[3:5], digits[5:7], digits[7:9]]
                    forms = (digits, *(digits[0] + sep + sep.join(pairs) for sep in " .-"))
                    self._forbid(person, "phone", forms, "|".join(map(re.escape, forms)))
            if "membership" not in allowed:
                self._forbid(person, "membership", (f"{person.token}-",),
                             rf"membership/+{person.token}-")

    def _forbid(self, person: Person, what: str, anchors: tuple[str, ...],
                pattern: str) -> None:
        self.patterns[f"{what} of {person.token}"] = (anchors, re.compile(pattern))

    def leaks(self, text: str | bytes) -> list[str]:
        """What ``text`` shows that it must not (empty when nothing)."""
        if isinstance(text, bytes):
            text = gunzipped(text).decode("utf-8", errors="replace")
        found: list[str] = []
        for variant in {_fold(text), decoded(text)}:
            found += [what for what, (anchors, pattern) in self.patterns.items()
                      if what not in found and any(a in variant for a in anchors)
                      and pattern.search(variant)]
        return found

    def check(self, text: str | bytes, where: str) -> None:
        """Fail the test if ``text`` (the answer of ``where``) shows personal data."""
        leaked = self.leaks(text)
        assert not leaked, f"{where} shows {', '.join(leaked[:6])}"

    # --- what may be seen, for tests that make sure the probe can see something

    def visible_names(self) -> set[str]:
        return {n for p in self.people.values() if "name" in self.consents.get(p.number, ())
                for n in p.names}

    def hidden(self) -> list[Person]:
        """The persons who must not appear at all."""
        return [p for n, p in sorted(self.people.items()) if n not in self.consents]


def gunzipped(data: bytes) -> bytes:
    """``data``, decompressed if it is gzip."""
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def texts_of_json(value: object) -> Iterable[str]:
    """Every string inside a JSON document (keys too), for answers that escape text."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from texts_of_json(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts_of_json(item)


def json_text(body: bytes) -> str:
    """The strings of a JSON answer, joined."""
    return "\n".join(texts_of_json(json.loads(body)))

"""The query catalogue: headers, parameters, and every query's exact answer on the example."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from decimal import ROUND_FLOOR, Decimal

import networkx as nx
import pyoxigraph as ox
import pytest

from graph.catalogue import (
    LANGUAGES,
    CatalogueQuery,
    Parameter,
    get_query,
    list_queries,
    parse_query,
    run,
)
from graph.errors import ParameterError, QueryHeaderError, UnknownQuery
from graph.example import EXAMPLE_GRAPHS, example_path
from graph.loading import load_vocabulary
from graph.namespaces import VOCABULARY_GRAPH
from graph.store import Store, open_store
from graph.vocabulary import vocabulary_triples
from tests.graph.conftest import start_server, stop_server

XSD = "http://www.w3.org/2001/XMLSchema#"
ID = "https://w3id.org/civicgraph/id/"
INJECTION = '"> } ; DROP ALL #'

GOOD_HEADER = """\
#+ title.en: Tools by practice
#+ title.fr: Outils par pratique
# a plain comment among the header lines
#+ description.en: First part,
#+   second part.
#+ description.fr: Une description : avec deux-points.

#+ param: practice iri kind=practice default=voting
#+   label.en=Practice label.fr="Pratique d'usage"
#+ param: since date optional
#+ param: n integer min=1 max=10 default=2
#+ tags: tools, practices ,
SELECT ?x ?practice ?since ?n WHERE { ?x ?p ?practice } ORDER BY ?x
"""


def header(*lines: str, body: str = "SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x") -> str:
    """A query text: the two titles and descriptions, then ``lines``, then ``body``."""
    base = ["#+ title.en: T", "#+ title.fr: T", "#+ description.en: D", "#+ description.fr: D"]
    return "\n".join([*base, *lines, body]) + "\n"


# --------------------------------------------------------------------------- header parsing

def test_a_good_header_is_read_whole() -> None:
    query = parse_query("demo", GOOD_HEADER)
    assert query.name == "demo"
    assert dict(query.titles) == {"en": "Tools by practice", "fr": "Outils par pratique"}
    assert query.description("en") == "First part, second part."
    assert query.description("fr") == "Une description : avec deux-points."
    assert query.tags == ("tools", "practices")
    assert [p.name for p in query.params] == ["practice", "since", "n"]
    practice, since, n = query.params
    assert (practice.type, practice.kind, practice.default, practice.required) == (
        "iri", "practice", "voting", False)
    assert dict(practice.labels) == {"en": "Practice", "fr": "Pratique d'usage"}
    assert (since.type, since.optional, since.required) == ("date", True, False)
    assert (n.minimum, n.maximum, n.default) == ("1", "10", "2")
    assert query.sparql == GOOD_HEADER
    assert query.title("de") == "Tools by practice"


@pytest.mark.parametrize(("text", "problem"), [
    (header("#+ summary: x"), "unknown header key 'summary'"),
    (header("#+ title.en: again"), "title.en given twice"),
    (header("#+ no colon here"), "expected '#+ key: value'"),
    (header("#+ Title.EN: x"), "expected '#+ key: value'"),
    ("#+ title.en: T\n#+ description.en: D\n#+ description.fr: D\nSELECT * {}\n",
     "no title in fr"),
    ("#+ title.en: T\n#+ title.fr: T\n#+ description.en: D\nSELECT * {}\n",
     "no description in fr"),
    (header("#+ param: x"), "expected 'NAME TYPE"),
    (header("#+ param: x uri"), "unknown type 'uri'"),
    (header("#+ param: X iri"), "'X' is not a parameter name"),
    (header("#+ param: x iri", "#+ param: x string"), "parameter 'x' declared twice"),
    (header("#+ param: x iri colour=red"), "unknown attribute 'colour'"),
    (header("#+ param: x iri mandatory"), "'mandatory' is not 'optional' nor key=value"),
    (header("#+ param: x iri optional default=id:org/a"), "cannot also be optional"),
    (header("#+ param: x string kind=org"), "kind goes with type iri"),
    (header("#+ param: x iri kind=thing"), "kind goes with type iri"),
    (header("#+ param: x date min=3"), "min goes with integer or decimal"),
    (header("#+ param: x integer default=two"),
     "bad default: parameter 'x': 'two' is not an integer"),
    (header("#+ param: x integer min=5 default=2"), "bad default"),
    (header("#+ param: x iri label.fr=l'outil"), "double-quote values"),
    (header("#+ param: y iri"), "parameter 'y' is not used as ?y"),
    (header("#+ tags: a", "#+ tags: b"), "tags given twice"),
    (header("#+ title.de:"), "title.de is empty"),
    ("#+   continued\n" + header(), "continuation line with nothing to continue"),
    (header(body="SELECT ?x WHERE { ?x ?p ?o }\n#+ tags: late"), "after the query has begun"),
    ("#+ title.en: T\n#+ title.fr: T\n#+ description.en: D\n#+ description.fr: D\n# only\n",
     "no query after the header"),
])
def test_a_bad_header_is_refused_with_a_clear_reason(text: str, problem: str) -> None:
    with pytest.raises(QueryHeaderError) as caught:
        parse_query("broken", text)
    assert problem in str(caught.value)
    assert str(caught.value).startswith("broken.rq")


def test_a_header_error_names_the_line() -> None:
    with pytest.raises(QueryHeaderError) as caught:
        parse_query("broken", header("#+ param: x uri"))
    assert caught.value.line == 5
    assert "broken.rq, line 5" in str(caught.value)


# --------------------------------------------------------------------------- parameters

def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


@pytest.mark.parametrize(("param", "raw", "expected"), [
    (Parameter("f", "iri", kind="field"), "health", ox.NamedNode(ID + "field/health")),
    (Parameter("f", "iri", kind="field"), " health ", ox.NamedNode(ID + "field/health")),
    (Parameter("f", "iri", kind="field"), "id:field/health", ox.NamedNode(ID + "field/health")),
    (Parameter("f", "iri"), "https://w3id.org/civicgraph/id/field/health",
     ox.NamedNode(ID + "field/health")),
    (Parameter("f", "iri"), "<https://example.org/a>", ox.NamedNode("https://example.org/a")),
    (Parameter("f", "iri"), "cg:Seminar", ox.NamedNode("https://w3id.org/civicgraph/ns#Seminar")),
    (Parameter("f", "iri"), "wd:Q42", ox.NamedNode("http://www.wikidata.org/entity/Q42")),
    (Parameter("f", "iri"), "urn:isbn:2070360024", ox.NamedNode("urn:isbn:2070360024")),
    (Parameter("f", "iri", kind="software"), "jitsi-meet",
     ox.NamedNode(ID + "software/jitsi-meet")),
    (Parameter("s", "string"), "93", ox.Literal("93")),
    (Parameter("s", "string"), INJECTION, ox.Literal(INJECTION)),
    (Parameter("s", "string"), " spaced ", ox.Literal(" spaced ")),
    (Parameter("l", "language"), "FR", ox.Literal("fr")),
    (Parameter("l", "language"), "pt-BR", ox.Literal("pt-br")),
    (Parameter("n", "integer"), "+007", typed("7", "integer")),
    (Parameter("n", "integer"), "-3", typed("-3", "integer")),
    (Parameter("n", "integer", minimum="1", maximum="10"), "10", typed("10", "integer")),
    (Parameter("d", "decimal"), "2.50", typed("2.50", "decimal")),
    (Parameter("d", "decimal"), ".5", typed("0.5", "decimal")),
    (Parameter("t", "date"), "2024-02-29", typed("2024-02-29", "date")),
    (Parameter("b", "boolean"), "TRUE", typed("true", "boolean")),
    (Parameter("b", "boolean"), "0", typed("false", "boolean")),
])
def test_a_value_becomes_the_right_term(param: Parameter, raw: str, expected: ox.Literal) -> None:
    assert param.convert(raw) == expected


def test_a_slug_follows_the_base_iri() -> None:
    param = Parameter("o", "iri", kind="org")
    assert param.convert("vecam", base="https://example.org/") == ox.NamedNode(
        "https://example.org/id/org/vecam")
    assert param.convert("id:org/vecam", base="https://example.org/") == ox.NamedNode(
        "https://example.org/id/org/vecam")


@pytest.mark.parametrize(("param", "raw", "problem"), [
    (Parameter("f", "iri"), INJECTION, "is not an IRI"),
    (Parameter("f", "iri"), f"https://example.org/{INJECTION}", "not a valid IRI"),
    (Parameter("f", "iri"), "<https://example.org/a> } ; DROP ALL #", "is not an IRI"),
    (Parameter("f", "iri"), "https://example.org/a b", "not a valid IRI"),
    (Parameter("f", "iri"), "health", "is not an IRI"),           # no kind: no bare slug
    (Parameter("f", "iri", kind="field"), "Health Care", "is not an IRI"),
    (Parameter("f", "iri"), "cgg:Seminar", "is not an IRI"),     # unknown prefix
    (Parameter("f", "iri"), "javascript:alert(1)", "is not an IRI"),
    (Parameter("l", "language"), "en; DROP", "not a language tag"),
    (Parameter("l", "language"), "", "not a language tag"),
    (Parameter("n", "integer"), "1.5", "not an integer"),
    (Parameter("n", "integer"), "1e3", "not an integer"),
    (Parameter("n", "integer"), "١٢", "not an integer"),            # non-ASCII digits
    (Parameter("n", "integer", minimum="1"), "0", "below the minimum 1"),
    (Parameter("n", "integer", maximum="10"), "11", "above the maximum 10"),
    (Parameter("d", "decimal"), "NaN", "not a decimal"),
    (Parameter("d", "decimal"), "1,5", "not a decimal"),
    (Parameter("t", "date"), "2024-02-30", "not a date"),
    (Parameter("t", "date"), "2024-2-3", "not a date"),
    (Parameter("t", "date"), "20240203", "not a date"),
    (Parameter("t", "date"), "2024-02-03T10:00", "not a date"),
    (Parameter("b", "boolean"), "yes", "not a boolean"),
])
def test_a_bad_value_is_refused_naming_the_parameter(param: Parameter, raw: str,
                                                     problem: str) -> None:
    with pytest.raises(ParameterError) as caught:
        param.convert(raw)
    assert caught.value.parameter == param.name
    assert problem in str(caught.value)


@pytest.fixture
def demo() -> CatalogueQuery:
    return parse_query("demo", GOOD_HEADER)


def test_bind_fills_in_defaults_and_leaves_optional_ones_out(demo: CatalogueQuery) -> None:
    assert demo.bind({}) == {
        "practice": ox.NamedNode(ID + "practice/voting"), "n": typed("2", "integer"),
    }
    assert demo.bind({"practice": "petition", "since": "2024-01-01", "n": ""}) == {
        "practice": ox.NamedNode(ID + "practice/petition"),
        "since": typed("2024-01-01", "date"), "n": typed("2", "integer"),
    }


@pytest.mark.parametrize(("raw", "name", "problem"), [
    ({"colour": "red"}, "colour", "has no such parameter (it takes: practice, since, n)"),
    ({"since": "yesterday"}, "since", "not a date"),
    ({"n": "0"}, "n", "below the minimum"),
    ({"practice": INJECTION}, "practice", "not an IRI"),
    ({"n": 3}, "n", "expected text, got int"),
])
def test_bind_refuses_bad_input(demo: CatalogueQuery, raw: dict[str, object], name: str,
                                problem: str) -> None:
    with pytest.raises(ParameterError) as caught:
        demo.bind(raw)  # type: ignore[arg-type]
    assert caught.value.parameter == name
    assert problem in str(caught.value)


def test_a_required_parameter_must_be_given() -> None:
    query = parse_query("needy", header("#+ param: org iri kind=org",
                                        body="SELECT ?org WHERE { ?org ?p ?o } ORDER BY ?org"))
    assert query.params[0].required
    with pytest.raises(ParameterError, match="'org': required by query 'needy'"):
        query.bind({})
    with pytest.raises(ParameterError, match="required"):
        query.bind({"org": ""})


# --------------------------------------------------------------------------- the catalogue

def test_get_query_finds_by_name_and_accepts_hyphens() -> None:
    assert get_query("tools-by-practice") is get_query("tools_by_practice")
    for name in ("no_such_query", "../catalogue", "", "tools_by_practice.rq"):
        with pytest.raises(UnknownQuery):
            get_query(name)


def test_the_catalogue_answers_the_programme_questions() -> None:
    names = [q.name for q in list_queries()]
    assert names == sorted(names)
    assert len(names) >= 14
    assert {
        "tools_in_field_for_practice", "bridging_tools", "shared_spaces", "platform_migrations",
        "wave_changes", "effects_by_tool", "needs_by_codesign_project", "single_source_usages",
        "tools_by_practice", "tool_usage_map", "organisations_by_field_and_kind",
        "free_software_share_by_practice", "codesign_projects_by_stage", "shared_resources",
    } <= set(names)


CATALOGUE = list_queries()


@pytest.mark.parametrize("query", CATALOGUE, ids=lambda q: q.name)
def test_every_query_is_documented_in_both_languages(query: CatalogueQuery) -> None:
    for lang in LANGUAGES:
        assert len(query.title(lang)) > 10 and len(query.description(lang)) > 40
        for param in query.params:
            assert param.labels.get(lang), f"{param.name} has no label in {lang}"
    assert query.titles["en"] != query.titles["fr"]
    assert query.tags


@pytest.mark.parametrize("query", CATALOGUE, ids=lambda q: q.name)
def test_every_query_parses_and_accepts_its_defaults(query: CatalogueQuery) -> None:
    store = ox.Store()
    bound = query.bind({})
    result = store.query(query.sparql, use_default_graph_as_union=True,
                         substitutions={ox.Variable(k): v for k, v in bound.items()})
    assert isinstance(result, ox.QuerySolutions)
    projected = {v.value for v in result.variables}
    assert {p.name for p in query.params} <= projected   # Oxigraph substitutes projected ones


@pytest.mark.parametrize("query", CATALOGUE, ids=lambda q: q.name)
def test_every_query_is_self_contained_ordered_and_person_free(query: CatalogueQuery) -> None:
    body = "\n".join(line for line in query.sparql.splitlines() if not line.startswith("#"))
    declared = set(re.findall(r"^PREFIX (\w*):", body, flags=re.MULTILINE))
    used = set(re.findall(r"(?<![\w<?$\"])([a-z]+):[A-Za-z_]", body))
    assert used <= declared, f"undeclared prefixes: {used - declared}"
    assert re.search(r"\bORDER BY\b", body)
    for personal in ("foaf:", "org:Membership", "org:member ", "dpv:", "example-members",
                     "example-consent", "BOUND("):
        assert personal not in body


def test_no_parameter_reaches_the_query_text(demo: CatalogueQuery) -> None:
    query = get_query("organisations_by_field_and_kind")
    assert query.bind({"departement": INJECTION}) == {
        "departement": ox.Literal(INJECTION), "lang": ox.Literal("en"),
    }
    assert INJECTION not in query.sparql



# --------------------------------------------------------------------------- the example dataset
#
# Expected answers come from the dataset's designed facts (/work/EXAMPLE-FACTS.md, asserted by
# tests/graph/test_example_data.py); where the facts are silent, from a plain-Python reading of
# the raw triples (``Raw``), never from the query's own output.

CG = "https://w3id.org/civicgraph/ns#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ABANDONED = ID + "status/abandoned"


@pytest.fixture(scope="module", params=["memory", "remote"])
def example_store(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The vocabulary and the three example graphs (restricted ones too), in memory, or on an
    Oxigraph server of this module's own (the session's server is emptied by other tests),
    where parameters are bound by a VALUES block instead of SEP-0007 substitution."""
    server = None
    if request.param == "remote":
        server = start_server(tmp_path_factory.mktemp("catalogue-server"))
    store = open_store(server.url if server else "memory")
    try:
        load_vocabulary(store)
        for graph in EXAMPLE_GRAPHS:
            store.replace_graph(graph.iri, ox.parse(example_path(graph).read_bytes(),
                                                    format=ox.RdfFormat.TURTLE))
        yield store
    finally:
        store.close()
        if server is not None:
            stop_server(server.process)


#: What an anonymous reader sees (``graph.access.public_graphs`` adds the meta graph).
PUBLIC = [VOCABULARY_GRAPH, EXAMPLE_GRAPHS[0].iri]


def short(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> object:
    """A cell as a plain value: ``id:`` and ``cg:`` IRIs shortened, integers as int."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        if term.datatype.value == XSD + "integer":
            return int(term.value)
        if term.datatype.value == XSD + "decimal":
            return Decimal(term.value)
        return term.value
    for prefix in (ID, CG):
        if term.value.startswith(prefix):
            return term.value[len(prefix):]
    return term.value


def answer(store: Store, name: str, columns: str, params: Mapping[str, str] | None = None,
           ) -> list[tuple[object, ...]]:
    """The rows of catalogue query ``name`` over the public graphs, as tuples of ``columns``."""
    result = run(store, name, params or {}, default_graph=PUBLIC)
    assert isinstance(result, ox.QuerySolutions)
    wanted = columns.split()
    assert set(wanted) <= {v.value for v in result.variables}
    return [tuple(short(row[c]) for c in wanted) for row in result]


class Raw:
    """The public example graph and the vocabulary as plain Python dictionaries."""

    def __init__(self) -> None:
        triples = [*vocabulary_triples(), *(q.triple for q in ox.parse(
            example_path(EXAMPLE_GRAPHS[0]).read_bytes(), format=ox.RdfFormat.TURTLE))]
        self.out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.into: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.broader = nx.DiGraph()
        for t in triples:
            s, p, o = t.subject.value, t.predicate.value, t.object.value
            self.out[s][p].add(o)
            self.into[o][p].add(s)
            if p == SKOS + "broader":
                self.broader.add_edge(s, o)

    def objects(self, subject: str, predicate: str) -> set[str]:
        return self.out[subject][predicate] if subject in self.out else set()

    def one(self, subject: str, predicate: str) -> str | None:
        values = self.objects(subject, predicate)
        assert len(values) <= 1, (subject, predicate, values)
        return next(iter(values), None)

    def subjects(self, predicate: str, obj: str) -> set[str]:
        return self.into[obj][predicate] if obj in self.into else set()

    def up(self, concept: str) -> set[str]:
        """``concept`` and everything broader."""
        found = nx.descendants(self.broader, concept) if concept in self.broader else set()
        return {concept, *found}

    def software(self, tool: str) -> str:
        if SCHEMA + "SoftwareApplication" in self.objects(tool, RDF_TYPE):
            return tool
        found = self.one(tool, CG + "software")
        assert found is not None, tool
        return found

    def usages(self) -> list[str]:
        return sorted(self.subjects(RDF_TYPE, CG + "ToolUsage"))

    def in_use(self, usage: str) -> bool:
        return self.one(usage, CG + "status") != ABANDONED

    def top_fields(self, organisation: str) -> set[str]:
        tops = self.subjects(SKOS + "topConceptOf", ID + "scheme/field")
        return {f for p in self.objects(organisation, ORG + "purpose") for f in self.up(p)} & tops


@pytest.fixture(scope="module")
def raw() -> Raw:
    return Raw()


def cut(iri: str | None) -> str | None:
    return None if iri is None else iri.removeprefix(ID).removeprefix(CG)


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

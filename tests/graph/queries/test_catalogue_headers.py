"""The query catalogue: headers, parameters, and what every query must hold."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from graph.errors import ParameterError, QueryHeaderError, UnknownQuery
from graph.queries.catalogue import (
    LANGUAGES,
    CatalogueQuery,
    Parameter,
    get_query,
    list_queries,
    parse_query,
)
from tests.graph.queries.catalogue import (
    CATALOGUE,
    ID,
    INJECTION,
    XSD,
)

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

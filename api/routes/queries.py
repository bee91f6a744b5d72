"""The query catalogue over HTTP, and the query page.

- ``GET /queries``: the catalogue (titles, descriptions, typed parameters), JSON or HTML;
- ``GET /queries/{name}``: run one with its parameters from the URL (checked and bound as RDF
  terms, never spliced into the text), as SPARQL JSON, CSV, TSV, XML or an HTML table; the URL
  is the permalink. The CSV and TSV are downloads for spreadsheets: a text cell that would
  run as a formula gets a leading ``'`` (``spreadsheet_safe``; ``/sparql``'s are exact).
  Each query has its own path in the OpenAPI description, with its typed parameters and
  their defaults as examples;
- ``GET /queries/{name}.rq``: the SPARQL text;
- ``GET /query``: the query page (YASGUI, served from this server), with the catalogue as
  examples.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import gzip
import io
import itertools
import re
from collections.abc import Callable, Mapping
from typing import IO, Any, cast
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from api.accept import accepts_gzip, joined
from api.errors import NotAcceptable
from api.forms import given_once_each, page_language, page_number, site_language, unknown_value
from api.negotiation import negotiate
from api.querying import engine_of
from api.routes.resources import local_link
from api.security import client_slot, reader_scope
from api.templating import LANGUAGES, render
from graph.engine.execution import QueryEngine
from graph.errors import ParameterError
from graph.formulas import safe_cell
from graph.namespaces import PREFIXES, XSD, prefix_block
from graph.publishing.describe import exists, short_name
from graph.queries.catalogue import (
    ANSWERED_OTHERWISE,
    CatalogueQuery,
    Parameter,
    get_query,
    list_queries,
)
from graph.queries.kept import COMPRESS_LEVEL, GZIP, decompressed, kept_answers
from graph.queries.refreshing import Refresher, refresher, stop_refreshers
from graph.sparql.request import QueryJob, Scope
from graph.sparql.results import Answer, format_for, parse_answer
from graph.store import QueryResult, Store, Term
from graph.store.binding import where_group_offset

router = APIRouter(tags=["Query catalogue"])

#: query-string names that are not query parameters
RESERVED = frozenset({"format", "page"})
#: rows of the HTML table a page shows (the downloads give every row)
PAGE_ROWS = 500
#: a page larger than this (bytes) goes gzipped to a client that takes gzip: 500 rows make
#: 1.2 MB of HTML (the table, and the rows as JSON for the views), 70 kB gzipped
GZIP_PAGE_FROM = 16 * 1024
#: result formats of a catalogue run, by preference for ``*/*``
OFFERS = ("application/sparql-results+json", "text/csv", "text/tab-separated-values",
          "application/sparql-results+xml", "text/html", "application/json")
_FORMAT_NAMES = {"json": "application/sparql-results+json", "csv": "text/csv",
                 "tsv": "text/tab-separated-values", "xml": "application/sparql-results+xml",
                 "html": "text/html"}


def permalink(query: CatalogueQuery, values: dict[str, str]) -> str:
    """The stable URL of ``query`` run with ``values`` (parameters in a fixed order)."""
    kept = [(p.name, values[p.name]) for p in query.params if values.get(p.name)]
    return f"/queries/{query.name}" + (f"?{urlencode(kept)}" if kept else "")


def _listing(query: CatalogueQuery) -> dict[str, Any]:
    described = query.describe()
    described["url"] = f"/queries/{query.name}"
    described["sparql_url"] = f"/queries/{query.name}.rq"
    del described["sparql"]
    return described


@router.get("/queries", summary="The query catalogue", responses={200: {"content": {
    "application/json": {"example": [{
        "name": "tools_by_practice",
        "title": {"en": "Tools used for a practice", "fr": "Outils utilisés pour une pratique"},
        "description": {"en": "Software used for the practice…", "fr": "Logiciels…"},
        "params": [{"name": "practice", "type": "iri", "required": False,
                    "default": "decision-making", "kind": "practice"}],
        "tags": ["tools", "practices"], "url": "/queries/tools_by_practice",
        "sparql_url": "/queries/tools_by_practice.rq"}]},
    "text/html": {}}}})
def catalogue(request: Request) -> Response:
    """Every catalogue query with its titles, descriptions and parameters."""
    chosen = negotiate(request, ["application/json", "text/html"])
    queries = list_queries()
    if chosen == "application/json":
        return JSONResponse([_listing(q) for q in queries])
    return render(request, "queries.html", {"queries": queries,
                                            "lang": page_language(request)})


def _format(request: Request) -> str:
    asked = request.query_params.get("format")
    if asked:
        if asked not in _FORMAT_NAMES:
            raise NotAcceptable(list(_FORMAT_NAMES))
        return _FORMAT_NAMES[asked]
    chosen = negotiate(request, OFFERS)
    return "application/sparql-results+json" if chosen == "application/json" else chosen


def editable(query: CatalogueQuery,
             terms: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> str:
    """The text of ``query`` with its parameters bound in a VALUES block opening its WHERE
    group, one line the researcher edits (``UNDEF`` for an optional one left out). The
    catalogue's queries are written so that this gives the rows ``/queries/{name}`` gives.
    """
    if not query.params:
        return query.sparql
    names = " ".join(f"?{p.name}" for p in query.params)
    values = " ".join(_written(terms[p.name]) if p.name in terms else "UNDEF"
                      for p in query.params)
    at = where_group_offset(query.sparql)
    return (f"{query.sparql[:at]}\n  # parameters: edit the values in this line\n"
            f"  VALUES ({names}) {{ ({values}) }}{query.sparql[at:]}")


def results_json(variables: list[str], rows: list[ox.QuerySolution]) -> dict[str, Any]:
    """``rows`` as a SPARQL 1.1 JSON results document, for the page's result views."""
    bindings: list[dict[str, dict[str, str]]] = []
    for row in rows:
        binding: dict[str, dict[str, str]] = {}
        for name in variables:
            term = row[name]
            if isinstance(term, ox.NamedNode):
                binding[name] = {"type": "uri", "value": term.value}
            elif isinstance(term, ox.BlankNode):
                binding[name] = {"type": "bnode", "value": term.value}
            elif isinstance(term, ox.Literal):
                binding[name] = {"type": "literal", "value": term.value}
                if term.language:
                    binding[name]["xml:lang"] = term.language
                else:
                    binding[name]["datatype"] = term.datatype.value
        bindings.append(binding)
    return {"head": {"vars": variables}, "results": {"bindings": bindings}}


#: the catalogue's kept answers may take this many times the engine's answer cache
#: (256 MiB with the default 64 MiB): they outlive writes, and some are large
KEPT_SHARE = 4

_SHORT_TYPES = frozenset({"boolean", "integer", "decimal"})


def _written(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """``term`` as a researcher writes it: ``true``, ``3``, ``"en"``, ``<…>``."""
    if isinstance(term, ox.Literal) and term.language is None:
        kind = term.datatype.value.rsplit("#", 1)[-1]
        if kind in _SHORT_TYPES and term.datatype.value.startswith(str(PREFIXES["xsd"])):
            return term.value
    return str(term)


JSON = "application/sparql-results+json"
TSV = "text/tab-separated-values"
#: the downloads for spreadsheets, made from the SPARQL TSV answer (it keeps every term)
SHEETS = frozenset({"text/csv", TSV})
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NUMERIC = frozenset(XSD + t for t in ("integer", "decimal", "double", "float", "int", "long",
                                       "short", "byte", "nonNegativeInteger",
                                       "positiveInteger", "unsignedInt", "unsignedLong"))


def _cell(term: Term | None) -> str:
    """A SPARQL CSV cell (SPARQL 1.1 CSV/TSV results, 3.2), spreadsheet-safe: a text that
    would be a formula gets a leading ``'`` (``graph.formulas``); a number is left alone."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        if term.datatype.value in _NUMERIC and _NUMBER.fullmatch(term.value):
            return term.value
        return str(safe_cell(term.value))
    return str(safe_cell(f"_:{term.value}" if isinstance(term, ox.BlankNode)
                         else term.value if isinstance(term, ox.NamedNode) else str(term)))


def spreadsheet_safe(tsv: bytes, media: str) -> bytes:
    """The SPARQL TSV answer ``tsv`` as the download ``media`` (CSV or TSV) for people to
    open in a spreadsheet: as SPARQL writes it, but for the text cells a spreadsheet would
    run as formulas (OWASP's CSV injection), which get a leading ``'`` inside their quotes.
    ``/sparql`` and the catalogue's SPARQL JSON and XML answers stay exact."""
    if media == TSV:   # a literal is "…" there: only one opening on a formula is touched
        return re.sub(rb'(?m)(^|\t)"(?=[=+\-@])', rb'\1"' + b"'", tsv)
    result = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    if not isinstance(result, ox.QuerySolutions):
        return tsv
    names = [v.value for v in result.variables]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([_cell(row[name]) for name in names] for row in result)
    return out.getvalue().encode("utf-8")


def catalogue_job(engine: QueryEngine, query: CatalogueQuery, terms: Mapping[str, Term],
                  scope: Scope, media: str) -> QueryJob:
    """The job that runs ``query`` with ``terms`` for ``scope``, answered in ``media``."""
    return engine.job(query.text(engine.store, terms), scope, substitutions=terms,
                      solutions_format=format_for(media, "solutions").name)


def _refresher(engine: QueryEngine) -> Refresher:
    kept = kept_answers(engine.store, KEPT_SHARE * engine.answers.capacity)
    return refresher(kept, functools.partial(engine.run, background=True),
                     parallel=engine.background_workers)


def maintain_defaults(engine: QueryEngine, base: str) -> int:
    """Have every catalogue query with its default parameters maintained in the public scope,
    as SPARQL JSON (the API's answer and the page's), in each language of the site: the
    background round evaluates them from now on (quickest first once their times are known),
    and again after each write that changes them. How many jobs that is."""
    jobs = _refresher(engine)
    for query in list_queries():
        if any(p.required for p in query.params):   # no default answer: nothing to maintain
            continue
        languages = LANGUAGES if any(p.name == "lang" for p in query.params) else (None,)
        for lang in languages:
            terms = query.bind({"lang": lang} if lang else {}, base=base)
            jobs.want(catalogue_job(engine, query, terms, "public", JSON))
    return jobs.maintained


def install(app: FastAPI) -> None:
    """Maintain the catalogue's default answers from the server's start (the setting
    ``maintain_catalogue``); the engine starts first (``api.querying.install``). At the
    shutdown the refresher stops, whether the start or an ask made it: its threads would
    go on asking an engine that answers no more, and hold the store, for as long as the
    process lives (a test session's servers each left theirs behind)."""
    settings = app.state.settings
    if settings.maintain_catalogue:
        app.router.add_event_handler("startup", lambda: maintain_defaults(
            app.state.engine, settings.base_iri))
    app.router.add_event_handler("shutdown", lambda: stop_refreshers(app.state.engine.store))


def _read(answer: Answer, coding: str | None) -> QueryResult:
    """The result the page's ``answer`` (SPARQL JSON) serialises, its body of content coding
    ``coding``: gzipped, it is decompressed as it is read (a page reads its 500 rows, not
    30 MB)."""
    if coding is None:
        return parse_answer(answer)
    assert answer.media_type == JSON   # the page's job (``run_query``)
    body = gzip.GzipFile(fileobj=io.BytesIO(answer.body))
    return ox.parse_query_results(cast(IO[bytes], body), ox.QueryResultsFormat.JSON)


def _shown(answer: Answer, coding: str | None,
           page: int) -> tuple[list[str], list[ox.QuerySolution], int, int]:
    """The variables and the rows ``page`` of the table shows, with the answer's row count
    and its number of pages. Only the rows shown are read from the answer (tens of
    thousands at 10^6 triples)."""
    total = answer.count if answer.kind == "solutions" else 0
    pages = max(1, -(-total // PAGE_ROWS))
    if page > pages:
        raise ParameterError("page", f"the answer has {total} rows, on {pages} "
                             f"{'page' if pages == 1 else 'pages'} of {PAGE_ROWS} "
                             f"{'row' if PAGE_ROWS == 1 else 'rows'}")
    start = (page - 1) * PAGE_ROWS
    result = _read(answer, coding)
    if not isinstance(result, ox.QuerySolutions):
        return [], [], total, pages
    rows = list(itertools.islice(result, start, start + PAGE_ROWS))
    variables = [v.value for v in result.variables]
    del result   # a pyoxigraph result is freed on its own thread, never left to a later frame
    return variables, rows, total, pages


#: the kinds of ``id:`` IRI that are a closed vocabulary: a 400 for one names them all
VOCABULARIES = frozenset({"effect", "field", "org-kind", "practice", "resource-type", "role",
                          "stage", "status", "tool-category", "wave"})


def _check_named(engine: QueryEngine, scope: Scope, query: CatalogueQuery,
                 values: Mapping[str, str], terms: Mapping[str, Term], base: str) -> None:
    """A 400 for an IRI given a parameter that names nothing the reader may see: the answer
    would be empty, or wrong (``wave1=yes`` listed every tool as adopted)."""
    given = [p for p in query.params if p.type == "iri" and p.name in values]

    def unnamed(view: Store) -> tuple[Parameter, list[str]] | None:
        for param in given:
            if not exists(view, terms[param.name].value):
                if param.kind not in VOCABULARIES:
                    return param, []
                within = ("?c a cg:ObservationWave" if param.kind == "wave" else
                          f"?c skos:inScheme <{base}id/scheme/{param.kind}>")
                found = view.query(f"{prefix_block(PREFIXES)}SELECT DISTINCT ?c {{ {within} }}")
                prefix = f"{base}id/{param.kind}/"
                return param, sorted(row["c"].value.removeprefix(prefix) for row in
                                     cast(ox.QuerySolutions, found)
                                     if row["c"].value.startswith(prefix))
        return None

    found = engine.lookup(unnamed, scope) if given else None
    if found is not None:
        param, known = found
        raise unknown_value(param.name, values[param.name], known, param.kind or "resource")


def run_query(request: Request, query: CatalogueQuery) -> Response:
    """Run ``query`` with the request's parameters, in the negotiated format."""
    settings = request.app.state.settings
    media = _format(request)
    html = media == "text/html"
    lang = page_language(request)
    values = given_once_each(request, RESERVED)
    if "lang" in values and any(p.name == "lang" for p in query.params):
        values["lang"] = site_language(values["lang"], lang if html else None)
    # every parameter but the language left to default, and the language one of the site's:
    # the jobs maintained are few (each ?lang=xx-yy would be one more in every round)
    defaults = not set(values) - {"lang"} and values.get("lang", lang) in LANGUAGES
    if any(p.name == "lang" for p in query.params):
        values.setdefault("lang", lang)
    terms = query.bind(values, base=settings.base_iri)
    engine = engine_of(request)
    page = page_number(request, html)
    # the page reads the JSON answer: one kept answer serves the page and the API
    scope = reader_scope(request)
    sheet = media in SHEETS
    job = catalogue_job(engine, query, terms, scope, JSON if html else TSV if sheet else media)
    kept = kept_answers(engine.store, KEPT_SHARE * engine.answers.capacity)
    gzip_ok = accepts_gzip(joined(request.headers.getlist("accept-encoding")))
    with client_slot(request):
        _check_named(engine, scope, query, values, terms, settings.base_iri)
        # a large answer is kept gzipped: sent so to a client that takes it, and read by the
        # page only as far as its rows
        answer, coding = kept.run_encoded(job, engine.run, gzip_ok=html or gzip_ok)
        if sheet and answer.kind == "solutions":
            body = spreadsheet_safe(decompressed(answer.body) if coding else answer.body, media)
            # gzipped as the answer was kept: when it is large (``graph.queries.kept``)
            answer = dataclasses.replace(answer, media_type=media, body=gzip.compress(
                body, compresslevel=COMPRESS_LEVEL, mtime=0) if coding else body)
        # in the slot too: a kept answer comes at once, but its last page is read through
        # every row before it (seconds for a large one)
        shown = _shown(answer, coding, page) if html else None
    # evaluated again in the background after a write: the JSON answer only, that the page
    # and the API share (a CSV ask maintained would be one more job in every round)
    if defaults and scope == "public" and (html or media == JSON):
        _refresher(engine).want(job)
    link = permalink(query, values)
    headers = {"Link": f'<{link}>; rel="canonical"',
               "Vary": "Accept, Accept-Language, Accept-Encoding"}
    if shown is None:
        if coding:
            headers["Content-Encoding"] = coding
        media_type = answer.media_type + ("; charset=utf-8" if media.startswith("text/")
                                          else "")
        return Response(answer.body, media_type=media_type, headers=headers)
    variables, rows, total, pages = shown
    start = (page - 1) * PAGE_ROWS
    response = render(request, "query_run.html", {
        "query": query, "values": values, "variables": variables, "rows": rows,
        "results_json": results_json(variables, rows),
        "total": total, "first": start + 1, "page": page, "pages": pages,
        "otherwise": query.name in ANSWERED_OTHERWISE.get(engine.store.kind, ()),
        "engine": engine.store.kind,
        # format=html kept: a client that asked so (Accept: */*) would get JSON, and 400
        "page_link": f"{link}{'&' if '?' in link else '?'}"
                     f"{'format=html&' if request.query_params.get('format') else ''}page=",
        "permalink": link, "link": local_link(settings.base_iri), "short": short_name,
        "downloads": {name: f"{link}{'&' if '?' in link else '?'}format={name}"
                      for name in ("csv", "tsv", "json")},
        "editor": "/query?" + urlencode({"query": editable(query, terms), "lang": lang}),
        "lang": lang,
    }, headers=headers)
    if gzip_ok and len(response.body) > GZIP_PAGE_FROM:
        response.body = gzip.compress(response.body, compresslevel=COMPRESS_LEVEL, mtime=0)
        response.headers["Content-Encoding"] = GZIP
        response.headers["Content-Length"] = str(len(response.body))
    return response


_SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "language": {"type": "string", "pattern": "^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "boolean": {"type": "boolean"},
}


def _parameter_doc(param: Parameter) -> dict[str, Any]:
    schema = dict(_SCHEMAS[param.type])
    if param.type == "iri" and param.kind:  # a bare slug is an IRI too: id:{kind}/{slug}
        del schema["format"]
    if param.minimum is not None:
        schema["minimum"] = float(param.minimum)
    if param.maximum is not None:
        schema["maximum"] = float(param.maximum)
    if param.default is not None:
        schema["default"] = param.default
    hint = (f" A bare slug means id:{param.kind}/slug." if param.kind else "")
    doc: dict[str, Any] = {
        "name": param.name, "in": "query", "required": param.required, "schema": schema,
        "description": f"{param.label('en')} / {param.label('fr')} ({param.type}).{hint}",
    }
    if not param.required:  # an empty field of the page's form means "not given"
        doc["allowEmptyValue"] = True
    if param.default is not None:
        doc["example"] = param.default
    return doc


def _route_for(query: CatalogueQuery) -> Callable[[Request], Response]:
    def run(request: Request) -> Response:
        return run_query(request, get_query(query.name))

    run.__name__ = f"run_{query.name}"
    run.__doc__ = query.description("en")
    return run


def _register_catalogue() -> None:
    for query in list_queries():
        router.add_api_route(
            f"/queries/{query.name}", _route_for(query), methods=["GET"],
            summary=query.title("en"), response_class=Response,
            description=f"{query.description('en')}\n\n*{query.title('fr')}* — "
                        f"{query.description('fr')}",
            openapi_extra={
                "parameters": [
                    *[_parameter_doc(p) for p in query.params],
                    {"name": "format", "in": "query", "required": False,
                     "allowEmptyValue": True,
                     "schema": {"type": "string", "enum": list(_FORMAT_NAMES)},
                     "description": "The result format, instead of Accept."},
                    {"name": "page", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 999_999_999,
                                "default": 1},
                     "description": f"The page of the HTML table ({PAGE_ROWS} rows a page); "
                                    "the other formats give every row, and refuse it."}],
                "responses": {
                    "200": {"description": "The results.",
                            "content": {t: {} for t in OFFERS[:5]}},
                    "400": {"description": "A parameter is unknown, missing or of the wrong "
                            "type (the body names it)."},
                    "503": {"description": "The query passed the time limit."}},
            },
        )


@router.get("/query", summary="The query page", response_class=Response)
def query_page(request: Request) -> Response:
    """The SPARQL query page: editor, catalogue examples, prefixes, results, downloads."""
    lang = page_language(request)
    base = request.app.state.settings.base_iri
    examples = [{"name": q.name, "title": q.title(lang), "description": q.description(lang),
                 "sparql": editable(q, q.bind({"lang": lang} if any(
                     p.name == "lang" for p in q.params) else {}, base=base)),
                 "url": f"/queries/{q.name}?lang={lang}"} for q in list_queries()]
    # every prefix of the project is declared: the researcher writes id:, cg:, wd:… at once
    default = prefix_block(PREFIXES) + (
        "\nSELECT ?organisation ?label WHERE {\n  ?organisation a/rdfs:subClassOf* "
        "org:Organization ;\n    rdfs:label ?label .\n} ORDER BY ?label\nLIMIT 20\n")
    return render(request, "query.html", {
        "examples": examples, "prefixes": PREFIXES, "default_query": default, "lang": lang,
    })


# the catalogue's own paths first (documented), then the catch-all (hyphens, .rq, unknown names)
_register_catalogue()


@router.get("/queries/{name}", summary="Run a catalogue query", include_in_schema=False)
def run_named(request: Request, name: str) -> Response:
    """Run the catalogue query ``name``, or give its text for ``{name}.rq``."""
    if name.endswith(".rq"):
        query = get_query(name.removesuffix(".rq"))
        return Response(query.sparql, media_type="application/sparql-query; charset=utf-8")
    return run_query(request, get_query(name))

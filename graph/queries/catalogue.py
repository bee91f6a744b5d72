"""The query catalogue: research questions as SPARQL files with typed parameters.

Each query is a file ``graph/queries/{name}.rq`` (the name is the file stem: lower-case
letters, digits and underscores; ``get_query`` also accepts hyphens for underscores). The file
is plain SPARQL that any endpoint accepts, PREFIX declarations included, opened by a header of
``#+ key: value`` comment lines in the manner of grlc::

    #+ title.en: Tools used for a practice
    #+ title.fr: Outils utilisés pour une pratique
    #+ description.en: Software used for the practice or a narrower one, with the
    #+   number of organisations that use it.
    #+ description.fr: Logiciels utilisés pour la pratique ou une pratique plus fine, ...
    #+ param: practice iri kind=practice default=decision-making label.en=Practice
    #+ param: since date optional label.en="Used since" label.fr="Utilisé depuis"
    #+ tags: tools, practices

Header rules:

- keys: ``title.LANG`` and ``description.LANG`` (both required in ``en`` and ``fr``),
  ``param`` (one line per parameter), ``tags`` (comma-separated); any other key is an error;
- a ``#+`` followed by two or more spaces continues the previous value (joined by one space);
- plain ``#`` comments and blank lines may sit among header lines; the header ends at the
  first other line, and no ``#+`` line may follow it;
- ``param: NAME TYPE [optional] [default=V] [kind=K] [min=N] [max=N] [label.LANG=TEXT]...``
  is split like a shell line: double-quote a value holding spaces or apostrophes.
  ``optional`` and ``default`` exclude each other; ``kind`` goes with ``iri``, ``min`` and
  ``max`` with ``integer`` and ``decimal``. Defaults are checked when the catalogue loads.

Parameter types, what a value may look like, and the RDF term it is bound as:

============  ====================================================  ======================
``iri``       ``https://…``, ``http://…``, ``urn:…``, ``mailto:…``,   ``NamedNode``
              ``tel:…``, ``<…>``, a prefixed name with a prefix of
              ``graph.namespaces.PREFIXES`` (``id:field/health``,
              ``cg:Seminar``, ``wd:Q42``), or, when the parameter has
              ``kind=K``, a bare slug ``s`` meaning ``id:K/s``
``string``    any text                                               ``xsd:string``
``language``  a BCP 47 tag (``en``, ``fr``, ``pt-BR``)               ``xsd:string``, lower
``integer``   ``[+-]digits``                                         ``xsd:integer``
``decimal``   ``[+-]digits[.digits]``                                ``xsd:decimal``
``date``      ``YYYY-MM-DD``                                         ``xsd:date``
``boolean``   ``true``, ``false``, ``1``, ``0`` (any case)           ``xsd:boolean``
============  ====================================================  ======================

A value that does not fit raises ``ParameterError`` naming the parameter; an empty value
counts as not given (an empty form field). Values reach the store as RDF terms through
``Store.query(substitutions=...)``, never spliced into the query text as text; on an embedded
Oxigraph store ``CatalogueQuery.text`` also opens the WHERE group with the same terms as a
``VALUES`` block (``graph.store.binding``), so that Oxigraph's planner, which plans before it
substitutes, knows them bound.

How a query uses its parameters (the binding is SEP-0007 substitution on Oxigraph, a VALUES
block on a remote endpoint; these rules give the same answer on both):

- parameter ``p`` is the variable ``?p``; SELECT projects every parameter (Oxigraph refuses to
  substitute an unprojected variable) and GROUP BY lists them when the query aggregates;
- parameters appear in the top-level group (its triple patterns, FILTERs, the conditions of
  its OPTIONALs), never inside a sub-SELECT;
- an optional parameter left out stays unbound: test it with ``COALESCE``, never ``BOUND``
  (Oxigraph 0.5 evaluates ``BOUND(?p)`` as false for a substituted ``?p``), as
  ``FILTER(COALESCE(?p, "") = "" || ?x = ?p)``; not ``COALESCE(?x = ?p, true)`` nor an
  ``EXISTS`` under ``IF``, which Virtuoso 7.2 reads as false for an unbound ``?p``. A
  parameter reached through a transitive path (a concept and its broader ones) is matched
  in an OPTIONAL over a DISTINCT sub-SELECT of each item's concepts: Virtuoso answers such
  a path with both ends bound inside an ``EXISTS`` for the first row of each start node only
  (``shared_resources``, ``unanswered_needs``; tests/engines compares both engines);
- MIN, MAX and SUM of a group that holds one unbound value are unbound (Oxigraph follows the
  letter of SPARQL 1.1 here): aggregate only values bound in every solution of the group,
  e.g. ``MIN(COALESCE(?start, ?observed))``; COUNT skips unbound values;
- labels: ``OPTIONAL { ?x rdfs:label ?in FILTER(LANGMATCHES(LANG(?in), ?lang)) }`` and
  ``OPTIONAL { ?x rdfs:label ?any }``, projected as
  ``(COALESCE(MIN(STR(?in)), MIN(STR(?any))) AS ?xLabel)`` with ``?x`` in the GROUP BY;
  over many rows, the least label per resource and language tag from a grouped sub-SELECT,
  joined by hash on a variable bound in every row;
- a triple several imports restate (a software's type, labels and licence, the vocabulary's
  labels) comes once per graph that states it over the union (Oxigraph 0.5, oxigraph#1919):
  aggregate with ``COUNT(DISTINCT …)``, MIN and MAX, and read what imports restate in
  ``DISTINCT`` (or grouped) sub-SELECTs, so that repeats neither change an answer nor
  multiply the rows a join carries (``tests/graph/queries/test_duplicates.py``,
  ``bench/bench_repeated.py``);
- every query ends with an ORDER BY that makes its answer deterministic.

>>> query = get_query("tools_by_practice")
>>> query.title("fr")
'Outils utilisés pour une pratique'
>>> query.bind({"practice": "voting"})["practice"]
<NamedNode value=https://w3id.org/civicgraph/id/practice/voting>
>>> query.bind({"practice": "id:practice/voting"}) == query.bind({"practice": "voting"})
True
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

import pyoxigraph as ox

from graph.errors import ParameterError, QueryHeaderError, UnknownQuery
from graph.namespaces import DEFAULT_BASE, PREFIXES, XSD
from graph.store import QueryResult, Store, Term
from graph.store.binding import bind_values

#: The languages every title and description must be given in.
LANGUAGES: Final = ("en", "fr")
#: The parameter types (see the module docstring).
PARAM_TYPES: Final = ("iri", "string", "language", "integer", "decimal", "date", "boolean")
#: The ``{kind}`` path segments of ``id:`` IRIs that ``kind=`` may name (docs/MODEL.md).
KINDS: Final = frozenset({
    "org", "person", "membership", "consent", "software", "instance", "space", "usage",
    "need", "experience", "effect-observation", "project", "event", "activity", "wave",
    "resource", "commune", "programme", "scheme", "practice", "tool-category", "field",
    "org-kind", "role", "effect", "status", "stage", "resource-type",
})
#: Schemes of absolute IRIs accepted as they are (anything else must be a known prefix).
IRI_SCHEMES: Final = frozenset({"http", "https", "urn", "mailto", "tel"})

#: the kinds of store whose queries Oxigraph evaluates in this process or its workers (a
#: view of one included): they get the parameters as a VALUES block too (``CatalogueQuery.text``)
OXIGRAPH_KINDS: Final = frozenset({"embedded", "memory", "oxigraph", "snapshot"})
#: the catalogue queries Virtuoso 7.2 answers otherwise than SPARQL asks, whatever the data
#: (tests/engines). ``tools_in_field_for_practice``: where one group joins two transitive
#: paths whose ends are all bound, Virtuoso loses rows. Over the example data, with
#: ``VALUES (?practice ?field) { (id:practice/decision-making id:field/health) }``,
#: ``SELECT (COUNT(*) AS ?n) { ?usage a cg:ToolUsage ; cg:practice ?usedFor ;
#: cg:organisation ?organisation . ?usedFor skos:broader* ?practice . ?organisation
#: org:purpose ?purpose . ?purpose skos:broader* ?field }`` counts 22 on Oxigraph and 1 on
#: Virtuoso (each path alone: 28 and 113 on both). Matching ``?field`` by STR on a free end
#: of the path answers 22 on Virtuoso too, but costs Oxigraph a fifth to a third more at
#: 10^6 (2.35 s against 2.82 s with the defaults; by ``?practice``, twice); the field's path
#: in a sub-SELECT keeps Oxigraph's time, and Virtuoso answers no row (bench/RESULTS.md,
#: "portable texts for Virtuoso").
VIRTUOSO_DIFFERS: Final = frozenset({"tools_in_field_for_practice"})
#: ... and those it answers otherwise on large data: at 10^6 triples it loses rows where a
#: DISTINCT or GROUP BY sub-SELECT is joined to large scans (bench/RESULTS.md, "wave_changes
#: over restated activities")
VIRTUOSO_DIFFERS_AT_SCALE: Final = frozenset({
    "bridging_tools", "organisation_usages", "platform_migrations", "tool_migrations",
    "tool_usage_map", "tool_usages", "tools_by_concept", "tools_by_practice"})
#: the catalogue queries each kind of store is known to answer otherwise than SPARQL asks
ANSWERED_OTHERWISE: Final = {"virtuoso": VIRTUOSO_DIFFERS | VIRTUOSO_DIFFERS_AT_SCALE}
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PARAM_NAME = re.compile(r"[a-z][a-z0-9_]*")
_LANG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_KEY = re.compile(r"(?P<key>[a-z]+)(?:\.(?P<lang>[a-z]{2,3}(?:-[a-z0-9]{1,8})*))?")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOOLEANS: Final = {"true": "true", "1": "true", "false": "false", "0": "false"}
_CURIE = re.compile(r"(?P<prefix>[A-Za-z][A-Za-z0-9+.-]*):(?P<rest>.*)", re.DOTALL)


def _literal(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


@dataclass(frozen=True)
class Parameter:
    """A typed parameter of a catalogue query, bound to the query variable of its name."""

    name: str
    type: str
    default: str | None = None
    optional: bool = False
    kind: str | None = None
    minimum: str | None = None
    maximum: str | None = None
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def required(self) -> bool:
        """Whether a caller must give a value (no default, not optional)."""
        return self.default is None and not self.optional

    def label(self, lang: str = "en") -> str:
        """The parameter's label in ``lang``, else English, else its name."""
        return self.labels.get(lang) or self.labels.get("en") or self.name

    def convert(self, raw: str, *, base: str = DEFAULT_BASE) -> Term:
        """The RDF term for the text ``raw``; ``ParameterError`` if it does not fit."""
        text = raw.strip()
        if self.type == "iri":
            return self._iri(text, base)
        if self.type == "string":
            return ox.Literal(raw)
        if self.type == "language":
            if not _LANGUAGE_TAG.fullmatch(text):
                raise ParameterError(self.name, f"{raw!r} is not a language tag such as 'en'")
            return ox.Literal(text.lower())
        if self.type == "boolean":
            if text.lower() not in _BOOLEANS:
                raise ParameterError(self.name, f"{raw!r} is not a boolean (true or false)")
            return _literal(_BOOLEANS[text.lower()], "boolean")
        if self.type == "date":
            try:
                if not _DATE.fullmatch(text):
                    raise ValueError
                day = date.fromisoformat(text)
            except ValueError:
                raise ParameterError(self.name, f"{raw!r} is not a date (YYYY-MM-DD)") from None
            return _literal(day.isoformat(), "date")
        return self._number(text, raw)

    def _number(self, text: str, raw: str) -> ox.Literal:
        integer = self.type == "integer"
        pattern, noun = (_INTEGER, "an integer") if integer else (_DECIMAL, "a decimal")
        if not pattern.fullmatch(text):
            raise ParameterError(self.name, f"{raw!r} is not {noun}")
        value = Decimal(text)
        if self.minimum is not None and value < Decimal(self.minimum):
            raise ParameterError(self.name, f"{raw!r} is below the minimum {self.minimum}")
        if self.maximum is not None and value > Decimal(self.maximum):
            raise ParameterError(self.name, f"{raw!r} is above the maximum {self.maximum}")
        if integer:
            return _literal(str(int(text)), "integer")
        return _literal(str(value), "decimal")

    def _iri(self, text: str, base: str) -> ox.NamedNode:
        prefixes = {**PREFIXES, "id": f"{base}id/"}
        if text.startswith("<") and text.endswith(">"):
            iri = text[1:-1]
        elif self.kind is not None and _SLUG.fullmatch(text):
            iri = f"{base}id/{self.kind}/{text}"
        elif (match := _CURIE.fullmatch(text)) is not None and match["prefix"] in prefixes:
            iri = prefixes[match["prefix"]] + match["rest"]
        elif match is not None and match["prefix"].lower() in IRI_SCHEMES:
            iri = text
        else:
            hint = f", or a bare {self.kind} slug" if self.kind else ""
            raise ParameterError(
                self.name, f"{text!r} is not an IRI (give https://…, a prefixed name such as "
                f"id:{self.kind or 'org'}/…{hint})",
            )
        try:
            return ox.NamedNode(iri)
        except ValueError as error:
            raise ParameterError(self.name, f"{text!r} is not a valid IRI: {error}") from None

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description."""
        return {
            "name": self.name, "type": self.type, "required": self.required,
            "optional": self.optional, "default": self.default, "kind": self.kind,
            "minimum": self.minimum, "maximum": self.maximum, "label": dict(self.labels),
        }


@dataclass(frozen=True)
class CatalogueQuery:
    """One catalogue query: its texts by language, its parameters and its SPARQL."""

    name: str
    titles: Mapping[str, str]
    descriptions: Mapping[str, str]
    params: tuple[Parameter, ...]
    sparql: str
    tags: tuple[str, ...] = ()

    def title(self, lang: str = "en") -> str:
        """The title in ``lang``, else in English."""
        return self.titles.get(lang) or self.titles["en"]

    def description(self, lang: str = "en") -> str:
        """The description in ``lang``, else in English."""
        return self.descriptions.get(lang) or self.descriptions["en"]

    def param(self, name: str) -> Parameter:
        """The parameter called ``name``; ``ParameterError`` if there is none."""
        for param in self.params:
            if param.name == name:
                return param
        takes = ", ".join(p.name for p in self.params) or "none"
        raise ParameterError(name, f"query {self.name!r} has no such parameter (it takes: {takes})")

    def bind(self, raw: Mapping[str, str], *, base: str = DEFAULT_BASE) -> dict[str, Term]:
        """Check and convert the text values ``raw`` into RDF terms, defaults filled in.

        Unknown names, missing required values and values of the wrong type raise
        ``ParameterError``; optional parameters without a value are left out."""
        for name in sorted(raw):
            self.param(name)
        bound: dict[str, Term] = {}
        for param in self.params:
            value = raw.get(param.name)
            if value is not None and not isinstance(value, str):
                raise ParameterError(param.name, f"expected text, got {type(value).__name__}")
            if not value:
                value = param.default
            if value is None:
                if param.required:
                    raise ParameterError(param.name, f"required by query {self.name!r}")
                continue
            bound[param.name] = param.convert(value, base=base)
        return bound

    def text(self, store: Store, terms: Mapping[str, Term]) -> str:
        """The SPARQL to run on ``store`` with the bound parameters ``terms``, which go to
        ``Store.query`` as substitutions too.

        Oxigraph plans a query before it substitutes: a substituted parameter looks unbound
        to its join ordering, which then starts from the wrong end (``tools_by_concept``
        joined every usage of every software before it looked at the concept: 28 s at 10^5
        triples). On an embedded store (``OXIGRAPH_KINDS``) the text therefore opens its WHERE
        group with the terms as a ``VALUES`` block as well, which the planner sees bound, and
        the substitution still binds them inside every group (a view of an embedded store,
        whose queries its engine runs on Oxigraph, gets the block too). A remote store makes
        that block itself from the substitutions (``graph.store.binding``), so it gets the
        text as is."""
        if store.kind not in OXIGRAPH_KINDS or not terms:
            return self.sparql
        return bind_values(self.sparql, {k: v for k, v in terms.items()
                                         if isinstance(v, (ox.NamedNode, ox.Literal))})

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (for the API and ``civicgraph catalogue --json``)."""
        return {
            "name": self.name, "title": dict(self.titles),
            "description": dict(self.descriptions),
            "params": [p.describe() for p in self.params], "tags": list(self.tags),
            "sparql": self.sparql,
        }


def parse_query(name: str, text: str) -> CatalogueQuery:
    """Read the header of the catalogue file ``{name}.rq`` whose content is ``text``."""
    entries: list[tuple[int, str, str]] = []
    body_line: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if body_line is not None:
            if line.startswith("#+"):
                raise QueryHeaderError(name, "header line after the query has begun", line=number)
            continue
        if line.startswith("#+"):
            rest = line[2:]
            if rest.startswith(("  ", "\t")) and rest.strip():
                if not entries:
                    raise QueryHeaderError(name, "continuation line with nothing to continue",
                                           line=number)
                at, key, value = entries[-1]
                entries[-1] = (at, key, f"{value} {rest.strip()}".strip())
                continue
            key, colon, value = rest.strip().partition(":")
            if not colon or not _KEY.fullmatch(key.strip()):
                raise QueryHeaderError(name, f"expected '#+ key: value', got {line!r}", line=number)
            entries.append((number, key.strip(), value.strip()))
        elif line.strip() and not line.lstrip().startswith("#"):
            body_line = number
    if body_line is None:
        raise QueryHeaderError(name, "no query after the header")
    body = "\n".join(text.splitlines()[body_line - 1:])
    return _build(name, text, body, entries)


def _build(name: str, text: str, body: str, entries: list[tuple[int, str, str]],
           ) -> CatalogueQuery:
    texts: dict[str, dict[str, str]] = {"title": {}, "description": {}}
    params: list[Parameter] = []
    tags: tuple[str, ...] | None = None
    for number, key, value in entries:
        match = _KEY.fullmatch(key)
        assert match is not None
        kind, lang = match["key"], match["lang"]
        if kind in texts and lang is not None:
            if lang in texts[kind]:
                raise QueryHeaderError(name, f"{key} given twice", line=number)
            if not value:
                raise QueryHeaderError(name, f"{key} is empty", line=number)
            texts[kind][lang] = value
        elif key == "param":
            param = _parse_param(name, number, value)
            if any(p.name == param.name for p in params):
                raise QueryHeaderError(name, f"parameter {param.name!r} declared twice",
                                       line=number)
            params.append(param)
        elif key == "tags":
            if tags is not None:
                raise QueryHeaderError(name, "tags given twice", line=number)
            tags = tuple(t.strip() for t in value.split(",") if t.strip())
        else:
            raise QueryHeaderError(
                name, f"unknown header key {key!r} (known: title.LANG, description.LANG, "
                "param, tags)", line=number)
    for kind, by_lang in texts.items():
        missing = [lang for lang in LANGUAGES if lang not in by_lang]
        if missing:
            raise QueryHeaderError(name, f"no {kind} in {', '.join(missing)}")
    for param in params:
        if not re.search(rf"[?$]{param.name}\b", body):
            raise QueryHeaderError(name, f"parameter {param.name!r} is not used as ?{param.name}")
    return CatalogueQuery(
        name=name, titles=MappingProxyType(texts["title"]),
        descriptions=MappingProxyType(texts["description"]), params=tuple(params),
        sparql=text, tags=tags or (),
    )


def _parse_param(name: str, number: int, value: str) -> Parameter:
    def fail(problem: str) -> QueryHeaderError:
        return QueryHeaderError(name, f"param: {problem}", line=number)

    try:
        words = shlex.split(value, comments=False, posix=True)
    except ValueError as error:
        raise fail(f"{error} (double-quote values with spaces or apostrophes)") from None
    if len(words) < 2:
        raise fail("expected 'NAME TYPE [optional] [key=value]...'")
    pname, ptype, *attributes = words
    if not _PARAM_NAME.fullmatch(pname):
        raise fail(f"{pname!r} is not a parameter name (lower-case letters, digits, _)")
    if ptype not in PARAM_TYPES:
        raise fail(f"{pname}: unknown type {ptype!r} (known: {', '.join(PARAM_TYPES)})")
    found: dict[str, str] = {}
    labels: dict[str, str] = {}
    optional = False
    for attribute in attributes:
        if attribute == "optional":
            optional = True
            continue
        key, equals, text = attribute.partition("=")
        if not equals:
            raise fail(f"{pname}: {attribute!r} is not 'optional' nor key=value")
        if key.startswith("label.") and _LANG.fullmatch(key[len("label."):]):
            if key[6:] in labels:
                raise fail(f"{pname}: {key} given twice")
            labels[key[6:]] = text
        elif key in ("default", "kind", "min", "max"):
            if key in found:
                raise fail(f"{pname}: {key} given twice")
            found[key] = text
        else:
            raise fail(f"{pname}: unknown attribute {key!r} (known: default, kind, min, max, "
                       "label.LANG)")
    if optional and "default" in found:
        raise fail(f"{pname}: a parameter with a default cannot also be optional")
    if "kind" in found and (ptype != "iri" or found["kind"] not in KINDS):
        raise fail(f"{pname}: kind goes with type iri and names an id: kind such as 'field'")
    for bound in ("min", "max"):
        if bound in found and (ptype not in ("integer", "decimal")
                               or not _DECIMAL.fullmatch(found[bound])):
            raise fail(f"{pname}: {bound} goes with integer or decimal and is a number")
    param = Parameter(
        name=pname, type=ptype, default=found.get("default"), optional=optional,
        kind=found.get("kind"), minimum=found.get("min"), maximum=found.get("max"),
        labels=MappingProxyType(labels),
    )
    if param.default is not None:
        try:
            param.convert(param.default)
        except ParameterError as error:
            raise fail(f"bad default: {error}") from None
    return param


@functools.cache
def _catalogue() -> Mapping[str, CatalogueQuery]:
    folder = importlib.resources.files("graph") / "queries"
    found: dict[str, CatalogueQuery] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq") or not entry.is_file():
            continue
        name = entry.name.removesuffix(".rq")
        if not _NAME.fullmatch(name):
            raise QueryHeaderError(name, "a query file name is lower-case letters, digits and _")
        found[name] = parse_query(name, entry.read_text(encoding="utf-8"))
    return MappingProxyType(found)


def list_queries() -> list[CatalogueQuery]:
    """Every catalogue query, sorted by name."""
    return list(_catalogue().values())


def get_query(name: str) -> CatalogueQuery:
    """The catalogue query called ``name`` (``-`` may stand for ``_``); ``UnknownQuery`` if none."""
    try:
        return _catalogue()[name.replace("-", "_")]
    except KeyError:
        raise UnknownQuery(name) from None


def run(
    store: Store, name: str, params: Mapping[str, str] | None = None, *,
    default_graph: Sequence[str] | None = None, base: str = DEFAULT_BASE,
) -> QueryResult:
    """Run the catalogue query ``name`` on ``store`` with the text values ``params``."""
    query = get_query(name)
    terms = query.bind(params or {}, base=base)
    return store.query(query.text(store, terms), substitutions=terms,
                       default_graph=default_graph)

"""Hostile data and documents for the hostile-input tests (tests/api/test_hostile_*.py and
tests/browser/test_security_in_browser.py).

``hostile_store()`` is the small map dataset of the visualisation tests plus a public graph
whose labels, descriptions, titles and IRIs are script injections; the builders make the
documents that attack the parsers (entity expansion, deep nesting, non-UTF-8 bytes).
"""

from __future__ import annotations

import io
import socket
import threading
import zipfile

import pyoxigraph as ox

from graph.namespaces import graph_iri
from graph.store import Store
from tests.support.graphs import meta, tiny_store, turtle
from tests.support.live import CURATOR_TOKEN

#: strings that would run if a page ever wrote data unescaped
PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    '"><script>alert(2)</script>',
    "'><svg/onload=alert(3)>",
    "</script><script>alert(4)</script>",
)
HOSTILE_GRAPH = graph_iri("hostile")
HOSTILE = f"""
id:org/xss a org:FormalOrganization ;
  rdfs:label {ox.Literal(PAYLOADS[0])}, {ox.Literal(PAYLOADS[1], language="en")} ;
  rdfs:comment {ox.Literal(PAYLOADS[3])} ;
  org:purpose id:field/housing ; org:classification id:org-kind/association ;
  schema:location id:commune/75056 ;
  rdfs:seeAlso <javascript:alert(5)>, <data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==> ;
  schema:url <https://example.org/a'onmouseover='alert(7)> .
id:software/xss a schema:SoftwareApplication ; rdfs:label {ox.Literal(PAYLOADS[2])} ;
  schema:description {ox.Literal(PAYLOADS[3])} ; cg:category id:tool-category/pad .
id:usage/xss a cg:ToolUsage ; cg:organisation id:org/xss ; cg:tool id:software/xss ;
  cg:practice id:practice/voting ; cg:status id:status/active ;
  rdfs:comment {ox.Literal(PAYLOADS[1])} ;
  cg:observedOn "2025-02-01"^^xsd:date ; prov:wasGeneratedBy id:activity/survey-2025 .
"""
#: the pages (HTML) where the hostile data shows, and the map embeds
PAGES = (
    "/", "/maps", "/maps/tools", "/maps/organisations-tools", "/maps/organisations",
    "/maps/practices-tools", "/maps/tool-co-usage", "/maps/tool/xss",
    "/maps/organisations-tools/embed",
    "/maps/organisations/embed", "/maps/tool/xss/embed",
    "/maps/neighbourhood?iri=https://w3id.org/civicgraph/id/org/xss",
    "/maps/neighbourhood/embed?iri=https://w3id.org/civicgraph/id/org/xss",
    "/id/org/xss", "/id/software/xss", "/id/usage/xss", "/id/org/d",
    "/search?q=alert", "/search?q=img", "/queries", "/query", "/dumps", "/ns",
    "/queries/tools_by_practice?format=html&practice=voting",
    # reflected: the request itself carries the payload
    "/search?q=%3Cimg%20src%3Dx%20onerror%3Dalert(8)%3E",
    "/id/org/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(9)%3E",
    "/queries/%3Cimg%20src%3Dx%20onerror%3Dalert(10)%3E",
    "/maps/%3Cimg%20src%3Dx%20onerror%3Dalert(11)%3E",
    "/sparql?query=SELECT%20%3Cscript%3Ealert(12)%3C%2Fscript%3E",
)


def hostile_store() -> Store:
    """The tiny map dataset with a public graph of script injections (titled with one)."""
    store = tiny_store()
    description = [t for t in meta(HOSTILE_GRAPH)
                   if not t.predicate.value.endswith("/title")]
    description.append(ox.Triple(ox.NamedNode(HOSTILE_GRAPH),
                                 ox.NamedNode("http://purl.org/dc/terms/title"),
                                 ox.Literal(PAYLOADS[1])))
    store.replace_graph(HOSTILE_GRAPH, turtle(HOSTILE), metadata=description)
    return store


def snapshot(store: Store) -> frozenset[str]:
    """Every quad of ``store`` (every graph, restricted and meta included), as text."""
    rows = store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return frozenset(" ".join(str(row[v]) for v in ("s", "p", "o", "g"))
                     for row in rows)  # type: ignore[union-attr]


# --- documents that attack the parsers ------------------------------------------------------

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def laughs(levels: int = 12) -> bytes:
    """An RDF/XML "billion laughs": ``levels`` entities each made of ten of the one before
    (10^levels "lol"s once expanded)."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
        f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:e="http://example.org/">'
        f'<rdf:Description rdf:about="http://example.org/a"><e:p>&lol{levels - 1};</e:p>'
        "</rdf:Description></rdf:RDF>").encode()


def quadratic_blowup(size: int = 100_000, references: int = 20_000) -> bytes:
    """RDF/XML with one large entity referenced many times (no nesting)."""
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY big "{"x" * size}">]>\n'
        f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:e="http://example.org/">'
        f'<rdf:Description rdf:about="http://example.org/a"><e:p>{"&big;" * references}'
        "</e:p></rdf:Description></rdf:RDF>").encode()


def external_entity(url: str) -> bytes:
    """RDF/XML whose DTD names an external entity at ``url`` (it must never be fetched)."""
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "{url}">]>\n'
        f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:e="http://example.org/">'
        '<rdf:Description rdf:about="http://example.org/a"><e:p>&ext;</e:p>'
        "</rdf:Description></rdf:RDF>").encode()


def deep_json_ld(depth: int = 100_000) -> bytes:
    """JSON-LD nodes nested ``depth`` deep."""
    return ('{"@id": "http://example.org/a", "http://example.org/p": ' * depth + '"x"'
            + "}" * depth).encode()


def remote_context_json_ld(url: str) -> bytes:
    """JSON-LD whose context is at ``url`` (it must never be fetched)."""
    return b'{"@context": "' + url.encode() + b'", "@id": "http://example.org/a", "name": "x"}'


def deep_turtle(depth: int = 50_000) -> bytes:
    """Turtle with blank nodes nested ``depth`` deep under ``id:org/deep``, then a collection
    as deep."""
    return (
        "<https://w3id.org/civicgraph/id/org/deep> <http://example.org/p> "
        + "[ <http://example.org/p> " * depth + '"x"' + " ]" * depth + " ;\n"
        + " <http://example.org/q> " + "(" * depth + '"y"' + ")" * depth + " .\n").encode()


NOT_UTF8 = b"\xff\xfe\xc3\x28 \xa0\xa1"


def xlsx_laughs() -> bytes:
    """An XLSX workbook whose sheet XML is a billion laughs."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "organisations"
    sheet.append(["name", "commune"])
    sheet.append(["A", "Paris"])
    plain = io.BytesIO()
    book.save(plain)
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = f"<!DOCTYPE worksheet [{entities}]>" + data.decode()
                data = text.replace(">A<", ">&lol9;<").encode()
            bomb.writestr(item.filename, data)
    return out.getvalue()


# --- the requests, and a listener that sees any fetch -------------------------------------

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
MAX_BODY = 8 * 1024 * 1024
NOTE = graph_iri("notes")
TURTLE = {"Content-Type": "text/turtle"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}


class Listener:
    """A socket listening on loopback that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.sock.close()

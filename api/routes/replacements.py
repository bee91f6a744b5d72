"""``POST /replacements``: graphs replaced with the descriptions their writer gives (curator).

The door of the command line beside a server (``api.commands.connection.ServerStore``):
``civicgraph load``, the vocabulary that goes with it and ``civicgraph metrics`` replace whole
graphs and describe them (title, source, licence, access level). The meta graphs are
civicgraph's own bookkeeping, which no client writes (a SPARQL Update or Graph Store write of
them is a 400), so the command sends the graphs and their descriptions here and the server's
write path (``graph.ingest.writing.replace``) checks and commits them, describing each graph
itself from what the description may say (``graph.ingest.described``), with the moment, size
and digest of what it wrote. ``multipart/form-data``: ``graph`` (each graph's IRI) and
``content`` (its triples as N-Triples, in the same order), and one ``description``
(N-Triples). A body that does not parse is a 400, one the shapes or the privacy guard refuse
a 422; nothing is written then. The answer: ``{"graphs": {IRI: triples}}``.
"""

from __future__ import annotations

from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from api.errors import BadRequest
from api.forms import given_once
from api.querying import after_curator_write
from api.security import require_curator
from graph.ingest import graphstore, writing
from graph.ingest.checking import public_targets
from graph.ingest.described import provenances

router = APIRouter(tags=["Graph Store"])

NTRIPLES = "application/n-triples"


@router.post("/replacements", summary="Replace graphs with their descriptions (curator)",
             dependencies=[Depends(require_curator), Depends(given_once("description"))])
def post_replacements(
    request: Request,
    graph: Annotated[list[str], Form(description="The IRI of each graph replaced")],
    content: Annotated[list[UploadFile], File(description="Each graph's triples (N-Triples)")],
    description: Annotated[UploadFile, File(description="Their descriptions (N-Triples)")],
) -> JSONResponse:
    if len(graph) != len(content):
        raise BadRequest(f"give one content per graph: {len(graph)} graph(s), "
                         f"{len(content)} content(s)")
    targets = [graphstore.graph_name(g) for g in graph]
    if len(set(targets)) != len(targets):
        raise BadRequest("a graph is named twice")
    # one document in several parts: a blank node label names one node across them, a
    # fresh one (the store's nodes are never named by a client)
    fresh: dict[str, ox.BlankNode] = {}
    contents = {target: _relabelled(graphstore.parse_triples(
                    part.file.read(), NTRIPLES, source=target, fresh_blank_nodes=False), fresh)
                for target, part in zip(targets, content, strict=True)}
    described = graphstore.parse_triples(description.file.read(), NTRIPLES,
                                         source="the description")
    store = request.app.state.store
    given = provenances(described, targets, who="curator (command line)",
                        default_access=request.app.state.settings.default_access)
    # restricted graphs may hold persons: the privacy guard reads the public ones only
    public = {*public_targets(store), *(g for g, p in given.items() if p.access == "public")} \
        - {g for g, p in given.items() if p.access == "restricted"}
    written = writing.replace(store, contents, given, source="the replacement",
                              who="curator (command line)", public=public)
    after_curator_write(request)
    return JSONResponse({"graphs": written.graphs,
                         "warnings": [str(w) for w in written.warnings]})


def _relabelled(triples: list[ox.Triple], fresh: dict[str, ox.BlankNode]) -> list[ox.Triple]:
    """``triples`` with each blank node label replaced by its node in ``fresh`` (made the
    first time a label is met)."""
    def node(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            if term.value not in fresh:
                fresh[term.value] = ox.BlankNode()
            return fresh[term.value]
        return term

    return [ox.Triple(node(t.subject), t.predicate, node(t.object)) for t in triples]

"""``POST /persons/forget``: erase every triple about a person (curator).

The form field ``person`` is an IRI or an identifier such as ``personne-01``. The answer is
the erasure report as JSON: the triples removed per graph, the sources that held the person
(to clean before importing them again) and the texts that still mention their name. 404 when
nothing is known about the person. ``civicgraph forget`` sends this request when a server
holds the store.
"""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse

from api.errors import BadRequest
from api.forms import Utf8FormRoute, given_once
from api.security import require_curator
from graph.ingest.writing import erase
from graph.privacy.persons import person_iri

router = APIRouter(tags=["contributions"], route_class=Utf8FormRoute)


@router.post("/persons/forget", summary="Erase every triple about a person (curator)",
             dependencies=[Depends(require_curator), Depends(given_once("person"))])
def post_forget(
    request: Request,
    person: Annotated[str, Form(description="The person's IRI, or an identifier such as "
                                            "personne-01")],
) -> JSONResponse:
    settings = request.app.state.settings
    iri = person_iri(person.strip(), settings.base_iri + "id/")
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise BadRequest(f"{person!r} is not an IRI nor a person's identifier") from None
    report = erase(request.app.state.store, iri, threshold=settings.small_count_threshold)
    return JSONResponse({"person": iri, "removed": report.removed, "lines": report.lines()})

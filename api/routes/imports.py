"""``POST /imports``: the spreadsheet import for curators, with the same report as the CLI.

The request is ``multipart/form-data`` with the ``file`` (CSV or XLSX) and the form fields
``source`` (required), ``licence``, ``kind`` and ``skip_invalid``. It needs the curator token
(``Authorization: Bearer …``): 401 without it, 403 when writes are disabled. A ``licence``
that is neither an http(s) IRI nor an SPDX id (stored as its spdx.org IRI), or a ``source``
longer than ``MAX_SOURCE`` characters, is a 400 naming the field. The answer is the
import report as JSON (200 when stored or unchanged, 422 when refused), or as CSV with
``Accept: text/csv``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from api.forms import given_once
from api.security import require_curator
from graph.errors import ParameterError
from graph.ingest.spreadsheets import import_spreadsheet
from graph.ingest.spreadsheets.values import ValueProblem, parse_licence, parse_source

router = APIRouter(tags=["contributions"])

#: largest file accepted (bytes): far above a 100,000-row sheet
MAX_UPLOAD = 64 * 1024 * 1024


@router.post("/imports", summary="Import a CSV or XLSX spreadsheet of contributions",
             dependencies=[Depends(require_curator), Depends(given_once(
                 "file", "source", "licence", "kind", "skip_invalid"))])
def post_import(
    request: Request,
    file: Annotated[UploadFile, File(description="The CSV or XLSX file")],
    source: Annotated[str, Form(description='Where the data comes from ("survey 2026")')],
    licence: Annotated[str | None, Form()] = None,
    kind: Annotated[str | None, Form()] = None,
    skip_invalid: Annotated[bool, Form()] = False,
) -> Response:
    settings = request.app.state.settings
    for name, check, value in (("source", parse_source, source),
                               ("licence", parse_licence, licence)):
        try:
            if value:
                check(value)
        except ValueProblem as error:
            raise ParameterError(name, str(error)) from None
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return JSONResponse({"status": "refused", "errors": [
            {"message": f"the file is larger than {MAX_UPLOAD} bytes"}]}, status_code=413)
    who = "curator (HTTP)"
    report = import_spreadsheet(
        request.app.state.store, data, file.filename or "upload", source=source,
        licence=licence or None, imported_by=who, skip_invalid=skip_invalid, kind=kind or None,
        base=settings.base_iri, threshold=settings.small_count_threshold)
    status = 200 if report.stored or report.unchanged else 422
    if "text/csv" in request.headers.get("accept", ""):
        return Response(report.to_csv(), status_code=status, media_type="text/csv")
    return JSONResponse(report.as_dict(), status_code=status)

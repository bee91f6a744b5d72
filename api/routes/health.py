"""``/health``: is the store answering?"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from graph.errors import StoreError

router = APIRouter(tags=["service"])


@router.get("/health", summary="Check that the store answers")
def health(request: Request) -> JSONResponse:
    store = request.app.state.store
    try:
        quads = store.count()
    except StoreError as error:
        return JSONResponse({"status": "unavailable", "detail": str(error)}, status_code=503)
    return JSONResponse({"status": "ok", "store": store.kind, "quads": quads})

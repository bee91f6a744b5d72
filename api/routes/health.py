"""``/health``: does the store answer? ``/metrics``: the server's figures for Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.observability import METRICS_MEDIA_TYPE, Metrics, StoreProbe

router = APIRouter(tags=["service"])


@router.get("/health", summary="Check that the store answers", responses={
    200: {"description": "The store answers.", "content": {"application/json": {"example": {
        "status": "ok", "store": "oxigraph", "quads": 52000}}}},
    503: {"description": "The store does not answer (in time).", "content": {
        "application/json": {"example": {"status": "unavailable", "store": "remote",
                                         "detail": "the store did not answer within 5 s"}}}}})
def health(request: Request) -> JSONResponse:
    """``ok`` with the number of quads (null when counting them takes too long), or 503."""
    probe: StoreProbe = request.app.state.store_probe
    found = probe.check()
    kind = request.app.state.store.kind
    if not found.ok:
        return JSONResponse({"status": "unavailable", "store": kind, "detail": found.detail},
                            status_code=503, headers={"Retry-After": "5"})
    return JSONResponse({"status": "ok", "store": kind, "quads": found.quads})


@router.get("/metrics", summary="Metrics in the Prometheus text format",
            response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def metrics(request: Request) -> Response:
    """Requests, latencies, queries, time-outs and the store's size."""
    collected: Metrics = request.app.state.metrics
    return Response(collected.exposition(), media_type=METRICS_MEDIA_TYPE)

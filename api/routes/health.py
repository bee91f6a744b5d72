"""``/health``: does the store answer? ``/metrics``: the server's figures for Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.observability import METRICS_MEDIA_TYPE, Metrics, StoreProbe
from api.security import reader_scope

router = APIRouter(tags=["service"])


@router.get("/health", summary="Check that the store answers", responses={
    200: {"description": "The store answers.", "content": {"application/json": {"example": {
        "status": "ok", "store": "oxigraph", "quads": 52000}}}},
    503: {"description": "The store does not answer (in time).", "content": {
        "application/json": {"example": {"status": "unavailable", "store": "remote",
                                         "detail": "the store did not answer within 5 s"}}}}})
def health(request: Request) -> JSONResponse:
    """``ok`` with the number of quads the caller may read (the public graphs', every graph
    for a curator; null when counting them takes too long), or 503."""
    probe: StoreProbe = request.app.state.store_probe
    found = probe.check()
    kind = request.app.state.store.kind
    if not found.ok:
        return JSONResponse({"status": "unavailable", "store": kind, "detail": found.detail},
                            status_code=503, headers={"Retry-After": "5"})
    quads = found.quads if reader_scope(request) == "all" else found.public_quads
    return JSONResponse({"status": "ok", "store": kind, "quads": quads})


@router.get("/metrics", summary="Metrics in the Prometheus text format",
            response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def metrics(request: Request) -> Response:
    """Requests, latencies, queries, time-outs and the public data's size (the whole
    store's too for a curator's scrape)."""
    collected: Metrics = request.app.state.metrics
    everything = reader_scope(request) == "all"
    return Response(collected.exposition(everything=everything), media_type=METRICS_MEDIA_TYPE)

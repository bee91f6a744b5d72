"""The FastAPI application: wiring only. Routes live in ``api.routes``, one module a concern.

Routes are plain ``def`` functions: FastAPI runs them in its thread pool, and pyoxigraph
releases the GIL while it evaluates a query, so a slow query never blocks the event loop.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.settings import Settings
from graph.store import Store


def create_app(settings: Settings, store: Store) -> FastAPI:
    """The civicgraph application over ``store``, configured by ``settings``."""
    from api import errors, middleware, observability, proxies, querying, security
    from api.head import HeadAsGet
    from api.lookups import LookupPath
    from api.routes import (
        api_docs,
        dumps,
        erasure,
        graph_store,
        health,
        home,
        imports,
        maps,
        ontology_docs,
        queries,
        replacements,
        resources,
        search,
        sparql,
    )

    app = FastAPI(
        title="civicgraph",
        summary="A linked-data knowledge graph of civic organisations and their tools.",
        version="0.1.0",
        responses=errors.RESPONSES,  # the error answers any operation may give, described once
        docs_url=None, redoc_url=None,  # api.routes.api_docs: the same pages, no CDN
    )
    app.state.settings = settings
    app.state.store = store
    errors.install(app)
    # the innermost: a 405's Allow, a plain OPTIONS; inside CORS, which answers preflights
    app.add_middleware(middleware.AllowedMethods, application=app)
    security.install(app, settings)
    querying.install(app, settings)  # wraps app.state.store so query snapshots follow writes
    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(replacements.router)
    app.include_router(dumps.router)
    app.include_router(resources.router)
    app.include_router(ontology_docs.router)
    app.include_router(queries.router)
    app.include_router(search.router)
    app.include_router(imports.router)
    app.include_router(erasure.router)
    maps.install(app)  # the map service (after querying.install: it reads app.state.store)
    queries.install(app)  # the catalogue's default answers, maintained from the start
    app.include_router(home.router)
    app.include_router(maps.router)
    app.include_router(api_docs.router)
    app.add_middleware(HeadAsGet)  # HEAD answers every GET route
    app.add_middleware(LookupPath, application=app)  # one-subject lookups: the lean path
    _declare_bearer(app)
    middleware.install(app, settings)  # body limits and security headers, outside CORS
    observability.install(app, settings)  # the request log: sees every answer
    proxies.install(app, settings)  # outermost: the client and host behind trusted proxies
    return app


#: the operations that change the store, whose token OpenAPI declares (by method)
WRITE_METHODS = frozenset({"put", "post", "delete", "patch"})


def _declare_bearer(app: FastAPI) -> None:
    """Declare the curator's bearer token in the OpenAPI description: required by every write
    operation, optional on ``POST /sparql`` (a query needs none, an update does)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes["curatorToken"] = {
            "type": "http", "scheme": "bearer",
            "description": "CIVICGRAPH_CURATOR_TOKEN: needed by every write, and to read "
                           "restricted graphs.",
        }
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if method in WRITE_METHODS and "security" not in operation:
                    required: list[dict[str, list[str]]] = [{"curatorToken": []}]
                    operation["security"] = [*required, {}] if path == "/sparql" else required
        _refusals_as_answered(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


#: FastAPI's own answer to a request it cannot validate, which api/errors.py answers 400
_VALIDATION = "#/components/schemas/HTTPValidationError"


def _refusals_as_answered(schema: dict[str, Any]) -> None:
    """Declare the refusals as they are answered: a request FastAPI cannot validate is a
    400 (``api/errors.py``), never FastAPI's 422 ``HTTPValidationError``; a 422 is a write
    the shapes, the privacy guard or an import's checks refused (nothing written), with
    the error shape of every other refusal."""
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.get("responses", {})
            declared = responses.get("422", {})
            if _VALIDATION not in str(declared.get("content", "")):
                continue
            if method in WRITE_METHODS and "400" in responses:
                responses["422"] = {
                    "description": "refused by the shapes, the privacy guard or the import's "
                                   "checks: nothing written",
                    "content": responses["400"].get("content", {})}
            else:
                del responses["422"]
    if _VALIDATION.rsplit("/", 1)[1] not in str(schema.get("paths")):
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)

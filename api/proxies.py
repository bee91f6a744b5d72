"""Who the client is and what this server's base URL is, behind reverse proxies or not.

A reverse proxy (nginx, Caddy, a load balancer) connects to civicgraph itself, and says who
its own client was in ``X-Forwarded-For`` and which URL that client asked for in
``X-Forwarded-Proto`` / ``X-Forwarded-Host``. Anyone can send those headers, so they are
believed only from the peers listed in ``CIVICGRAPH_TRUSTED_PROXIES`` (addresses or CIDR
networks; none by default). ``ForwardedHeaders`` rewrites the request's client address,
scheme and host from them before anything else sees the request: the per-client limits
(``api.security.client_of``), the request log and ``request.base_url`` then all agree.

``public_base`` is the base of every absolute URL the server writes (Service Description,
VoID, dumps, embed snippets, Link headers): ``CIVICGRAPH_PUBLIC_URL`` when set, else the
scheme, host and port the request was sent to.

>>> proxies = TrustedProxies.parse("10.0.0.0/8, 192.168.1.7")
>>> proxies.trusts("10.1.2.3"), proxies.trusts("192.168.1.8"), proxies.trusts("unknown")
(True, False, False)
>>> proxies.client(["203.0.113.9", "10.0.0.2"], peer="10.0.0.1")
'203.0.113.9'
>>> TrustedProxies.parse("").client(["203.0.113.9"], peer="198.51.100.4")
'198.51.100.4'
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    """The networks whose forwarding headers are believed."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """From ``CIVICGRAPH_TRUSTED_PROXIES`` (comma-separated addresses or networks)."""
        return cls(tuple(ipaddress.ip_network(part.strip(), strict=False)
                         for part in text.split(",") if part.strip()))

    def trusts(self, address: str) -> bool:
        """Whether ``address`` is one of the trusted proxies."""
        try:
            ip = ipaddress.ip_address(address.strip().strip("[]"))
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def client(self, forwarded_for: Sequence[str], peer: str) -> str:
        """The client's address: walking ``X-Forwarded-For`` from the right (the hop nearest
        to us), the first address that is not a trusted proxy; ``peer`` if ``peer`` itself
        is not trusted."""
        if not self.trusts(peer):
            return peer
        hops = [hop.strip() for hop in forwarded_for if hop.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop
        return hops[0] if hops else peer


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> list[str]:
    """Every comma-separated value of the header ``name``, in order."""
    return [part for key, value in headers if key == name
            for part in value.decode("latin-1").split(",")]


class ForwardedHeaders:
    """Rewrites a request's client, scheme and host from the forwarding headers of a trusted
    proxy (ASGI middleware; outermost)."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.proxies.networks:
            peer = scope.get("client")
            if peer and self.proxies.trusts(peer[0]):
                scope = dict(scope)
                headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
                forwarded_for = _header(headers, b"x-forwarded-for")
                if forwarded_for:
                    scope["client"] = (self.proxies.client(forwarded_for, peer[0]), 0)
                proto = _header(headers, b"x-forwarded-proto")
                if proto and proto[0].strip().lower() in ("http", "https"):
                    scheme = proto[0].strip().lower()
                    scope["scheme"] = scheme if scope["type"] == "http" else \
                        {"http": "ws", "https": "wss"}[scheme]
                host = _header(headers, b"x-forwarded-host")
                if host and host[0].strip():
                    headers = [(k, v) for k, v in headers if k != b"host"]
                    headers.append((b"host", host[0].strip().encode("latin-1")))
                    scope["headers"] = headers
        await self.app(scope, receive, send)


def client_address(request: Request) -> str:
    """The address of the request's client (its proxy's word for it, if trusted)."""
    return request.client.host if request.client else "unknown"


def public_base(request: Request) -> str:
    """The base URL of the server, without a trailing slash: ``CIVICGRAPH_PUBLIC_URL`` when
    set, else the scheme, host and port this request was sent to."""
    settings: Settings = request.app.state.settings
    if settings.public_url.strip():
        return settings.public_url.strip().rstrip("/")
    return str(request.base_url).rstrip("/")


def install(app: FastAPI, settings: Settings) -> None:
    """Believe the forwarding headers of ``settings.trusted_proxies`` (call it last)."""
    app.add_middleware(ForwardedHeaders, proxies=TrustedProxies.parse(settings.trusted_proxies))


__all__ = ["ForwardedHeaders", "TrustedProxies", "client_address", "install", "public_base"]

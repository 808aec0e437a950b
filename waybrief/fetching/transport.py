"""The SSRF guard, where it cannot be bypassed: at connection time.

httpx hands every connection (first request and each redirect hop) to a
network backend. Ours resolves the name itself, refuses if any address it
resolves to is not public, and connects to the checked address, so a DNS
answer that changes between check and use (rebinding) has nothing to win.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable

import anyio
import httpcore
import httpx

from .addresses import IPAddress, is_public_address, parse_ip_literal
from .deadline import DeadlineStream, clamp
from .errors import BlockedAddress, Unreachable

Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:  # UnicodeError: a name IDNA cannot encode
        raise Unreachable(f"The host name {host!r} could not be resolved ({exc}).") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressGuard:
    """Decides where a connection to ``host`` may go."""

    def __init__(
        self,
        *,
        allow_private: bool,
        resolver: Resolver | None = None,
        is_allowed: Callable[[IPAddress], bool] = is_public_address,
    ) -> None:
        self.allow_private = allow_private
        self.resolver = resolver or system_resolver
        self.is_allowed = is_allowed

    def addresses(self, host: str, port: int) -> list[str]:
        literal = parse_ip_literal(host)
        if literal is not None:
            candidates = [literal]
        else:
            candidates = [_as_ip(a) for a in self.resolver(host.rstrip("."), port)]
        if not candidates:
            raise Unreachable(f"The host name {host!r} has no address.")
        if not self.allow_private:
            for address in candidates:
                if not self.is_allowed(address):
                    raise BlockedAddress(
                        f"{host} points to {address}, a private, local or reserved address; "
                        "Waybrief only fetches public addresses."
                    )
        return [str(a) for a in candidates]


def _as_ip(text: str) -> IPAddress:
    address = parse_ip_literal(text.split("%", 1)[0])
    if address is None:
        raise Unreachable(f"The resolver returned {text!r}, which is not an IP address.")
    return address


def _connect_errors(host: str, errors: list[Exception]) -> Exception:
    return httpcore.ConnectError(f"could not connect to {host}: {errors[-1] if errors else ''}")


class GuardedBackend(httpcore.SyncBackend):
    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        errors: list[Exception] = []
        for address in self.guard.addresses(host, port):
            try:
                stream = super().connect_tcp(
                    address, port, clamp(timeout), local_address, socket_options
                )
                return DeadlineStream(stream)
            except httpcore.ConnectError as exc:
                errors.append(exc)
        raise _connect_errors(host, errors)


class AsyncGuardedBackend(httpcore.AnyIOBackend):
    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if parse_ip_literal(host) is not None:
            addresses = self.guard.addresses(host, port)
        else:
            addresses = await anyio.to_thread.run_sync(self.guard.addresses, host, port)
        errors: list[Exception] = []
        for address in addresses:
            try:
                return await super().connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                errors.append(exc)
        raise _connect_errors(host, errors)


def guarded_transport(guard: AddressGuard, **kwargs) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(**kwargs)
    # httpx has no public hook for the network backend; the pool's is the
    # one place every connection of this transport is opened.
    transport._pool._network_backend = GuardedBackend(guard)
    return transport


def async_guarded_transport(guard: AddressGuard, **kwargs) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(**kwargs)
    transport._pool._network_backend = AsyncGuardedBackend(guard)
    return transport


__all__: Iterable[str] = [
    "AddressGuard",
    "Resolver",
    "async_guarded_transport",
    "guarded_transport",
    "system_resolver",
]

"""Fetches of URLs that name loopback are refused before a byte is sent.

Every URL here names loopback under every reading, so even a broken guard
would keep its packets on this machine; the servers count every TCP
connection they accept, which proves the refusal came before connecting.
Names resolve only through a stub resolver, never the system's.
"""

import ipaddress
import socket
import socketserver
import threading
from collections import Counter
from http.server import ThreadingHTTPServer

import pytest

from tests.support.http import LocalServer, Reply
from waybrief.fetching import Fetcher
from waybrief.fetching.errors import BlockedAddress, InvalidURL
from waybrief.fetching.transport import AddressGuard


class RecordingServer(LocalServer):
    """A LocalServer on an IPv4 or IPv6 loopback address that also counts the
    TCP connections it accepts (a gopher or ftp client would send no HTTP)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes, self.hits, self.requests = {}, Counter(), []
        self.connections = 0
        self.host = host
        owner = self

        class Server(ThreadingHTTPServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
            daemon_threads = True

            def server_bind(self) -> None:
                # HTTPServer.server_bind asks reverse DNS for a name; none is needed.
                socketserver.TCPServer.server_bind(self)
                self.server_name, self.server_port = self.server_address[:2]

            def verify_request(self, request, client_address) -> bool:
                owner.connections += 1
                return True

        self._server = Server((host, 0), self._handler())
        self.port = self._server.server_address[1]
        self.route("/", Reply(200, b"reached", {"Content-Type": "text/plain"}))

    def start(self) -> "RecordingServer":
        # A short poll keeps stop() quick; these servers come and go per test.
        serve = self._server.serve_forever
        threading.Thread(target=serve, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


class LoopbackOnlyGuard(AddressGuard):
    """The real guard, with a safety net: should it ever pass an address off
    this machine, the test fails instead of connecting there."""

    def addresses(self, host: str, port: int) -> list[str]:
        found = super().addresses(host, port)
        for text in found:
            address = ipaddress.ip_address(text)
            assert address.is_loopback or address.is_unspecified, f"{host} -> {text}"
        return found


def stub_resolver(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise AssertionError(f"unexpected lookup of {host}")
        return table[host]

    return resolve


NAMES = {"localhost": ["127.0.0.1"], "rebound.test": ["127.0.0.1"], "evil.example": ["127.0.0.2"]}


@pytest.fixture
def guarded() -> Fetcher:
    guard = LoopbackOnlyGuard(allow_private=False, resolver=stub_resolver(NAMES))
    return Fetcher(guard=guard, timeout=5)


@pytest.fixture
def recorder():
    server = RecordingServer("127.0.0.1").start()
    yield server
    server.stop()


@pytest.fixture
def second_recorder():
    server = RecordingServer("127.0.0.2").start()
    yield server
    server.stop()


@pytest.fixture
def v6_recorder():
    try:
        server = RecordingServer("::1")
    except OSError:
        pytest.skip("this machine has no IPv6 loopback (test_it_refuses_ipv6_loopback covers it)")
    yield server.start()
    server.stop()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "localhost",
        "localhost.",
        "2130706433",
        "0x7f.1",
        "0x7f000001",
        "127.1",
        "0.0.0.0",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "rebound.test",
    ],
)
def test_it_refuses_loopback_in_every_spelling(guarded, recorder, address):
    """GIVEN a recording server on 127.0.0.1 WHEN it is named in any spelling
    THEN the guard refuses before a connection is opened."""
    with pytest.raises(BlockedAddress) as refusal:
        guarded.fetch(f"http://{address}:{recorder.port}/")
    assert "only fetches public addresses" in str(refusal.value)
    assert recorder.connections == 0


@pytest.mark.parametrize("address", ["0177.0.0.1", "017700000001", "0127.0.0.01"])
def test_it_refuses_numbers_with_a_leading_zero_as_ambiguous(guarded, recorder, address):
    """GIVEN a host that is octal to inet_aton and browsers but decimal to others
    (0177.0.0.1 is 127.0.0.1 or 177.0.0.1) WHEN it is fetched THEN it is refused
    as an invalid URL before any connection."""
    with pytest.raises(InvalidURL, match="leading zero"):
        guarded.fetch(f"http://{address}:{recorder.port}/")
    assert recorder.connections == 0


def test_it_refuses_a_percent_encoded_host(guarded, recorder):
    """GIVEN %31%32%37.0.0.1 (127.0.0.1 to a browser, a name to httpx)
    WHEN it is fetched THEN it is refused before any lookup or connection."""
    with pytest.raises(InvalidURL, match="'%'"):
        guarded.fetch(f"http://%31%32%37.0.0.1:{recorder.port}/")
    assert recorder.connections == 0


@pytest.mark.parametrize("address", ["[::1]", "[::]", "[0:0:0:0:0:0:0:1]", "[::0.0.0.1]"])
def test_it_refuses_ipv6_loopback_with_a_server_listening_there(guarded, v6_recorder, address):
    """GIVEN a recording server on [::1] WHEN [::1], [::] (which connects to
    loopback) or a longer spelling is fetched THEN nothing connects."""
    with pytest.raises(BlockedAddress):
        guarded.fetch(f"http://{address}:{v6_recorder.port}/")
    assert v6_recorder.connections == 0


def test_the_ipv6_server_is_really_reachable_when_private_fetching_is_allowed(v6_recorder):
    """GIVEN the same [::1] server WHEN private fetching is allowed THEN [::] and
    [::1] reach it, so the zero counts above mean something."""
    fetcher = Fetcher(allow_private=True, resolver=stub_resolver({}), timeout=5)
    assert fetcher.fetch(f"http://[::]:{v6_recorder.port}/").text == "reached"
    assert fetcher.fetch(f"http://[::1]:{v6_recorder.port}/").text == "reached"
    assert v6_recorder.connections == 2


def test_it_refuses_ipv6_loopback(guarded):
    """GIVEN nothing listening on [::1]:9 WHEN it is fetched THEN the guard
    refuses before connecting (the check that runs where IPv6 is missing)."""
    with pytest.raises(BlockedAddress):
        guarded.fetch("http://[::1]:9/")


def test_it_checks_every_redirect_hop(recorder, second_recorder):
    """GIVEN a 'public' host (127.0.0.2, declared public for this test) that
    redirects to loopback WHEN it is fetched THEN the second hop is refused."""
    target = recorder.route("/secret", Reply(200, b"secret"))
    second_recorder.route("/", Reply(302, headers={"Location": target}))
    guard = LoopbackOnlyGuard(
        allow_private=False,
        resolver=stub_resolver({"public.test": ["127.0.0.2"]}),
        is_allowed=lambda ip: ip == ipaddress.IPv4Address("127.0.0.2"),
    )
    fetcher = Fetcher(guard=guard, timeout=5)
    with pytest.raises(BlockedAddress):
        fetcher.fetch(f"http://public.test:{second_recorder.port}/")
    assert second_recorder.hits["/"] == 1
    assert recorder.connections == 0


@pytest.fixture
def lenient(recorder, second_recorder) -> Fetcher:
    """A guard that lets both recording servers through: only check_url stands
    between a URL trick and a connection, so a hit would show it failed."""
    both = {ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv4Address("127.0.0.2")}
    guard = LoopbackOnlyGuard(
        allow_private=False, resolver=stub_resolver(NAMES), is_allowed=lambda ip: ip in both
    )
    return Fetcher(guard=guard, timeout=5)


def test_both_recording_servers_are_reachable_through_the_lenient_guard(
    lenient, recorder, second_recorder
):
    """GIVEN the lenient guard WHEN each server is fetched by a plain URL
    THEN each is reached, so the zero counts below mean something."""
    assert lenient.fetch(recorder.url("/")).text == "reached"
    assert lenient.fetch(f"http://evil.example:{second_recorder.port}/").text == "reached"
    assert (recorder.connections, second_recorder.connections) == (1, 1)


TWO_READINGS = [
    # A browser reads "\" as "/" (host before it); urllib reads it as userinfo (host after "@").
    "http://127.0.0.1:{a}\\@127.0.0.2:{b}/",
    "http://127.0.0.2:{b}\\@127.0.0.1:{a}/",
    "http://evil.example:{b}\\@127.0.0.1:{a}/",
    # Userinfo that looks like a host, in front of the real host.
    "http://127.0.0.1:{a}@127.0.0.2:{b}/",
    "http://evil.example:{b}@127.0.0.1:{a}/",
    # A browser drops tabs and newlines; a naive reader splits on them.
    "http://127.0.0.1:{a}\t@127.0.0.2:{b}/",
    "http://127.0.0.1:{a}\n@127.0.0.2:{b}/",
    "http://127.0.0.1:{a} /",
]


@pytest.mark.parametrize("template", TWO_READINGS)
def test_it_refuses_urls_that_parsers_could_read_two_ways(
    lenient, recorder, second_recorder, template
):
    """GIVEN a URL whose two readings name the two recording servers WHEN it is
    fetched through a guard that would let either through THEN it is refused
    as an invalid URL and neither server sees a connection."""
    url = template.format(a=recorder.port, b=second_recorder.port)
    with pytest.raises(InvalidURL):
        lenient.fetch(url)
    assert (recorder.connections, second_recorder.connections) == (0, 0)


@pytest.mark.parametrize(
    "template",
    [
        "file:///etc/passwd",
        "file://127.0.0.1:{a}/etc/passwd",
        "ftp://127.0.0.1:{a}/",
        "gopher://127.0.0.1:{a}/_GET%20/%20HTTP/1.0%0D%0A%0D%0A",
        "dict://127.0.0.1:{a}/info",
        "data:text/html,<p>hello</p>",
        "ws://127.0.0.1:{a}/",
    ],
)
def test_it_fetches_only_http_and_https(lenient, recorder, template):
    """GIVEN a non-HTTP scheme aimed at the recording server WHEN it is fetched
    THEN it is refused with a clear message and nothing connects."""
    with pytest.raises(InvalidURL, match="Only http:// and https://"):
        lenient.fetch(template.format(a=recorder.port))
    assert recorder.connections == 0


@pytest.mark.parametrize("url", ["http:///nohost", "http://:80/", "http://a..b/", ""])
def test_it_refuses_urls_without_a_usable_host(guarded, url):
    with pytest.raises(InvalidURL):
        guarded.fetch(url)

"""Fetches of URLs that name loopback are refused before a byte is sent.

Every URL here names loopback under every reading, so even a broken guard
would keep its packets on this machine; the server's hit count proves the
guard refused before connecting.
"""

import ipaddress

import pytest

from waybrief.fetching import Fetcher
from waybrief.fetching.errors import BlockedAddress, InvalidURL
from waybrief.fetching.transport import AddressGuard


def stub_resolver(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise AssertionError(f"unexpected lookup of {host}")
        return table[host]

    return resolve


@pytest.fixture
def guarded() -> Fetcher:
    return Fetcher(
        allow_private=False,
        resolver=stub_resolver({"localhost": ["127.0.0.1"], "rebound.test": ["127.0.0.1"]}),
        timeout=5,
    )


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "localhost",
        "localhost.",
        "2130706433",
        "0x7f.1",
        "0x7f000001",
        "017700000001",
        "127.1",
        "0.0.0.0",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "rebound.test",
    ],
)
def test_it_refuses_loopback_in_every_spelling(guarded, site, address):
    site.route("/", b"")
    with pytest.raises(BlockedAddress) as refusal:
        guarded.fetch(f"http://{address}:{site.port}/")
    assert "only fetches public addresses" in str(refusal.value)
    assert site.hits["/"] == 0


def test_it_refuses_ipv6_loopback(guarded):
    # Nothing listens on [::1] here; the guard must refuse before connecting.
    with pytest.raises(BlockedAddress):
        guarded.fetch("http://[::1]:9/")


def test_it_checks_every_redirect_hop(site):
    """GIVEN a 'public' host (127.0.0.2, declared public for this test) that
    redirects to loopback WHEN it is fetched THEN the second hop is refused."""
    from tests.support.http import LocalServer, Reply

    public = LocalServer(host="127.0.0.2").start()
    try:
        target = site.route("/secret", Reply(200, b"secret"))
        public.route("/", Reply(302, headers={"Location": target}))
        guard = AddressGuard(
            allow_private=False,
            resolver=stub_resolver({"public.test": ["127.0.0.2"]}),
            is_allowed=lambda ip: ip == ipaddress.IPv4Address("127.0.0.2"),
        )
        fetcher = Fetcher(guard=guard, timeout=5)
        with pytest.raises(BlockedAddress):
            fetcher.fetch(f"http://public.test:{public.port}/")
        assert public.hits["/"] == 1
        assert site.hits["/secret"] == 0
    finally:
        public.stop()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1\\@127.0.0.2/",
        "http://127.0.0.2@127.0.0.1/",
        "http://127.0.0.1 /",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "http:///nohost",
        "",
    ],
)
def test_it_refuses_urls_that_parsers_could_read_two_ways(guarded, url):
    with pytest.raises(InvalidURL):
        guarded.fetch(url)

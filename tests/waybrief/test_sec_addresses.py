"""Every row of the IANA special-purpose registries is refused or allowed up to
its exact edges, as functions only: nothing here opens a connection (issue #24,
item 11)."""

from __future__ import annotations

import ipaddress

import pytest

from waybrief.fetching.addresses import SPECIAL_PURPOSE, is_public_address

# Each registry row and whether a fetch may reach its first and last address:
# the registry's "Globally Reachable", except where our policy is stricter
# (NAT64 refused whole; IPv4-mapped judged by the IPv4 inside).
ROWS = {
    "0.0.0.0/8": False, "0.0.0.0/32": False, "10.0.0.0/8": False, "100.64.0.0/10": False,
    "127.0.0.0/8": False, "169.254.0.0/16": False, "172.16.0.0/12": False,
    "192.0.0.0/24": False, "192.0.0.0/29": False, "192.0.0.8/32": False,
    "192.0.0.9/32": True, "192.0.0.10/32": True, "192.0.0.170/32": False,
    "192.0.0.171/32": False, "192.0.2.0/24": False, "192.31.196.0/24": True,
    "192.52.193.0/24": True, "192.88.99.0/24": False, "192.168.0.0/16": False,
    "192.175.48.0/24": True, "198.18.0.0/15": False, "198.51.100.0/24": False,
    "203.0.113.0/24": False, "240.0.0.0/4": False, "255.255.255.255/32": False,
    "::1/128": False, "::/128": False, "::ffff:0:0/96": False, "64:ff9b::/96": False,
    "64:ff9b:1::/48": False, "100::/64": False, "2001::/23": False, "2001::/32": False,
    "2001:1::1/128": True, "2001:1::2/128": True, "2001:1::3/128": True,
    "2001:2::/48": False, "2001:3::/32": True, "2001:4:112::/48": True,
    "2001:10::/28": False, "2001:20::/28": True, "2001:30::/28": True,
    "2001:db8::/32": False, "2002::/16": False, "2620:4f:8000::/48": True,
    "3fff::/20": False, "5f00::/16": False, "fc00::/7": False, "fe80::/10": False,
}

# The addresses just outside a row, where no other row holds them.
NEIGHBOURS = {
    "1.0.0.0": True, "9.255.255.255": True, "11.0.0.0": True, "100.63.255.255": True,
    "100.128.0.0": True, "126.255.255.255": True, "128.0.0.0": True,
    "169.253.255.255": True, "169.255.0.0": True, "172.15.255.255": True,
    "172.32.0.0": True, "191.255.255.255": True, "192.0.1.0": True,
    "192.0.0.11": False, "192.0.0.169": False, "192.0.0.172": False,
    "192.0.3.0": True, "192.31.195.255": True, "192.31.197.0": True,
    "192.52.192.255": True, "192.52.194.0": True, "192.88.98.255": True,
    "192.88.100.0": True, "192.167.255.255": True, "192.169.0.0": True,
    "192.175.47.255": True, "192.175.49.0": True, "198.17.255.255": True,
    "198.20.0.0": True, "198.51.99.255": True, "198.51.101.0": True,
    "203.0.112.255": True, "203.0.114.0": True, "223.255.255.255": True,
    "239.255.255.255": False,  # multicast: no page lives there
    "2001:1::": False, "2001:1::4": False, "2001:2:0:1::": False, "2001:200::": True,
    "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff": True, "2001:db9::": True,
    "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff": True, "2003::": True,
    "2620:4f:7fff:ffff:ffff:ffff:ffff:ffff": True, "2620:4f:8001::": True,
    "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff": True, "3fff:1000::": True,
    "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff": False, "4000::": False,
    "fec0::": False, "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff": False,  # site-local
    "ff02::1": False, "100:0:0:1::": False,
}

EDGES = [
    (str(address), block, public)
    for block, public in ROWS.items()
    for address in {ipaddress.ip_network(block)[0], ipaddress.ip_network(block)[-1]}
]


def test_the_table_in_the_code_has_exactly_the_registry_rows_tested_here():
    assert {block for block, _name, _reachable in SPECIAL_PURPOSE} == set(ROWS)


@pytest.mark.parametrize(("address", "block", "public"), EDGES)
def test_each_row_holds_up_to_its_first_and_last_address(address, block, public):
    assert is_public_address(ipaddress.ip_address(address)) is public, block


@pytest.mark.parametrize(("address", "public"), NEIGHBOURS.items())
def test_the_addresses_just_outside_a_row_are_judged_by_what_holds_them(address, public):
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    "address",
    ["192.0.0.192", "192.0.0.1", "192.88.99.1", "fec0::1", "3fff::1", "3fff:abc::1"],
)
def test_the_addresses_the_issue_found_passing_are_refused(address):
    """GIVEN 192.0.0.0/24 (192.0.0.192 was a cloud metadata address), the old
    6to4 relay, site-local and the new documentation prefix THEN all refused."""
    assert is_public_address(ipaddress.ip_address(address)) is False


def test_mapped_addresses_follow_the_registry_inside():
    assert is_public_address(ipaddress.ip_address("::ffff:192.0.0.192")) is False
    assert is_public_address(ipaddress.ip_address("::ffff:192.31.196.1")) is True

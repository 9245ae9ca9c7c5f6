"""CIDR blocks: parsing leniently, comparing in one form, saying what is wrong with one."""

from __future__ import annotations

import functools
import ipaddress

from .tokens import is_token

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOKUP_PLACEHOLDER_CIDR = "1.2.3.4/5"
"""The CIDR ``ec2.Vpc.from_lookup`` returns while its context is still missing (the first
pass of ``cdk synth``, before the CLI has looked the VPC up); no rule may reject it."""


@functools.lru_cache(maxsize=8192)
def parse_network(cidr: str) -> IpNetwork | None:
    """Parse a literal CIDR leniently (host bits allowed); None for tokens and bad text.

    Cached: a mesh checks the same few destinations thousands of times.
    """
    if is_token(cidr):
        return None
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def cidr_problem(text: str, network: IpNetwork | None) -> str | None:
    """Say what keeps a literal destination from being a CIDR block; None when it is one.

    ``network`` is ``parse_network(text)``. The answer completes a sentence: ``"."``, or
    ``": it has no prefix length."``, ``": it has host bits set."``.
    """
    if network is None:
        return "."
    if "/" not in text:
        return ": it has no prefix length."
    try:
        ipaddress.ip_network(text)  # strict: no host bits
    except ValueError:
        return ": it has host bits set."
    return None


@functools.lru_cache(maxsize=8192)
def canonical_cidr(cidr: str) -> str:
    """Return a valid literal CIDR in one form (IPv6 compressed, lower case); else as is.

    For comparisons only (route conflicts, the registry): two spellings of one IPv6 block
    are one destination. Templates keep the user's spelling, so ids do not change.
    """
    if is_token(cidr) or "/" not in cidr:
        return cidr
    try:
        return str(ipaddress.ip_network(cidr))
    except ValueError:
        return cidr  # host bits set, or not a CIDR: the destination rule says so


def is_ipv6(cidr: str) -> bool:
    """Tell whether a literal CIDR is IPv6 (tokens are told apart by the caller).

    Text that is not a CIDR counts as IPv6 when it holds a colon.
    """
    network = parse_network(cidr)
    return isinstance(network, ipaddress.IPv6Network) if network is not None else ":" in cidr


def cover_blocks(
    selected: list[ipaddress.IPv4Network],
    unselected: list[ipaddress.IPv4Network],
    within: list[ipaddress.IPv4Network],
) -> list[ipaddress.IPv4Network]:
    """Return few blocks that cover every ``selected`` block and no ``unselected`` one.

    Each selected block grows to its largest supernet that stays inside one of ``within``
    (the VPC's own blocks, so no route leaves the peer) and overlaps no unselected block;
    the results are collapsed. Adjacent selected subnets of a VPC so become one route
    (two isolated /18 subnets, one /17); space no subnet uses may be covered.
    """
    grown: list[ipaddress.IPv4Network] = []
    for network in sorted(selected):
        container = next((block for block in within if network.subnet_of(block)), None)
        best = network
        while container is not None and best.prefixlen > container.prefixlen:
            wider = best.supernet()
            if any(wider.overlaps(other) for other in unselected):
                break
            best = wider
        grown.append(best)
    return list(ipaddress.collapse_addresses(grown))

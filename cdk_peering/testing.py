"""Assertions on a network's reachability, for an app's own tests.

In the spirit of ``aws_cdk.assertions``: plain functions that raise an ``AssertionError``
whose message is enough to fix the app (the hops, and the first missing piece)::

    from cdk_peering.testing import assert_reachable, assert_not_reachable

    assembly = app.synth()
    assert_reachable(assembly, "Net/App", "orders.example.internal", port=443)
    assert_not_reachable(assembly, "Net/Data", "orders.example.internal", port=443)

Each takes a ``cdk_peering.connectivity.Network``, a cloud assembly (what ``app.synth()``
returns) or the path of one; an assembly is read once per directory and kept while its
``manifest.json`` is unchanged. Standard library only: importing this starts no Node.js.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from .connectivity import Network, Reachability
from .connectivity._assembly import assembly_directory
from .connectivity.report import count

_CACHE_SIZE = 8
_networks: dict[tuple[str, int, int], Network] = {}


def _network(source: object) -> Network:
    if isinstance(source, Network):
        return source
    manifest = assembly_directory(source).resolve() / "manifest.json"
    stat = manifest.stat()
    key = (str(manifest), stat.st_mtime_ns, stat.st_size)
    network = _networks.get(key)
    if network is None:
        network = Network.from_assembly(manifest.parent)
        if len(_networks) >= _CACHE_SIZE:
            del _networks[next(iter(_networks))]
        _networks[key] = network
    return network


def assert_reachable(
    network_or_assembly: Network | os.PathLike[str] | str | object,
    source: str,
    destination: str,
    *,
    port: int | None = None,
    ip_version: int | None = None,
) -> Reachability:
    """Assert that ``source`` reaches every address of ``destination`` and hears back.

    :param network_or_assembly: a ``Network``, a cloud assembly or the path of one.
    :param source: a subnet or VPC path, or an address of a subnet.
    :param destination: a subnet, VPC, endpoint or endpoint-service path, an address or
        CIDR block, or a DNS name.
    :param port: a TCP port the destination's security groups must admit. Default: - any
    :param ip_version: 4 or 6. Default: - IPv4 for paths and names, an address's family
    :returns: the answer, for further checks.
    :raises AssertionError: when it is not reachable (or only partly), or the assembly
        cannot tell; the message shows the answer: what is not reached, the hops and the
        reason.
    """
    __tracebackhide__ = True
    answer = _network(network_or_assembly).reachability(
        source, destination, port=port, ip_version=ip_version
    )
    if not answer.reachable:
        raise AssertionError(f"expected a path there and back, found none.\n{answer}")
    return answer


def assert_not_reachable(
    network_or_assembly: Network | os.PathLike[str] | str | object,
    source: str,
    destination: str,
    *,
    port: int | None = None,
    ip_version: int | None = None,
) -> Reachability:
    """Assert that ``source`` reaches no address of ``destination``.

    Fails when some address is reached (a partial answer too), and also when the answer
    is unknown (a value the assembly does not hold decides it): a test should not pass on a
    guess.

    :param network_or_assembly: a ``Network``, a cloud assembly or the path of one.
    :param source: a subnet or VPC path, or an address of a subnet.
    :param destination: a subnet, VPC, endpoint or endpoint-service path, an address or
        CIDR block, or a DNS name.
    :param port: a TCP port. Default: - any
    :param ip_version: 4 or 6. Default: - IPv4 for paths and names, an address's family
    :returns: the answer, for further checks (its ``reason`` says what blocks the way).
    :raises AssertionError: when it is reachable (wholly or partly) or unknown.
    """
    __tracebackhide__ = True
    answer = _network(network_or_assembly).reachability(
        source, destination, port=port, ip_version=ip_version
    )
    if answer.reachable:
        raise AssertionError(f"expected no path, found one.\n{answer}")
    if answer.partial:
        raise AssertionError(f"expected no path, found one to part of the destination.\n{answer}")
    if answer.unknown or answer.undecided:
        raise AssertionError(
            f"expected no path, but the assembly cannot tell (an unknown value decides it)."
            f"\n{answer}"
        )
    return answer


def assert_intents(network_or_assembly: Network | os.PathLike[str] | str | object) -> None:
    """Assert that the plan satisfies every ``ReachabilityIntent`` the app declares.

    :param network_or_assembly: a ``Network`` (from ``from_assembly``, or
        ``from_deployment`` to check the deployed network), a cloud assembly or its path.
    :raises AssertionError: listing every intent that does not hold, each with its answer
        (an unknown answer holds neither way).
    """
    __tracebackhide__ = True
    failing = [v for v in _network(network_or_assembly).check_intents() if not v.holds]
    if failing:
        shown = "\n".join(str(verdict) for verdict in failing)
        verb = "does" if len(failing) == 1 else "do"
        raise AssertionError(f"{count(len(failing), 'intent')} {verb} not hold:\n{shown}")


def assert_deployed_as_planned(
    assembly: os.PathLike[str] | str | object,
    *,
    roles: Mapping[str, str] | None = None,
    profiles: Mapping[str, str] | None = None,
) -> None:
    """Assert that the deployed network is the one the cloud assembly plans.

    What ``python -m cdk_peering.connectivity verify`` compares, with read-only AWS calls
    (boto3 needed): every declared route with its target and no route added that wins over
    one, peerings active with their options, endpoints available, zones associated,
    network ACL entries, every subnet pair the plan says reaches, every intent.

    :param assembly: what ``app.synth()`` returns, or the path of a cloud assembly.
    :param roles: account id -> the ARN of a role to assume there. Default: - none
    :param profiles: account id -> an AWS profile name for it. Default: - none
    :raises AssertionError: listing every difference.
    :raises ConnectivityError: when an account cannot be read (its account, Region, call).
    """
    __tracebackhide__ = True
    from .connectivity.verify import verify

    result = verify(assembly, roles=roles, profiles=profiles)
    if not result.matches:
        shown = "\n".join(f"  {drift}" for drift in result.drifts)
        ways = count(len(result.drifts), "way")
        raise AssertionError(f"the deployed network differs from the plan in {ways}:\n{shown}")


__all__ = [
    "assert_deployed_as_planned",
    "assert_intents",
    "assert_not_reachable",
    "assert_reachable",
]

"""cdk_peering: VPC peering and PrivateLink as AWS CDK constructs, checked at synth time.

Every public name imports from here (``from cdk_peering import VpcPeering``), but each is
loaded on first use (PEP 562): a synth that uses only ``VpcPeering`` does not load the
PrivateLink, topology or connectivity modules, and ``import cdk_peering.connectivity``
starts no Node.js process at all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import Problem as Problem
    from .errors import ValidationError as ValidationError
    from .intents.intent import ReachabilityIntent as ReachabilityIntent
    from .peering.accepter import VpcPeeringAccepter as VpcPeeringAccepter
    from .peering.accepter_role import PeeringAccepterRole as PeeringAccepterRole
    from .peering.destinations import PeerDestinations as PeerDestinations
    from .peering.dns import PeeringDnsResolution as PeeringDnsResolution
    from .peering.options import PeeringConnectionOptions as PeeringConnectionOptions
    from .peering.security_groups import allow_from_peer as allow_from_peer
    from .peering.side import PeeringSide as PeeringSide
    from .peering.vpc_peering import VpcPeering as VpcPeering
    from .privatelink.endpoint import PrivateLinkEndpoint as PrivateLinkEndpoint
    from .privatelink.service import PrivateLinkService as PrivateLinkService
    from .topology.hub_and_spoke import HubAndSpoke as HubAndSpoke
    from .topology.mesh import PeeringMesh as PeeringMesh
    from .topology.placement import TopologyPlacement as TopologyPlacement

    __version__: str


_MODULES: dict[str, str] = {
    "HubAndSpoke": ".topology.hub_and_spoke",
    "PeerDestinations": ".peering.destinations",
    "PeeringAccepterRole": ".peering.accepter_role",
    "PeeringConnectionOptions": ".peering.options",
    "PeeringDnsResolution": ".peering.dns",
    "PeeringMesh": ".topology.mesh",
    "PeeringSide": ".peering.side",
    "PrivateLinkEndpoint": ".privatelink.endpoint",
    "PrivateLinkService": ".privatelink.service",
    "Problem": ".errors",
    "ReachabilityIntent": ".intents.intent",
    "TopologyPlacement": ".topology.placement",
    "ValidationError": ".errors",
    "VpcPeering": ".peering.vpc_peering",
    "VpcPeeringAccepter": ".peering.accepter",
    "allow_from_peer": ".peering.security_groups",
}
"""Each public name and the module that defines it."""

__all__ = [
    "HubAndSpoke",
    "PeerDestinations",
    "PeeringAccepterRole",
    "PeeringConnectionOptions",
    "PeeringDnsResolution",
    "PeeringMesh",
    "PeeringSide",
    "PrivateLinkEndpoint",
    "PrivateLinkService",
    "Problem",
    "ReachabilityIntent",
    "TopologyPlacement",
    "ValidationError",
    "VpcPeering",
    "VpcPeeringAccepter",
    "allow_from_peer",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use, then keep the name here."""
    if name == "__version__":  # written once, in pyproject.toml
        from importlib.metadata import version

        return version("cdk-peering")
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

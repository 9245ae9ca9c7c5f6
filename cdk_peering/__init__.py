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
    from .accepter_role import PeeringAccepterRole as PeeringAccepterRole
    from .dns import PeeringDnsResolution as PeeringDnsResolution
    from .dns import PeeringSide as PeeringSide
    from .errors import Problem as Problem
    from .errors import ValidationError as ValidationError
    from .peering import PeerDestinations as PeerDestinations
    from .peering import VpcPeering as VpcPeering
    from .peering import VpcPeeringAccepter as VpcPeeringAccepter
    from .privatelink_endpoint import PrivateLinkEndpoint as PrivateLinkEndpoint
    from .privatelink_service import PrivateLinkService as PrivateLinkService
    from .security_groups import allow_from_peer as allow_from_peer
    from .topology import HubAndSpoke as HubAndSpoke
    from .topology import PeeringMesh as PeeringMesh
    from .topology import TopologyPlacement as TopologyPlacement

_MODULES: dict[str, str] = {
    "HubAndSpoke": ".topology",
    "PeerDestinations": ".peering",
    "PeeringAccepterRole": ".accepter_role",
    "PeeringDnsResolution": ".dns",
    "PeeringMesh": ".topology",
    "PeeringSide": ".dns",
    "PrivateLinkEndpoint": ".privatelink_endpoint",
    "PrivateLinkService": ".privatelink_service",
    "Problem": ".errors",
    "TopologyPlacement": ".topology",
    "ValidationError": ".errors",
    "VpcPeering": ".peering",
    "VpcPeeringAccepter": ".peering",
    "allow_from_peer": ".security_groups",
}
"""Each public name and the module that defines it."""

__all__ = [
    "HubAndSpoke",
    "PeerDestinations",
    "PeeringAccepterRole",
    "PeeringDnsResolution",
    "PeeringMesh",
    "PeeringSide",
    "PrivateLinkEndpoint",
    "PrivateLinkService",
    "Problem",
    "TopologyPlacement",
    "ValidationError",
    "VpcPeering",
    "VpcPeeringAccepter",
    "allow_from_peer",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use, then keep the name here."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

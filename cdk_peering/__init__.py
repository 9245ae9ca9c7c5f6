"""cdk_peering: VPC peering and PrivateLink as AWS CDK constructs, checked at synth time."""

from .accepter_role import PeeringAccepterRole
from .dns import PeeringDnsResolution, PeeringSide
from .errors import Problem, ValidationError
from .peering import PeerDestinations, VpcPeering, VpcPeeringAccepter
from .privatelink_endpoint import PrivateLinkEndpoint
from .privatelink_service import PrivateLinkService
from .security_groups import allow_from_peer
from .topology import HubAndSpoke, PeeringMesh, TopologyPlacement

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

"""cdk_peering: VPC peering and PrivateLink as AWS CDK constructs, checked at synth time."""

from .accepter_role import PeeringAccepterRole
from .dns import PeeringDnsResolution, PeeringSide
from .errors import Problem, ValidationError
from .peering import PeerDestinations, VpcPeering, VpcPeeringAccepter
from .privatelink_endpoint import PrivateLinkEndpoint
from .privatelink_service import PrivateLinkService
from .security_groups import allow_from_peer

__all__ = [
    "PeerDestinations",
    "PeeringAccepterRole",
    "PeeringDnsResolution",
    "PeeringSide",
    "PrivateLinkEndpoint",
    "PrivateLinkService",
    "Problem",
    "ValidationError",
    "VpcPeering",
    "VpcPeeringAccepter",
    "allow_from_peer",
]

"""cdk_peering: VPC peering and PrivateLink as AWS CDK constructs, checked at synth time."""

from .errors import Problem, ValidationError
from .peering import PeerDestinations, VpcPeering

__all__ = ["PeerDestinations", "Problem", "ValidationError", "VpcPeering"]

"""VPC peering: one connection with its routes, and what goes with it.

VpcPeering, VpcPeeringAccepter, PeerDestinations, the accepter role, DNS options over
peering, and security group rules between peered VPCs.
"""

from __future__ import annotations

from .accepter import VpcPeeringAccepter
from .destinations import PeerDestinations
from .vpc_peering import VpcPeering

__all__ = ["PeerDestinations", "VpcPeering", "VpcPeeringAccepter"]

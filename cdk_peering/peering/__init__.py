"""VPC peering: one connection with its routes, and what goes with it.

VpcPeering, VpcPeeringAccepter, PeerDestinations, the accepter role, DNS options over
peering, and security group rules between peered VPCs. Each module loads on first use.
"""

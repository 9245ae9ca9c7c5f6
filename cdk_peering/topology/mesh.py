"""PeeringMesh: every pair of the given VPCs peered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from .. import rule_ids
from ..cdk import params
from ..cdk.app_context import child_path
from ..cdk.params import require
from ..findings import Finding
from .builder import Topology, shared_parameters
from .placement import TopologyPlacement

if TYPE_CHECKING:
    from ..peering.accepter_role import PeeringAccepterRole


class PeeringMesh(Topology):
    """A full mesh: every pair of the given VPCs peered, with routes on both sides.

    For each pair, the VPC listed first requests the connection and the other accepts it
    (so reordering the list replaces connections; adding or removing VPCs does not).
    Every route table of the selected subnets of each VPC gets a route to every CIDR
    block of every other VPC (and their IPv6 blocks when both are dual-stack). The VPCs
    may be in any mix of accounts and regions.

    The whole mesh is checked before anything is built: overlapping CIDRs among all the
    VPCs, peerings per VPC and routes per route table against the quotas, and everything
    :class:`VpcPeering` checks. One :class:`ValidationError` lists every problem.

    By default each VPC gets stacks of its own, in its account and region, made by the
    library as children of this construct: ``<this stack>-<id>-<VPC>Requests`` (the
    connections it requests and its routes through them) and ``...-<VPC>Accepts`` (its
    routes through the others' connections), and ``...-<VPC>Options`` when it has
    connection options or accepts connections across accounts or Regions (whose view in
    its account and Region it names after the pair and tags as ``Tags.of()`` tags the
    connection); see :class:`TopologyPlacement`. Logical ids
    do not change when VPCs are added or removed. A full mesh of n VPCs has n(n-1)/2
    connections: AWS allows at most 125 per VPC, so a mesh has at most 126 VPCs.

    Example::

        PeeringMesh(self, "Mesh", vpcs=[app_vpc, data_vpc, shared_vpc])
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpcs: Sequence[ec2.IVpc],
        subnets: ec2.SubnetSelection | None = None,
        accepter_roles: Mapping[str, PeeringAccepterRole | iam.IRole] | None = None,
        placement: TopologyPlacement | None = None,
        peerings_per_vpc_quota: int | None = None,
        routes_per_route_table_quota: int | None = None,
        multipath_resilience: bool | None = None,
        assume_role_region: str | None = None,
        default_routes: bool | None = None,
    ) -> None:
        """Define a full mesh of VPC peerings.

        :param scope: the parent construct.
        :param id: the construct id (part of the names of the stacks it makes).
        :param vpcs: the VPCs to peer, at least two; each pair is requested by the one
            listed first.
        :param subnets: the subnets (in every VPC) whose route tables get routes.
            Default: - every subnet of each VPC, each route table once.
        :param accepter_roles: for peerings across accounts, the role CloudFormation
            assumes in each accepter account, by account id. Default: - none; required
            for every account that accepts a peering from another account.
        :param placement: where the connections and routes go.
            Default: TopologyPlacement.STACK_PER_VPC.
        :param peerings_per_vpc_quota: your account's active peerings per VPC quota, when
            raised. Default: - context ``cdk-peering:activePeeringsPerVpcQuota``, else 50.
        :param routes_per_route_table_quota: your routes per route table quota, when
            raised. Default: - context ``cdk-peering:routesPerRouteTableQuota``, else 50.
        :param multipath_resilience: allow multipath resilience (mode ``always-on``) on both
            sides of every inter-Region pair, each side in its own account and Region (a
            custom resource in that VPC's ``<VPC>Options`` stack). Pairs within one Region
            are left as they are; a topology with no inter-Region pair is an error. Only
            between Regions AWS supports for it (no published list the library could
            check); additional charges apply while it is in effect (see Amazon VPC
            pricing). ``False`` turns it off where it was on. Default: - not managed.
        :param assume_role_region: the Region of the STS endpoint CloudFormation calls to
            assume each accepter role (``AssumeRoleRegion``), for every pair across
            accounts (an error when no pair crosses accounts). Default: - per pair, the
            requester's Region when either Region is an opt-in Region; otherwise not
            written. See ``VpcPeering``.
        :param default_routes: route the selected subnets' route tables of every pair
            through its connection. With ``False`` the mesh makes the connections (and
            their options) only: route by hand through ``peering_connection_id(...)``;
            ``subnets`` is then an error. Default: true.
        :raises ValidationError: listing every problem of the mesh.
        """
        require(
            scope,
            id,
            [
                ("vpcs", vpcs, params.VPCS, True),
                ("subnets", subnets, params.SUBNET_SELECTION, False),
                *shared_parameters(
                    accepter_roles=accepter_roles,
                    placement=placement,
                    multipath_resilience=multipath_resilience,
                    assume_role_region=assume_role_region,
                    peerings_per_vpc_quota=peerings_per_vpc_quota,
                    routes_per_route_table_quota=routes_per_route_table_quota,
                    default_routes=default_routes,
                ),
            ],
            in_stack=True,
        )
        problems: list[Finding] = []
        if len(vpcs) < 2:
            problems.append(
                Finding(
                    child_path(scope.node.path, id),
                    rule_ids.MESH_TOO_SMALL,
                    f"A mesh needs at least two VPCs; {len(vpcs)} given.",
                    "Give two or more VPCs.",
                )
            )
        count = len(vpcs)
        super().__init__(
            scope,
            id,
            vpcs=vpcs,
            vpc_params=[f"vpcs[{i}]" for i in range(count)],
            pairs=[(i, j) for i in range(count) for j in range(i + 1, count)],
            subnets=[subnets] * count,
            accepter_roles=accepter_roles,
            placement=placement,
            peerings_per_vpc_quota=peerings_per_vpc_quota,
            routes_per_route_table_quota=routes_per_route_table_quota,
            multipath_resilience=multipath_resilience,
            assume_role_region=assume_role_region,
            default_routes=default_routes,
            subnet_options={"subnets": subnets},
            problems=problems,
        )
        self.vpcs: list[ec2.IVpc] = list(vpcs)
        """The VPCs of the mesh."""

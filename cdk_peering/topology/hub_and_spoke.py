"""HubAndSpoke: a hub VPC peered with each spoke VPC."""

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


class HubAndSpoke(Topology):
    """A hub VPC peered with each spoke VPC; the spokes are not peered with each other.

    VPC peering is not transitive: a spoke reaches the hub, never another spoke through
    it, so the spokes get routes to the hub's CIDR blocks only and the hub gets routes to
    every spoke. For spoke-to-spoke traffic, use a :class:`PeeringMesh` or a transit
    gateway. The hub requests every connection; spokes may be in other accounts and
    regions. AWS allows at most 125 peerings per VPC, so at most 125 spokes.

    Checked and placed like :class:`PeeringMesh`: one error lists every problem, and by
    default the hub gets a Requests stack and each spoke an Accepts stack.

    Example::

        HubAndSpoke(self, "Shared", hub=shared_vpc, spokes=[app_vpc, data_vpc])
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        hub: ec2.IVpc,
        spokes: Sequence[ec2.IVpc],
        hub_subnets: ec2.SubnetSelection | None = None,
        spoke_subnets: ec2.SubnetSelection | None = None,
        accepter_roles: Mapping[str, PeeringAccepterRole | iam.IRole] | None = None,
        placement: TopologyPlacement | None = None,
        peerings_per_vpc_quota: int | None = None,
        routes_per_route_table_quota: int | None = None,
        multipath_resilience: bool | None = None,
        assume_role_region: str | None = None,
        default_routes: bool | None = None,
    ) -> None:
        """Define a hub VPC peered with each spoke.

        :param scope: the parent construct.
        :param id: the construct id.
        :param hub: the VPC every spoke is peered with; it requests each connection.
        :param spokes: the spoke VPCs, at least one.
        :param hub_subnets: the hub subnets whose route tables get routes to the spokes.
            Default: - every subnet of the hub.
        :param spoke_subnets: the subnets of each spoke whose route tables get routes to
            the hub. Default: - every subnet of each spoke.
        :param accepter_roles: for spokes in other accounts, the role CloudFormation
            assumes in each spoke account, by account id. Default: - none.
        :param placement: where the connections and routes go.
            Default: TopologyPlacement.STACK_PER_VPC.
        :param peerings_per_vpc_quota: as for ``PeeringMesh``.
        :param routes_per_route_table_quota: as for ``PeeringMesh``.
        :param multipath_resilience: as for ``PeeringMesh``: on both sides of every
            inter-Region hub-spoke pair. Default: - not managed.
        :param assume_role_region: as for ``PeeringMesh``: for every spoke in another
            account. Default: - the hub's Region when either Region is opt-in.
        :param default_routes: as for ``PeeringMesh``: with ``False`` the connections only
            (``hub_subnets`` and ``spoke_subnets`` are then an error). Default: true.
        :raises ValidationError: listing every problem of the topology.
        """
        require(
            scope,
            id,
            [
                ("hub", hub, params.VPC, True),
                ("spokes", spokes, params.VPCS, True),
                ("hub_subnets", hub_subnets, params.SUBNET_SELECTION, False),
                ("spoke_subnets", spoke_subnets, params.SUBNET_SELECTION, False),
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
        if not spokes:
            problems.append(
                Finding(
                    child_path(scope.node.path, id),
                    rule_ids.NO_SPOKES,
                    "HubAndSpoke needs at least one spoke; none given.",
                    "Give one or more spoke VPCs.",
                )
            )
        vpcs = [hub, *spokes]
        super().__init__(
            scope,
            id,
            vpcs=vpcs,
            vpc_params=["hub", *(f"spokes[{i}]" for i in range(len(spokes)))],
            pairs=[(0, j) for j in range(1, len(vpcs))],
            subnets=[hub_subnets] + [spoke_subnets] * len(spokes),
            accepter_roles=accepter_roles,
            placement=placement,
            peerings_per_vpc_quota=peerings_per_vpc_quota,
            routes_per_route_table_quota=routes_per_route_table_quota,
            multipath_resilience=multipath_resilience,
            assume_role_region=assume_role_region,
            default_routes=default_routes,
            subnet_options={"hub_subnets": hub_subnets, "spoke_subnets": spoke_subnets},
            problems=problems,
        )
        self.hub = hub
        """The hub VPC."""
        self.spokes: list[ec2.IVpc] = list(spokes)
        """The spoke VPCs."""

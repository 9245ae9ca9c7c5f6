"""Every rule id of cdk_peering, and a catalogue of what each rejects or warns about.

Rule ids are part of the public contract: they head every error (``(cdk_peering:...)``)
and are the ids users acknowledge warnings by. Code names them by these constants only;
``CATALOGUE`` lists each with its kind and summary, and a test holds it equal to the
rules table in docs/rules.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["error", "warning"]


@dataclass(frozen=True)
class RuleInfo:
    """One rule: its id, whether it is an error or a warning, and what it finds."""

    id: str
    kind: Kind
    summary: str


CATALOGUE: dict[str, RuleInfo] = {}
"""Every rule, by id, in the order of docs/rules.md."""


def _rule(name: str, kind: Kind, summary: str) -> str:
    rule_id = f"cdk_peering:{name}"
    assert rule_id not in CATALOGUE, rule_id
    CATALOGUE[rule_id] = RuleInfo(rule_id, kind, summary)
    return rule_id


# --- every construct: its parameters --------------------------------------------------
INVALID_PARAMETER_TYPE = _rule(
    "invalidParameterType",
    "error",
    "a public parameter of the wrong type, or None where a value is required",
)
INVALID_NAME_TAG = _rule(
    "invalidNameTag", "error", "a Name tag over 256 characters or with characters AWS refuses"
)

# --- peering: the AWS rules -----------------------------------------------------------
SELF_PEERING = _rule("selfPeering", "error", "a VPC peered with itself")
DUPLICATE_PEERING = _rule(
    "duplicatePeering", "error", "a second peering between the same two VPCs in one app"
)
OVERLAPPING_IPV4_CIDRS = _rule(
    "overlappingIpv4Cidrs", "error", "an IPv4 block of one VPC overlapping one of the other's"
)
OVERLAPPING_IPV6_CIDRS = _rule(
    "overlappingIpv6Cidrs", "error", "an IPv6 block of one VPC overlapping one of the other's"
)
TRANSITIVE_ROUTE = _rule("transitiveRoute", "error", "a route destination outside the peer VPC")
EDGE_TO_EDGE_ROUTE = _rule("edgeToEdgeRoute", "error", "0.0.0.0/0 or ::/0 through a peering")
INVALID_DESTINATION = _rule(
    "invalidDestination",
    "error",
    "a destination that is not a CIDR block as EC2 takes it (host bits, no prefix length)",
)
DUPLICATE_ROUTE_DESTINATION = _rule(
    "duplicateRouteDestination", "error", "two peering routes to one destination in one table"
)
OVERLAPPING_DESTINATIONS = _rule(
    "overlappingDestinations",
    "warning",
    "two peering routes in one table to overlapping blocks: the longer prefix wins",
)
PEERING_QUOTA_EXCEEDED = _rule(
    "peeringQuotaExceeded", "error", "more than 125 peerings on one VPC (the AWS maximum)"
)
PEERING_QUOTA = _rule(
    "peeringQuota", "warning", "more peerings on one VPC than the declared quota (default 50)"
)
ROUTE_QUOTA_EXCEEDED = _rule(
    "routeQuotaExceeded", "error", "more than 1,000 peering routes in one route table"
)
ROUTE_QUOTA = _rule(
    "routeQuota", "warning", "more peering routes in one table than the declared quota"
)
RETURN_ROUTES_OVER_QUOTA = _rule(
    "returnRoutesOverQuota",
    "error",
    "routes to a peer's selected subnets (the two-way default) over a route quota that "
    "whole-VPC routes fit",
)
ONE_WAY_ROUTE = _rule(
    "oneWayRoute",
    "warning",
    "a route into a peer whose destination subnets have no route back through the peering",
)
INVALID_QUOTA = _rule(
    "invalidQuota", "error", "a declared quota below the AWS default or above the maximum"
)
EMPTY_SUBNET_SELECTION = _rule(
    "emptySubnetSelection", "error", "a subnet selection that matches no subnet"
)
SUBNET_OF_ANOTHER_VPC = _rule(
    "subnetOfAnotherVpc",
    "error",
    "a subnet selection whose explicit subnets (subnets=[...]) are another VPC's",
)
VPC_WITHOUT_SUBNETS = _rule(
    "vpcWithoutSubnets",
    "warning",
    "a VPC with no subnet the library can read: its side gets no default route",
)
ROUTE_OPTIONS_WITHOUT_DEFAULT_ROUTES = _rule(
    "routeOptionsWithoutDefaultRoutes",
    "error",
    "subnets or destinations given with default_routes=False, which makes no route to shape",
)
UNKNOWN_ROUTE_TABLE = _rule(
    "unknownRouteTable", "error", "an imported subnet without the route table needed"
)
UNKNOWN_SUBNET_CIDR = _rule(
    "unknownSubnetCidr", "error", "an imported subnet without the CIDR needed"
)
UNKNOWN_VPC_CIDR = _rule(
    "unknownVpcCidr",
    "error",
    "a VPC imported without vpc_cidr_block where the library needs its CIDR blocks",
)
AMBIGUOUS_DESTINATIONS = _rule(
    "ambiguousDestinations", "error", "a PeerDestinations that names both subnets and CIDRs"
)
NO_DESTINATIONS = _rule("noDestinations", "error", "a PeerDestinations that names no CIDR")
OVERLAP_NOT_CHECKED = _rule(
    "overlapNotChecked", "warning", "overlap check skipped: a CIDR is an unresolved token"
)
DESTINATION_NOT_CHECKED = _rule(
    "destinationNotChecked", "warning", "a destination that cannot be confirmed inside the peer"
)
CIDR_BLOCK_AFTER_PEERING = _rule(
    "cidrBlockAfterPeering",
    "error",
    "a CIDR block added to a VPC after a peering that it makes overlapping (at synth)",
)
CIDR_BLOCK_NOT_ROUTED = _rule(
    "cidrBlockNotRouted",
    "warning",
    "a CIDR block added to a VPC after a peering whose default routes to it miss the block "
    "(at synth)",
)
ROUTE_TABLE_OF_ANOTHER_VPC = _rule(
    "routeTableOfAnotherVpc", "error", "add_route with a route table of neither VPC of the side"
)
INVALID_ROUTE_TABLE = _rule(
    "invalidRouteTable",
    "error",
    "add_route with a route_table that is no route table (a subnet's id, another resource's)",
)
ROUTE_ID_TAKEN = _rule(
    "routeIdTaken", "error", "add_route with an id a construct of that side already has"
)
SIDE_NOT_MANAGED = _rule(
    "sideNotManaged", "error", "add_route on a side of the peering the app does not manage"
)
UNROUTABLE_BLOCK = _rule(
    "unroutableBlock", "warning", "an IPAM-allocated block whose CIDR CloudFormation cannot tell"
)

# --- peering: where the parts go (regions, accounts, roles) ---------------------------
REQUESTER_ENVIRONMENT = _rule(
    "requesterEnvironment",
    "error",
    "a VpcPeering in a stack of another account or region than its requester VPC",
)
REQUESTER_ENVIRONMENT_UNKNOWN = _rule(
    "requesterEnvironmentUnknown",
    "error",
    "an accepter in a known account or region while the peering's stack is environment-agnostic",
)
MIXED_ENVIRONMENTS = _rule(
    "mixedEnvironments",
    "error",
    "a VPC of an environment-agnostic stack peered with one of a stack with an explicit "
    "environment, either way, by a VpcPeering or a topology (or an accepter_scope or "
    "VpcPeeringAccepter of the other kind of environment)",
)
ACCEPTER_ENVIRONMENT = _rule(
    "accepterEnvironment",
    "error",
    "a VpcPeeringAccepter outside the accepter VPC's account and region",
)
ACCEPTER_ENVIRONMENT_CONTRADICTED = _rule(
    "accepterEnvironmentContradicted",
    "error",
    "an accepter_account or accepter_region that contradicts the accepter VPC's own stack "
    "(or the Region it was imported with)",
)
ACCEPTER_ROLE_MISSING = _rule(
    "accepterRoleMissing", "error", "a cross-account peering without an accepter role"
)
ACCEPTER_ROLE_NOT_NEEDED = _rule(
    "accepterRoleNotNeeded", "error", "an accepter role for a same-account peering"
)
ACCEPTER_ROLE_MISMATCH = _rule(
    "accepterRoleMismatch", "error", "an accepter role that cannot accept the peering"
)
ACCEPTER_SCOPE_ENVIRONMENT = _rule(
    "accepterScopeEnvironment", "error", "an accepter_scope in the wrong account or region"
)
ACCEPTER_SCOPE_CYCLE = _rule(
    "accepterScopeCycle",
    "error",
    "an accepter_scope in a stack the connection's stack deploys after (a cycle)",
)
DEPENDENCY_CYCLE = _rule(
    "dependencyCycle",
    "error",
    "a VpcPeering or PrivateLinkEndpoint whose stack would read a stack that deploys after "
    "it already (a stack dependency cycle)",
)
ACCEPTER_SIDE_CLASH = _rule(
    "accepterSideClash", "error", "two accepter sides that would get the same id in one stack"
)
REQUESTER_ONLY_WITH_ACCEPTER_OPTIONS = _rule(
    "requesterOnlyWithAccepterOptions", "error", "an accepter-side option with requester_only"
)
DNS_WITHOUT_ACCEPTER_SIDE = _rule(
    "dnsWithoutAccepterSide", "error", "requester_resolves_accepter_dns with requester_only"
)
DNS_DISABLED = _rule(
    "dnsDisabled", "error", "a DNS option when a VPC of the app has DNS support or host names off"
)
INTER_REGION_SECURITY_GROUP_REFERENCE = _rule(
    "interRegionSecurityGroupReference",
    "error",
    "a security group rule referencing a group of an inter-region peer (at synth)",
)
ALLOW_FROM_UNPEERED_VPC = _rule(
    "allowFromUnpeeredVpc",
    "warning",
    "allow_from_peer with a VPC that no peering of the app joins to the group's VPC (at synth)",
)
CIDR_BLOCK_NOT_ALLOWED = _rule(
    "cidrBlockNotAllowed",
    "warning",
    "a CIDR block added to a VPC after allow_from_peer opened a security group to it: no "
    "rule admits the block (at synth)",
)
INVALID_PEERING_CONNECTION_ID = _rule(
    "invalidPeeringConnectionId", "error", "a peering connection id that is not pcx-..."
)
INVALID_PEERING_SIDE = _rule(
    "invalidPeeringSide", "error", "a PeeringDnsResolution side that is not a PeeringSide"
)

# --- peering: the connection's options, STS region and the accepter's view ------------
NO_CONNECTION_OPTIONS = _rule(
    "noConnectionOptions", "error", "a PeeringConnectionOptions that sets no option"
)
MULTIPATH_WITHIN_REGION = _rule(
    "multipathWithinRegion",
    "error",
    "multipath resilience on a peering (or a topology) with no pair known to cross Regions",
)
MULTIPATH_WITHOUT_ACCEPTER_SIDE = _rule(
    "multipathWithoutAccepterSide",
    "warning",
    "multipath resilience with requester_only: the accepter's owner must allow it as well",
)
INVALID_ASSUME_ROLE_REGION = _rule(
    "invalidAssumeRoleRegion", "error", "an assume_role_region that is no AWS Region"
)
ASSUME_ROLE_REGION_WITHOUT_ROLE = _rule(
    "assumeRoleRegionWithoutRole",
    "error",
    "assume_role_region on a peering (or a topology) with no cross-account role to assume",
)

# --- PeeringAccepterRole --------------------------------------------------------------
INVALID_ACCOUNT = _rule(
    "invalidAccount",
    "error",
    "a requester account (PeeringAccepterRole) or accepter_account that is not 12 digits",
)
INVALID_VPC_ID = _rule("invalidVpcId", "error", "a requester VPC id that is not vpc-...")
INVALID_REGION = _rule(
    "invalidRegion",
    "error",
    "a requester region (PeeringAccepterRole) or accepter_region that is no Region's name",
)
ROLE_NOT_NEEDED = _rule("roleNotNeeded", "error", "a PeeringAccepterRole trusting its own account")
ACCEPTER_VPC_ELSEWHERE = _rule(
    "accepterVpcElsewhere",
    "error",
    "a PeeringAccepterRole for a VPC of another account or region",
)
INVALID_TRUSTED_PRINCIPAL = _rule(
    "invalidTrustedPrincipal",
    "error",
    "a trusted principal ARN that is no IAM role, user or root of the requester account",
)
REQUESTER_DEPLOYER_UNKNOWN = _rule(
    "requesterDeployerUnknown",
    "error",
    "a PeeringAccepterRole whose requester stack's deployer cannot be told",
)

# --- topologies -----------------------------------------------------------------------
VPC_LISTED_TWICE = _rule("vpcListedTwice", "error", "a topology listing a VPC twice")
VPC_NAME_CLASH = _rule("vpcNameClash", "error", "two VPCs of a topology whose names clash")
MESH_TOO_SMALL = _rule("meshTooSmall", "error", "a mesh of fewer than two VPCs")
NO_SPOKES = _rule("noSpokes", "error", "a hub and spoke without spokes")
ROUTE_ID_CLASH = _rule(
    "routeIdClash", "error", "two routes of a topology whose ids would read the same"
)
SIDE_TOO_LARGE = _rule("sideTooLarge", "error", "one route table's routes beyond a stack")
TOO_MANY_OUTPUTS = _rule("tooManyOutputs", "error", "more than 200 outputs in a VPCs' stack")
SCOPE_ENVIRONMENT = _rule(
    "scopeEnvironment", "error", "placement=SCOPE with a VPC of another environment"
)
OPTIONS_TOO_LARGE = _rule(
    "optionsTooLarge",
    "error",
    "more connection options and tags for one VPC of a topology than a stack holds",
)
TOPOLOGY_TOO_LARGE_FOR_SCOPE = _rule(
    "topologyTooLargeForScope", "error", "placement=SCOPE with more than 450 resources"
)
HANDLER_POLICIES_TOO_LARGE = _rule(
    "handlerPoliciesTooLarge",
    "error",
    "more custom resources in one stack than its deploy-time functions' roles hold",
)

# --- PrivateLinkService ---------------------------------------------------------------
NO_LISTENER_PORT = _rule("noListenerPort", "error", "a PrivateLinkService without a port")
PORT_OUT_OF_RANGE = _rule(
    "portOutOfRange", "error", "a listener port outside 1-65535 (the service's ports)"
)
DUPLICATE_LISTENER_PORT = _rule("duplicateListenerPort", "error", "a listener port given twice")
UNKNOWN_LISTENER_PORT = _rule(
    "unknownListenerPort", "error", "targets for a port the service does not listen on"
)
TARGET_TYPE_MISMATCH = _rule(
    "targetTypeMismatch", "error", "add_targets with targets of another type than the group's"
)
ALLOWED_REGION_IS_OWN_REGION = _rule(
    "allowedRegionIsOwnRegion", "error", "allowed regions naming the service's own region"
)
UNKNOWN_REGION = _rule("unknownRegion", "error", "allowed regions naming no AWS region")
PUBLIC_SUBNETS_FOR_INTERNAL_NLB = _rule(
    "publicSubnetsForInternalNlb", "error", "public subnets for the internal load balancer"
)
INVALID_CLIENT_CIDR = _rule("invalidClientCidr", "error", "a client CIDR that is not one")
ALL_PRINCIPALS_WITHOUT_OPT_IN = _rule(
    "allPrincipalsWithoutOptIn", "error", "a * principal without allow_all_principals=True"
)
ENDPOINT_SERVICE_OPEN_TO_ALL = _rule(
    "endpointServiceOpenToAll", "warning", "allow_all_principals=True"
)
ENDPOINT_SERVICE_IPV6_WITHOUT_VPC_IPV6 = _rule(
    "endpointServiceIpv6WithoutVpcIpv6", "error", "IPv6 support in a VPC without IPv6"
)
HOSTED_ZONE_WITHOUT_PRIVATE_DNS_NAME = _rule(
    "hostedZoneWithoutPrivateDnsName", "error", "a public zone without a private DNS name"
)
PRIVATE_DNS_NAME_OUTSIDE_ZONE = _rule(
    "privateDnsNameOutsideZone", "error", "a private DNS name outside its public zone"
)
ACCEPTANCE_ENVIRONMENT_UNKNOWN = _rule(
    "acceptanceEnvironmentUnknown",
    "error",
    "accepting an endpoint when one of its stack and the service's is environment-agnostic",
)

# --- PrivateLinkEndpoint --------------------------------------------------------------
PRIVATE_DNS_CONFLICT = _rule(
    "privateDnsConflict", "error", "private DNS together with a hosted zone of the same name"
)
DNS_NAME_OUTSIDE_ZONE = _rule("dnsNameOutsideZone", "error", "a dns_name outside zone_name")
DNS_NAME_MISSING = _rule("dnsNameMissing", "error", "a zone or DNS VPCs without dns_name")
INVALID_DNS_NAME = _rule(
    "invalidDnsName",
    "error",
    "a dns_name, zone_name or private_dns_name that is no DNS name a hosted zone can hold",
)
CONFLICTING_PRIVATE_ZONE = _rule(
    "conflictingPrivateZone",
    "error",
    "two endpoints' private hosted zones of one name associated with one VPC",
)
PEERING_NOT_FROM_ENDPOINT_VPC = _rule(
    "peeringNotFromEndpointVpc", "error", "a served peering without the endpoint's VPC"
)
INVALID_PORT = _rule("invalidPort", "error", "an endpoint port outside 1-65535")
INVALID_SERVICE_NAME = _rule(
    "invalidServiceName",
    "error",
    "an endpoint's service name that names no endpoint service or AWS service",
)
SERVICE_NAME_NOT_CHECKED = _rule(
    "serviceNameNotChecked", "warning", "an endpoint's service name that is a token"
)
PORT_NOT_OFFERED = _rule("portNotOffered", "error", "an endpoint port the service does not offer")
SERVICE_REGION_MISMATCH = _rule(
    "serviceRegionMismatch", "error", "a service_region other than the service's"
)
ENDPOINT_IPV6_WITHOUT_VPC_IPV6 = _rule(
    "endpointIpv6WithoutVpcIpv6", "error", "an IPv6 or dual-stack endpoint in a VPC without IPv6"
)
ENDPOINT_REGION_NOT_ALLOWED = _rule(
    "endpointRegionNotAllowed", "error", "an endpoint in a region the service does not allow"
)
ENDPOINT_ACCOUNT_NOT_ALLOWED = _rule(
    "endpointAccountNotAllowed", "error", "an endpoint in an account the service does not allow"
)
ACCEPTANCE_OUTSIDE_APP = _rule(
    "acceptanceOutsideApp",
    "error",
    "accept_connection=True for a service that is no PrivateLinkService of the app",
)
DNS_VPC_WITHOUT_PATH = _rule(
    "dnsVpcWithoutPath", "warning", "a DNS VPC with no peering to the endpoint's VPC"
)
ZONE_ASSOCIATION_ENVIRONMENT_UNKNOWN = _rule(
    "zoneAssociationEnvironmentUnknown",
    "error",
    "a DNS VPC whose account or region, or the zone's, an environment-agnostic stack hides",
)
ZONE_NAMED_FOR_PUBLIC_NAME_SPACE = _rule(
    "zoneNamedForPublicNameSpace",
    "warning",
    "a private hosted zone named for a top-level domain or public suffix, in another account",
)
ZONE_OWNER_TAGS_EXCEEDED = _rule(
    "zoneOwnerTagsExceeded",
    "error",
    "a private hosted zone whose own tags and owners' tags pass Route 53's 10 tags (at synth)",
)

# --- ReachabilityIntent ---------------------------------------------------------------
INTENT_PATH_NOT_FOUND = _rule(
    "intentPathNotFound",
    "error",
    "a ReachabilityIntent whose source or destination path names no construct of the app",
)
INVALID_INTENT = _rule(
    "invalidIntent",
    "error",
    "a ReachabilityIntent outside a stack, or with a malformed address, port or IP version, "
    "addresses of two IP versions, or a path of a construct the question does not take",
)

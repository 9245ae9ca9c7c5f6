"""Every public parameter is checked at the boundary: a wrong type or None is a
ValidationError naming the construct path, the parameter, the type and the value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Annotations, Match
from constructs import Construct

from cdk_peering import (
    HubAndSpoke,
    PeerDestinations,
    PeeringAccepterRole,
    PeeringDnsResolution,
    PeeringMesh,
    PeeringSide,
    PrivateLinkEndpoint,
    PrivateLinkService,
    TopologyPlacement,
    ValidationError,
    VpcPeering,
    VpcPeeringAccepter,
    allow_from_peer,
    rule_ids,
)
from tests.conftest import ENV, new_app
from tests.helpers import make_vpc, warnings_on

SERVICE_NAME = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"


@pytest.fixture
def net() -> tuple[cdk.Stack, ec2.Vpc, ec2.Vpc]:
    stack = cdk.Stack(new_app(), "Net", env=ENV)
    return stack, make_vpc(stack, "A", "10.0.0.0/16"), make_vpc(stack, "B", "10.1.0.0/16")


def _problem(raised: pytest.ExceptionInfo[ValidationError]) -> tuple[str, str, str]:
    [problem] = raised.value.problems
    assert problem.rule == rule_ids.INVALID_PARAMETER_TYPE
    return problem.path, problem.message, problem.fix


Build = Callable[[cdk.Stack, ec2.Vpc, ec2.Vpc], object]


def untyped(constructor: object) -> Any:
    """The constructor, called with wrong types on purpose."""
    return constructor


CASES: dict[str, tuple[Build, str, str]] = {
    # case: (the call, the message, the expected type in the fix)
    "a string for a VPC": (
        lambda s, a, b: untyped(VpcPeering)(s, "P", requester_vpc="vpc-0123", accepter_vpc=b),
        "requester_vpc is 'vpc-0123' (a str), but it must be an ec2.IVpc.",
        "Give requester_vpc as an ec2.IVpc, for example ec2.Vpc(...) or "
        "ec2.Vpc.from_vpc_attributes(...).",
    ),
    "None for a required VPC": (
        lambda s, a, b: untyped(VpcPeering)(s, "P", requester_vpc=a, accepter_vpc=None),
        "accepter_vpc is required, but it must be an ec2.IVpc.",
        "Give accepter_vpc as an ec2.IVpc",
    ),
    "a VPC for subnets": (
        lambda s, a, b: untyped(VpcPeering)(
            s, "P", requester_vpc=a, accepter_vpc=b, accepter_subnets=b
        ),
        "accepter_subnets is 'Net/B' (a Vpc), but it must be an ec2.SubnetSelection.",
        "ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)",
    ),
    "a string for a flag": (
        lambda s, a, b: untyped(VpcPeering)(
            s, "P", requester_vpc=a, accepter_vpc=b, requester_only="yes"
        ),
        "requester_only is 'yes' (a str), but it must be True or False.",
        "Give requester_only as True or False.",
    ),
    "None for a mesh's VPCs": (
        lambda s, a, b: untyped(PeeringMesh)(s, "Mesh", vpcs=None),
        "vpcs is required, but it must be a list of ec2.IVpcs.",
        "Give vpcs as a list of ec2.IVpcs",
    ),
    "a placement given as a string": (
        lambda s, a, b: untyped(PeeringMesh)(s, "Mesh", vpcs=[a, b], placement="SCOPE"),
        "placement is 'SCOPE' (a str), but it must be a TopologyPlacement.",
        "for example TopologyPlacement.STACK_PER_VPC.",
    ),
    "one VPC for spokes": (
        lambda s, a, b: untyped(HubAndSpoke)(s, "Star", hub=a, spokes=b),
        "spokes is 'Net/B' (a Vpc), but it must be a list of ec2.IVpcs.",
        "Give spokes as a list of ec2.IVpcs",
    ),
    "a VPC as a service": (
        lambda s, a, b: untyped(PrivateLinkEndpoint)(s, "E", vpc=a, service=b, port=443),
        "service is 'Net/B' (a Vpc), but it must be a PrivateLinkService (or an object with "
        "service_name and ports) or a service name.",
        "Give service as",
    ),
    "a port as a string": (
        lambda s, a, b: untyped(PrivateLinkEndpoint)(
            s, "E", vpc=a, service=SERVICE_NAME, port="443"
        ),
        "port is '443' (a str), but it must be a whole number.",
        "Give port as a whole number.",
    ),
    "a string for an enum": (
        lambda s, a, b: untyped(PrivateLinkEndpoint)(
            s,
            "E",
            vpc=a,
            service=SERVICE_NAME,
            port=443,
            ip_address_type="dualstack",
        ),
        "ip_address_type is 'dualstack' (a str), but it must be an ec2.VpcEndpointIpAddressType.",
        "for example ec2.VpcEndpointIpAddressType.IPV4.",
    ),
    "a string for a target type": (
        lambda s, a, b: untyped(PrivateLinkService)(s, "Svc", vpc=a, port=443, target_type="ip"),
        "target_type is 'ip' (a str), but it must be an elbv2.TargetType.",
        "Give target_type as an elbv2.TargetType",
    ),
    "a string for principals": (
        lambda s, a, b: untyped(PrivateLinkService)(
            s,
            "Svc",
            vpc=a,
            port=443,
            allowed_principals="arn:aws:iam::222222222222:root",
        ),
        "allowed_principals is 'arn:aws:iam::222222222222:root' (a str), but it must be a "
        "list of iam.ArnPrincipals.",
        "iam.ArnPrincipal('arn:aws:iam::222222222222:root')",
    ),
    "a number for an account": (
        lambda s, a, b: untyped(PeeringAccepterRole)(
            s, "Role", requester_account=222222222222, accepter_vpc=a
        ),
        "requester_account is 222222222222 (an int), but it must be a string.",
        "Give requester_account as a string.",
    ),
    "a VPC as a DNS side's connection id": (
        lambda s, a, b: untyped(PeeringDnsResolution)(
            s,
            "Dns",
            peering_connection_id=a,
            side=PeeringSide.REQUESTER,
        ),
        "peering_connection_id is 'Net/A' (a Vpc), but it must be a string.",
        "Give peering_connection_id as a string.",
    ),
    "a string as an accepter side's VPC": (
        lambda s, a, b: untyped(VpcPeeringAccepter)(
            s,
            "Side",
            peering_connection_id="pcx-01234567",
            requester_vpc=a,
            accepter_vpc="B",
        ),
        "accepter_vpc is 'B' (a str), but it must be an ec2.IVpc.",
        "Give accepter_vpc as an ec2.IVpc",
    ),
    "a route table for a VPC": (
        lambda s, a, b: untyped(VpcPeering)(
            s, "P", requester_vpc=a, accepter_vpc=b.isolated_subnets[0].route_table
        ),
        # A jsii interface proxy reads as the interface it stands for, not as its repr.
        "accepter_vpc is an IRouteTable, but it must be an ec2.IVpc.",
        "Give accepter_vpc as an ec2.IVpc",
    ),
    "a quota as a string": (
        lambda s, a, b: untyped(VpcPeering)(
            s, "P", requester_vpc=a, accepter_vpc=b, peerings_per_vpc_quota="60"
        ),
        "peerings_per_vpc_quota is '60' (a str), but it must be a whole number.",
        "Give peerings_per_vpc_quota as a whole number.",
    ),
    "a topology's quota as a string": (
        lambda s, a, b: untyped(PeeringMesh)(
            s, "Mesh", vpcs=[a, b], routes_per_route_table_quota="100"
        ),
        "routes_per_route_table_quota is '100' (a str), but it must be a whole number.",
        "Give routes_per_route_table_quota as a whole number.",
    ),
    "an accepter side's quota as a string": (
        lambda s, a, b: untyped(VpcPeeringAccepter)(
            s,
            "Side",
            peering_connection_id="pcx-01234567",
            requester_vpc=a,
            accepter_vpc=b,
            peerings_per_vpc_quota="60",
        ),
        "peerings_per_vpc_quota is '60' (a str), but it must be a whole number.",
        "Give peerings_per_vpc_quota as a whole number.",
    ),
    "an object for a quota": (
        lambda s, a, b: untyped(HubAndSpoke)(
            s, "Star", hub=a, spokes=[b], peerings_per_vpc_quota=object()
        ),
        "peerings_per_vpc_quota is an object, but it must be a whole number.",
        "Give peerings_per_vpc_quota as a whole number.",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_wrong_type_names_path_parameter_type_and_value(
    case: str, net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc]
) -> None:
    stack, a, b = net
    build, message, fix = CASES[case]
    children = len(stack.node.children)

    with pytest.raises(ValidationError) as raised:
        build(stack, a, b)

    path, got_message, got_fix = _problem(raised)
    assert path.startswith("Net/")
    assert got_message == message
    assert fix in got_fix
    assert len(stack.node.children) == children  # nothing half-built


def test_none_for_the_scope_names_the_construct_by_its_id(
    net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc],
) -> None:
    _, a, b = net
    with pytest.raises(ValidationError) as raised:
        VpcPeering(None, "Orphan", requester_vpc=a, accepter_vpc=b)  # type: ignore[arg-type]
    assert _problem(raised)[:2] == (
        "Orphan",
        "scope is required, but it must be a construct (a Stack or a construct in one).",
    )


@pytest.mark.parametrize(
    "construct", ["VpcPeering", "PeeringMesh", "HubAndSpoke", "PrivateLinkService", "Accepter"]
)
def test_the_app_as_scope_is_an_error_naming_the_construct(
    net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc], construct: str
) -> None:
    stack, a, b = net
    app = cast(cdk.App, stack.node.root)
    build: Callable[[], object] = {
        "VpcPeering": lambda: VpcPeering(app, "X", requester_vpc=a, accepter_vpc=b),
        "PeeringMesh": lambda: PeeringMesh(app, "X", vpcs=[a, b]),
        "HubAndSpoke": lambda: HubAndSpoke(app, "X", hub=a, spokes=[b]),
        "PrivateLinkService": lambda: PrivateLinkService(app, "X", vpc=a, port=443),
        "Accepter": lambda: VpcPeeringAccepter(
            app,
            "X",
            peering_connection_id="pcx-0123456789abcdef0",
            requester_vpc=a,
            accepter_vpc=b,
        ),
    }[construct]
    with pytest.raises(ValidationError) as raised:
        build()
    path, message, fix = _problem(raised)
    assert path == "X"
    assert message == (
        "scope is the App, but it must be a stack or a construct in one: the construct's "
        "resources go in its stack."
    )
    assert fix.startswith("Give a cdk.Stack as scope")
    assert app.node.try_find_child("X") is None


def test_a_construct_in_no_stack_as_scope_is_an_error(
    net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc],
) -> None:
    stack, a, b = net
    loose = Construct(cast(cdk.App, stack.node.root), "Loose")
    with pytest.raises(ValidationError) as raised:
        VpcPeering(loose, "X", requester_vpc=a, accepter_vpc=b)
    path, message, _ = _problem(raised)
    assert (path, message.split(",")[0]) == ("Loose/X", "scope is 'Loose' (a Construct)")


def test_a_mapping_names_the_constructs_in_it_by_path_not_by_repr() -> None:
    from tests.helpers import HOME, OTHER_ACCOUNT, env_app

    app = env_app()
    home = cdk.Stack(app, "Home", env=HOME)
    partner = cdk.Stack(app, "Partner", env=OTHER_ACCOUNT)
    a = make_vpc(home, "A", "10.0.0.0/16")
    b = make_vpc(partner, "B", "10.1.0.0/16")
    role = PeeringAccepterRole(partner, "Role", requester_account="111111111111", accepter_vpc=b)
    with pytest.raises(ValidationError) as raised:
        PeeringMesh(home, "Mesh", vpcs=[a, b], accepter_roles={222222222222: role})  # type: ignore[dict-item]
    path, message, fix = _problem(raised)
    assert path == "Home/Mesh"
    assert message == (
        "accepter_roles is {222222222222: 'Partner/Role'} (a dict), but it must be a mapping "
        "of strings to PeeringAccepterRoles or iam.IRoles."
    )
    assert " at 0x" not in message + fix


def test_an_object_without_a_readable_repr_reads_as_its_kind(
    net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc],
) -> None:
    stack, _, _ = net
    with pytest.raises(ValidationError) as raised:
        PeeringDnsResolution(
            stack,
            "Dns",
            peering_connection_id="pcx-0123456789abcdef0",
            side=object(),  # type: ignore[arg-type]
        )
    [problem] = raised.value.problems
    assert problem.rule == rule_ids.INVALID_PEERING_SIDE
    assert problem.message == "side is an object, not a PeeringSide."


@pytest.mark.parametrize(
    ("construct", "param", "kind"),
    [
        ("PeeringMesh", "vpcs", "a generator"),
        ("HubAndSpoke", "spokes", "a generator"),
        ("PrivateLinkEndpoint", "client_vpcs", "a generator"),
        ("VpcPeering", "requester_vpc", "a function"),
    ],
)
def test_a_generator_or_a_function_reads_as_its_kind_not_its_repr(
    net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc], construct: str, param: str, kind: str
) -> None:
    stack, a, b = net
    build: Callable[[], object] = {
        "PeeringMesh": lambda: PeeringMesh(stack, "X", vpcs=untyped(v for v in (a, b))),
        "HubAndSpoke": lambda: HubAndSpoke(stack, "X", hub=a, spokes=untyped(v for v in (b,))),
        "PrivateLinkEndpoint": lambda: PrivateLinkEndpoint(
            stack, "X", vpc=a, service=SERVICE_NAME, port=443, client_vpcs=untyped(v for v in (b,))
        ),
        "VpcPeering": lambda: VpcPeering(
            stack, "X", requester_vpc=untyped(lambda: a), accepter_vpc=b
        ),
    }[construct]
    with pytest.raises(ValidationError) as raised:
        build()
    _, message, fix = _problem(raised)
    assert message.startswith(f"{param} is {kind}, but it must be ")
    assert " at 0x" not in message + fix
    assert (f"makes one of {kind})" in fix) == (kind == "a generator")


def test_a_list_of_peerings_reads_as_plain_english(net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc]) -> None:
    stack, a, _ = net
    with pytest.raises(ValidationError) as raised:
        PrivateLinkEndpoint(
            stack, "X", vpc=a, service=SERVICE_NAME, port=443, peerings=untyped([a])
        )
    _, message, _ = _problem(raised)
    assert message == (
        "peerings is ['Net/A'] (a list), but it must be a list of VpcPeerings (or objects with "
        "requester_vpc and accepter_vpc)."
    )


def test_every_bad_parameter_is_reported_at_once(net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc]) -> None:
    stack, _, _ = net
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "P", requester_vpc="a", accepter_vpc="b", name=7)  # type: ignore[arg-type]
    assert [p.message.split(" ", 1)[0] for p in raised.value.problems] == [
        "requester_vpc",
        "accepter_vpc",
        "name",
    ]


@pytest.mark.parametrize("factory", ["cidr_blocks", "subnet_cidrs"])
def test_a_bad_peer_destinations_is_reported_with_the_peerings_path(
    net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc], factory: str
) -> None:
    stack, a, b = net
    given, param, expected = (
        ("10.1.0.0/16", "cidrs", "a list of strings")
        if factory == "cidr_blocks"
        else (b, "selection", "an ec2.SubnetSelection")
    )
    destinations = untyped(getattr(PeerDestinations, factory))(given)  # no error yet: no path
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, accepter_destinations=destinations)
    path, message, fix = _problem(raised)
    assert path == "Net/P"
    shown = "'10.1.0.0/16' (a str)" if factory == "cidr_blocks" else "'Net/B' (a Vpc)"
    assert message == (
        f"accepter_destinations: PeerDestinations.{factory}: {param} is {shown}, but it must "
        f"be {expected}."
    )
    if factory == "cidr_blocks":  # a bare string is not read character by character
        assert fix == (
            "Give cidrs as a list of strings (one value too goes in a list: ['10.1.0.0/16'])."
        )
    assert PeerDestinations.cidr_blocks(["10.1.0.0/16"]).cidrs == ("10.1.0.0/16",)


def test_allow_from_peer_without_a_security_group_names_the_peer_vpc(
    net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc],
) -> None:
    _, a, b = net
    with pytest.raises(ValidationError) as raised:
        allow_from_peer(untyped(a), peer_vpc=b, port=ec2.Port.tcp(443))
    path, message, _ = _problem(raised)
    assert (path, message) == (
        "Net/B",
        "allow_from_peer: security_group is 'Net/A' (a Vpc), but it must be an ec2.ISecurityGroup.",
    )


def test_methods_check_their_arguments_too(net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc]) -> None:
    stack, a, b = net
    endpoint = PrivateLinkEndpoint(stack, "E", vpc=a, service=SERVICE_NAME, port=443)
    with pytest.raises(ValidationError) as raised:
        endpoint.serve_peering(b)  # type: ignore[arg-type]
    path, message, _ = _problem(raised)
    assert (path, message.split(":", 1)[0]) == ("Net/E", "serve_peering")
    group = ec2.SecurityGroup(stack, "Sg", vpc=a)
    with pytest.raises(
        ValidationError, match=r"port is 443 \(an int\), but it must be an ec2\.Port"
    ):
        allow_from_peer(group, peer_vpc=b, port=443)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("com.amazonaws.vpce.us-east-1.vpce-svc-0123", "17 hexadecimal digits"),
        ("orders.example.internal", "names neither an endpoint service nor an AWS service"),
        ("vpce-svc-0123456789abcdef0", "names neither"),
    ],
)
def test_a_service_name_that_is_none_is_an_error(
    name: str, reason: str, net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc]
) -> None:
    stack, a, _ = net
    with pytest.raises(ValidationError) as raised:
        PrivateLinkEndpoint(stack, "E", vpc=a, service=name, port=443)
    [problem] = raised.value.problems
    assert problem.rule == rule_ids.INVALID_SERVICE_NAME
    assert reason in problem.message


@pytest.mark.parametrize(
    "name", [SERVICE_NAME, "com.amazonaws.us-east-1.s3", "com.amazonaws.eu-west-1.ecr.dkr"]
)
def test_endpoint_and_aws_service_names_pass(
    name: str, net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc]
) -> None:
    stack, a, _ = net
    endpoint = PrivateLinkEndpoint(stack, "E", vpc=a, service=name, port=443)
    assert warnings_on(endpoint) == []


def test_a_service_name_token_is_skipped_with_a_warning(
    net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc],
) -> None:
    stack, a, _ = net
    name = cdk.Fn.import_value("OrdersServiceName")
    endpoint = PrivateLinkEndpoint(stack, "E", vpc=a, service=name, port=443)
    [warning] = warnings_on(endpoint)
    assert warning.startswith("Skipped checking the endpoint's service name")
    assert warning.endswith(f"[ack: {rule_ids.SERVICE_NAME_NOT_CHECKED}]")


def test_a_service_of_the_app_is_named_by_its_path_not_a_token(
    net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc],
) -> None:
    stack, a, b = net
    service = PrivateLinkService(stack, "Orders", vpc=b, port=443)
    with pytest.raises(ValidationError) as raised:
        PrivateLinkEndpoint(stack, "E", vpc=a, service=service, port=8443)
    text = str(raised.value)
    assert "is not a port of the service Net/Orders, which listens on 443" in text
    assert "Token[" not in text


@pytest.mark.parametrize(
    ("name", "reason"),
    [("x" * 257, "it is 257 characters long (at most 256)"), ("app;shared", "it holds ';'")],
)
def test_a_name_tag_aws_refuses_is_an_error(
    name: str, reason: str, net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc]
) -> None:
    stack, a, b = net
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, name=name)
    [problem] = raised.value.problems
    assert problem.rule == rule_ids.INVALID_NAME_TAG
    assert reason in problem.message


def test_a_name_tag_of_letters_numbers_and_symbols_passes(
    net: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc],
) -> None:
    stack, a, b = net
    VpcPeering(
        stack, "P", requester_vpc=a, accepter_vpc=b, name="app-shared: v2/prod @é" + "x" * 233
    )


def test_no_message_carries_an_unresolved_token() -> None:
    stack = cdk.Stack(new_app(), "Agnostic")  # no environment: account and region are tokens
    a, b = make_vpc(stack, "A", "10.0.0.0/16"), make_vpc(stack, "B", "10.1.0.0/16")
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, accepter_region="eu-west-1")
    text = str(raised.value)
    assert "Token[" not in text
    assert "eu-west-1" in text


def _late_errors(stack: cdk.Stack) -> list[Any]:
    return list(Annotations.from_stack(stack).find_error("*", Match.any_value()))


def _late_net() -> tuple[cdk.Stack, ec2.Vpc, ec2.Vpc]:
    """Stack Net with VPCs A (10.0.0.0/16) and B (10.1.0.0/16), in an app whose synth
    reports error annotations without failing."""
    app = new_app(**{"@aws-cdk/core:annotationsInValidationReport": False})
    stack = cdk.Stack(app, "Net", env=ENV)
    return stack, make_vpc(stack, "A", "10.0.0.0/16"), make_vpc(stack, "B", "10.1.0.0/16")


def test_a_block_added_after_a_peering_that_overlaps_the_peer_is_an_error() -> None:
    stack, a, b = _late_net()
    VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b)
    ec2.CfnVPCCidrBlock(stack, "Late", vpc_id=a.vpc_id, cidr_block="10.1.128.0/20")
    ec2.CfnVPCCidrBlock(stack, "Fine", vpc_id=b.vpc_id, cidr_block="100.64.0.0/16")

    [error] = _late_errors(stack)

    assert error.id == "/Net/P"
    assert error.entry.data == (
        "[Net/P] CIDR block 10.1.128.0/20 of Net/A (Net/Late) was not seen when this peering "
        "was defined (declared after it, or where it does not look: not as a child or a "
        "sibling of the VPC, such as in another stack), and it overlaps 10.1.0.0/16 of Net/B; "
        "AWS fails a peering between VPCs with any overlapping CIDR blocks, even unused ones. "
        "Fix: Give Net/A a block that overlaps none of Net/B's, or declare the block beside "
        "the VPC, before the peering (its own check then runs) and re-address. "
        f"({rule_ids.CIDR_BLOCK_AFTER_PEERING})"
    )


@pytest.mark.parametrize("before", [True, False], ids=["declared-before", "declared-after"])
def test_a_block_of_another_stack_is_found_by_its_vpc_id(before: bool) -> None:
    stack, a, b = _late_net()
    other = cdk.Stack(cast(cdk.App, stack.node.root), "Other", env=ENV)

    def blocks() -> None:
        ec2.CfnVPCCidrBlock(other, "Clash", vpc_id=b.vpc_id, cidr_block="10.0.128.0/20")
        ec2.CfnVPCCidrBlock(other, "Apart", vpc_id=b.vpc_id, cidr_block="100.64.0.0/16")

    if before:
        blocks()
    VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b)
    if not before:
        blocks()

    [error] = _late_errors(stack)
    assert str(error.entry.data).startswith(
        "[Net/P] CIDR block 10.0.128.0/20 of Net/B (Other/Clash) was not seen when this "
        "peering was defined"
    )
    assert "it overlaps 10.0.0.0/16 of Net/A" in str(error.entry.data)
    [warning] = _late_warnings(stack, rule_ids.CIDR_BLOCK_NOT_ROUTED)
    assert str(warning.entry.data).startswith(
        "CIDR block 100.64.0.0/16 of Net/B (Other/Apart) was not seen"
    )


def test_blocks_added_after_a_topology_are_checked_per_pair() -> None:
    app = new_app(**{"@aws-cdk/core:annotationsInValidationReport": False})
    stack = cdk.Stack(app, "Net", env=ENV)
    vpcs = [make_vpc(stack, name, f"10.{i}.0.0/16") for i, name in enumerate(["A", "B", "C"])]
    PeeringMesh(stack, "Mesh", vpcs=vpcs, placement=TopologyPlacement.SCOPE)
    ec2.CfnVPCCidrBlock(stack, "Late", vpc_id=vpcs[2].vpc_id, cidr_block="10.0.64.0/18")

    [error] = _late_errors(stack)

    assert error.id == "/Net/Mesh"
    assert str(error.entry.data).startswith(
        "[Net/Mesh/A/ToC] CIDR block 10.0.64.0/18 of Net/C (Net/Late) was not seen"
    )


def _late_warnings(stack: cdk.Stack, rule: str) -> list[Any]:
    return list(Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(rule)))


def test_a_block_added_after_a_peering_that_overlaps_nothing_is_a_warning_its_routes_miss() -> None:
    stack, a, b = _late_net()
    VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b)
    ec2.CfnVPCCidrBlock(stack, "Late", vpc_id=b.vpc_id, cidr_block="100.64.0.0/16")

    [warning] = _late_warnings(stack, rule_ids.CIDR_BLOCK_NOT_ROUTED)

    assert warning.id == "/Net/P"
    assert warning.entry.data == (
        "CIDR block 100.64.0.0/16 of Net/B (Net/Late) was not seen when this peering was "
        "defined (declared after it, or where it does not look: not as a child or a sibling of "
        "the VPC, such as in another stack): the routes of Net/A through it point at the "
        "blocks the peering saw, so nothing routes to 100.64.0.0/16 through the peering. Fix: "
        "Declare the block beside the VPC (a child or a sibling of it), before the peering "
        "(its routes then include it), or add routes to 100.64.0.0/16 in Net/A's route tables "
        "(a VpcPeering's add_route(..., destination='100.64.0.0/16'), else a CfnRoute); "
        "acknowledge this warning if 100.64.0.0/16 should not be reached from Net/A. "
        f"[ack: {rule_ids.CIDR_BLOCK_NOT_ROUTED}]"
    )
    assert _late_errors(stack) == []


@pytest.mark.parametrize(
    "routes",
    ["explicit destinations", "no default routes", "requester only"],
)
def test_a_late_block_no_default_route_was_meant_for_is_no_warning(routes: str) -> None:
    stack, a, b = _late_net()
    options: dict[str, dict[str, Any]] = {
        "explicit destinations": {
            "accepter_destinations": PeerDestinations.cidr_blocks(["10.1.0.0/16"]),
            "requester_destinations": PeerDestinations.cidr_blocks(["10.0.0.0/16"]),
        },
        "no default routes": {"default_routes": False},
        "requester only": {"requester_only": True},
    }
    VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, **options[routes])
    # Added to A: with requester_only nothing of this app routes B's side to A.
    ec2.CfnVPCCidrBlock(stack, "Late", vpc_id=a.vpc_id, cidr_block="100.64.0.0/16")

    assert _late_warnings(stack, rule_ids.CIDR_BLOCK_NOT_ROUTED) == []

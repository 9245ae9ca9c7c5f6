"""PrivateLinkEndpoint: the interface endpoint, its security group, DNS for peered VPCs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks
from constructs import Construct, IConstruct

from cdk_peering import PrivateLinkEndpoint, ValidationError, VpcPeering
from tests.conftest import ENV, new_app
from tests.helpers import imported_vpc, make_vpc, privatelink_service
from tests.test_gates import ANNOTATIONS, CDK_NAG, STRICT_VALIDATION, findings, synth

SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
EU_SERVICE = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
EUROPE = cdk.Environment(account=ENV.account, region="eu-west-1")
EU_AZS = {
    f"availability-zones:account={ENV.account}:region=eu-west-1": ["eu-west-1a", "eu-west-1b"]
}
PARTNER = cdk.Environment(account="222222222222", region=ENV.region)
PARTNER_AZS = {
    f"availability-zones:account={PARTNER.account}:region={PARTNER.region}": ["us-east-1a"]
}
EC23_ACKNOWLEDGEMENT = "AwsSolutions::AwsSolutions-EC23"

# The alias target of an interface endpoint: the hosted zone id and the regional DNS name,
# the two halves of the endpoint's first DnsEntries item ("Z...:vpce-...amazonaws.com").
_FIRST_DNS_ENTRY = {"Fn::Select": [0, {"Fn::GetAtt": [Match.any_value(), "DnsEntries"]}]}
ALIAS_TARGET = {
    "DNSName": {"Fn::Select": [1, {"Fn::Split": [":", _FIRST_DNS_ENTRY]}]},
    "HostedZoneId": {"Fn::Select": [0, {"Fn::Split": [":", _FIRST_DNS_ENTRY]}]},
}


@dataclass
class FakeService:
    """An object shaped like cdk_peering.PrivateLinkService, as the Protocol asks."""

    service_name: str
    ports: list[int]


class ServiceConstruct(Construct):
    """A service defined in a stack of the app, whose name carries tokens."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        vpc = make_vpc(cdk.Stack.of(self), "ServiceVpc", "10.9.0.0/16", isolated_only=True)
        # The name ec2.VpcEndpointService builds: the unscoped region and a resource id.
        self.service_name: str = cdk.Fn.join(
            ".", ["com.amazonaws.vpce", cdk.Aws.REGION, vpc.vpc_id]
        )
        self.ports: list[int] = [443]


def endpoint(scope: Construct, vpc: ec2.IVpc, **props: Any) -> PrivateLinkEndpoint:
    props.setdefault("service", SERVICE)
    props.setdefault("port", 443)
    return PrivateLinkEndpoint(scope, "Endpoint", vpc=vpc, **props)


def logical_id(construct: IConstruct) -> str:
    """The logical id of a construct's CloudFormation resource (its default child)."""
    resource = construct.node.default_child
    assert isinstance(resource, cdk.CfnElement)
    return cdk.Stack.of(resource).get_logical_id(resource)


def endpoint_properties(template: Template) -> dict[str, Any]:
    [resource] = template.find_resources("AWS::EC2::VPCEndpoint").values()
    properties: dict[str, Any] = resource["Properties"]
    return properties


def ingress_rules(template: Template) -> list[dict[str, Any]]:
    """The endpoint security group's ingress rules, as written in the template: inline,
    and the AWS::EC2::SecurityGroupIngress resources of the group (without GroupId)."""
    [(group_id, group)] = [
        (logical_id, r["Properties"])
        for logical_id, r in template.find_resources("AWS::EC2::SecurityGroup").items()
        if "PrivateLink endpoint" in r["Properties"]["GroupDescription"]
    ]
    rules: list[dict[str, Any]] = list(group.get("SecurityGroupIngress", []))
    for resource in template.find_resources("AWS::EC2::SecurityGroupIngress").values():
        properties = dict(resource["Properties"])
        if properties.pop("GroupId") == {"Fn::GetAtt": [group_id, "GroupId"]}:
            rules.append(properties)
    return rules


def ingress(template: Template) -> set[tuple[str, int, int]]:
    """Every ingress rule of the endpoint's security group: (CIDR, from port, to port)."""
    rules = ingress_rules(template)
    assert all(rule["IpProtocol"] == "tcp" for rule in rules)
    return {
        (str(rule.get("CidrIp") or rule.get("CidrIpv6")), rule["FromPort"], rule["ToPort"])
        for rule in rules
    }


def zone_vpcs(template: Template) -> list[dict[str, Any]]:
    [zone] = template.find_resources("AWS::Route53::HostedZone").values()
    vpcs: list[dict[str, Any]] = zone["Properties"]["VPCs"]
    return vpcs


def warnings(stack: cdk.Stack, rule: str) -> list[str]:
    found = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(rule))
    return [str(entry.entry.data) for entry in found]


def rules_of(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [problem.rule for problem in error.value.problems]


def acknowledged_rules(construct: IConstruct) -> dict[str, str]:
    """Every rule acknowledged (cdk.Validations.acknowledge) on a construct or below it."""
    return {
        rule: reason
        for node in construct.node.find_all()
        for entry in node.node.metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for rule, reason in entry.data.items()
    }


# --- the endpoint


def test_interface_endpoint_to_the_service(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    built = endpoint(stack, vpc)
    template = Template.from_stack(stack)
    properties = endpoint_properties(template)
    assert properties["VpcEndpointType"] == "Interface"
    assert properties["ServiceName"] == SERVICE
    assert properties["PrivateDnsEnabled"] is False
    assert "ServiceRegion" not in properties
    assert "IpAddressType" not in properties
    # The L2's default: private subnets, else isolated (one per zone).
    assert properties["SubnetIds"] == [{"Ref": logical_id(s)} for s in vpc.isolated_subnets]
    assert properties["SecurityGroupIds"] == [
        {"Fn::GetAtt": [logical_id(built.security_group), "GroupId"]}
    ]
    assert built.node.default_child is built.endpoint
    assert stack.resolve(built.vpc_endpoint_id) == {"Ref": logical_id(built.endpoint)}
    assert built.hosted_zone is None
    assert stack.resolve(built.dns_name)["Fn::Select"][0] == 1
    template.resource_count_is("AWS::Route53::HostedZone", 0)


def test_chosen_subnets(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16")
    endpoint(stack, vpc, subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC))
    assert endpoint_properties(Template.from_stack(stack))["SubnetIds"] == [
        {"Ref": logical_id(s)} for s in vpc.public_subnets
    ]


def test_subnets_of_another_vpc_are_an_error(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    other = make_vpc(stack, "Other", "10.1.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as raised:
        endpoint(stack, vpc, subnets=ec2.SubnetSelection(subnets=other.isolated_subnets))
    assert rules_of(raised) == ["cdk_peering:subnetOfAnotherVpc"]
    assert raised.value.problems[0].message.startswith(
        "subnets names TestStack/Other/IsolatedSubnet1 and TestStack/Other/IsolatedSubnet2 "
        "(subnets of VPC TestStack/Other), but it selects subnets of TestStack/Consumer"
    )
    assert stack.node.try_find_child("Endpoint") is None


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"service": EU_SERVICE, "service_region": "eu-west-1"}, "eu-west-1"),
        ({"service": EU_SERVICE}, "eu-west-1"),  # read from the service's name
        ({"service": SERVICE, "service_region": "us-east-1"}, None),  # this Region
    ],
    ids=["given", "from-name", "own-region"],
)
def test_service_region(stack: cdk.Stack, props: dict[str, Any], expected: str | None) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    built = endpoint(stack, vpc, **props)
    assert endpoint_properties(Template.from_stack(stack)).get("ServiceRegion") == expected
    assert built.service_region == expected


def test_service_object_in_another_region_keeps_its_region() -> None:
    app = new_app(**EU_AZS)
    home = cdk.Stack(app, "Home", env=ENV)
    service = ServiceConstruct(cdk.Stack(app, "Away", env=EUROPE), "Service")
    endpoint(home, make_vpc(home, "Consumer", "10.0.0.0/16", isolated_only=True), service=service)
    properties = endpoint_properties(Template.from_stack(home))
    assert properties["ServiceRegion"] == "eu-west-1"
    # Not the service's own {"Ref": "AWS::Region"}, which here would name us-east-1: the
    # service's Region, then the vpce-svc id taken from its name (read across Regions).
    [separator, [prefix, service_id]] = properties["ServiceName"]["Fn::Join"]
    assert (separator, prefix) == (".", "com.amazonaws.vpce.eu-west-1")
    assert service_id["Fn::Select"][0] == 4
    assert "Fn::GetStackOutput" in json.dumps(service_id)


def test_private_dns_enabled_when_asked(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    endpoint(stack, vpc, private_dns_enabled=True)
    assert endpoint_properties(Template.from_stack(stack))["PrivateDnsEnabled"] is True


# --- the security group


def test_ingress_only_from_served_cidrs_on_the_ports(stack: cdk.Stack) -> None:
    consumer = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    client = make_vpc(stack, "Client", "10.1.0.0/16", isolated_only=True)
    ec2.CfnVPCCidrBlock(client, "Secondary", vpc_id=client.vpc_id, cidr_block="100.64.0.0/16")
    later = make_vpc(stack, "Later", "10.2.0.0/16", isolated_only=True)
    make_vpc(stack, "Unrelated", "10.3.0.0/16", isolated_only=True)
    built = endpoint(
        stack,
        consumer,
        service=FakeService(SERVICE, [443, 8443]),
        additional_ports=[8443],
        client_vpcs=[client],
    )
    built.allow_from_vpc(later)
    built.allow_from_vpc(later)  # again: no duplicate rule
    template = Template.from_stack(stack)
    assert ingress(template) == {
        (cidr, port, port)
        for cidr in ("10.0.0.0/16", "10.1.0.0/16", "100.64.0.0/16", "10.2.0.0/16")
        for port in (443, 8443)
    }
    assert built.ports == (443, 8443)
    template.resource_count_is("AWS::EC2::SecurityGroupIngress", 0)
    template.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        {
            "GroupDescription": Match.string_like_regexp("PrivateLink endpoint"),
            "SecurityGroupEgress": [Match.object_like({"CidrIp": "255.255.255.255/32"})],
        },
    )


def test_dual_stack_endpoint_admits_ipv6(stack: cdk.Stack) -> None:
    consumer = make_vpc(stack, "Consumer", "10.0.0.0/16", ipv6=True, isolated_only=True)
    endpoint(stack, consumer, ip_address_type=ec2.VpcEndpointIpAddressType.DUALSTACK)
    template = Template.from_stack(stack)
    assert endpoint_properties(template)["IpAddressType"] == "dualstack"
    # The consumer VPC's Amazon-provided IPv6 block, on the service port, beside its IPv4.
    amazon_ipv6 = {"Fn::Select": [0, {"Fn::GetAtt": [logical_id(consumer), "Ipv6CidrBlocks"]}]}
    assert sorted(
        (rule.get("CidrIp", ""), rule.get("CidrIpv6"), rule["FromPort"], rule["ToPort"])
        for rule in ingress_rules(template)
    ) == [("", amazon_ipv6, 443, 443), ("10.0.0.0/16", None, 443, 443)]


@pytest.mark.parametrize(
    ("ip_address_type", "record_types"),
    [
        (None, ["A"]),
        (ec2.VpcEndpointIpAddressType.DUALSTACK, ["A", "AAAA"]),
        # An IPv6 endpoint has no IPv4 address to answer an A query with.
        (ec2.VpcEndpointIpAddressType.IPV6, ["AAAA"]),
    ],
    ids=["ipv4", "dualstack", "ipv6"],
)
def test_alias_records_follow_the_ip_address_type(
    stack: cdk.Stack,
    ip_address_type: ec2.VpcEndpointIpAddressType | None,
    record_types: list[str],
) -> None:
    ipv6 = ip_address_type is not None
    consumer = make_vpc(stack, "Consumer", "10.0.0.0/16", ipv6=ipv6, isolated_only=True)
    built = endpoint(
        stack, consumer, ip_address_type=ip_address_type, dns_name="api.example.internal"
    )
    template = Template.from_stack(stack)
    records = template.find_resources("AWS::Route53::RecordSet").values()
    assert sorted(record["Properties"]["Type"] for record in records) == record_types
    assert len(built.records) == len(record_types)
    for record_type in record_types:
        template.has_resource_properties(
            "AWS::Route53::RecordSet",
            {
                "Type": record_type,
                "Name": "api.example.internal.",
                "HostedZoneId": {"Ref": logical_id(cast(Construct, built.hosted_zone))},
                "AliasTarget": ALIAS_TARGET,
            },
        )


# --- DNS for peered VPCs


def test_zone_is_associated_across_regions_through_the_peering() -> None:
    app = new_app(**EU_AZS)
    home = cdk.Stack(app, "Home", env=ENV)
    away = cdk.Stack(app, "Away", env=EUROPE)
    consumer = make_vpc(home, "Consumer", "10.0.0.0/16", isolated_only=True)
    europe = make_vpc(away, "Europe", "10.10.0.0/16", isolated_only=True)
    peering = VpcPeering(home, "ConsumerToEurope", requester_vpc=consumer, accepter_vpc=europe)
    built = endpoint(
        home, consumer, dns_name="API.example.internal.", peerings=[peering], dns_vpcs=[europe]
    )
    assert built.dns_name == "api.example.internal"
    assembly = app.synth()
    template = Template.from_json(assembly.get_stack_by_name("Home").template)
    template.has_resource_properties("AWS::Route53::HostedZone", {"Name": "api.example.internal."})
    template.has_resource_properties(
        "AWS::Route53::HostedZone",
        {
            "VPCs": [
                {"VPCId": home.resolve(consumer.vpc_id), "VPCRegion": "us-east-1"},
                {
                    # The VPC id of a stack in another Region crosses as Fn::GetStackOutput.
                    "VPCId": {
                        "Fn::GetStackOutput": {
                            "StackName": "Away",
                            "Region": "eu-west-1",
                            "OutputName": Match.any_value(),
                        }
                    },
                    "VPCRegion": "eu-west-1",
                },
            ]
        },
    )
    assert {cidr for cidr, _, _ in ingress(template)} == {"10.0.0.0/16", "10.10.0.0/16"}
    assert warnings(home, "cdk_peering:") == []


def test_zone_name_holds_the_dns_name(stack: cdk.Stack) -> None:
    consumer = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    endpoint(stack, consumer, dns_name="api.example.internal", zone_name="example.internal")
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Route53::HostedZone", {"Name": "example.internal."})
    template.has_resource_properties(
        "AWS::Route53::RecordSet", {"Name": "api.example.internal.", "Type": "A"}
    )


@pytest.mark.parametrize("endpoint_side", ["requester", "accepter"])
def test_serve_peering_opens_to_and_associates_the_other_side(
    stack: cdk.Stack, endpoint_side: str
) -> None:
    shared = make_vpc(stack, "Shared", "10.0.0.0/16", isolated_only=True)
    app_vpc = make_vpc(stack, "App", "10.1.0.0/16", isolated_only=True)
    ec2.CfnVPCCidrBlock(app_vpc, "Secondary", vpc_id=app_vpc.vpc_id, cidr_block="100.64.0.0/16")
    if endpoint_side == "requester":
        peering = VpcPeering(stack, "Peering", requester_vpc=shared, accepter_vpc=app_vpc)
    else:
        peering = VpcPeering(stack, "Peering", requester_vpc=app_vpc, accepter_vpc=shared)
    built = endpoint(stack, shared, dns_name="api.example.internal")
    built.serve_peering(peering)
    built.serve_peering(peering)  # again: nothing more
    template = Template.from_stack(stack)
    assert ingress(template) == {
        (cidr, 443, 443) for cidr in ("10.0.0.0/16", "10.1.0.0/16", "100.64.0.0/16")
    }
    assert [stack.resolve(v["VPCId"]) for v in zone_vpcs(template)] == [
        stack.resolve(shared.vpc_id),
        stack.resolve(app_vpc.vpc_id),
    ]
    assert {v["VPCRegion"] for v in zone_vpcs(template)} == {"us-east-1"}


def test_serve_peering_without_zone_only_opens_the_group(stack: cdk.Stack) -> None:
    shared = make_vpc(stack, "Shared", "10.0.0.0/16", isolated_only=True)
    app_vpc = make_vpc(stack, "App", "10.1.0.0/16", isolated_only=True)
    built = endpoint(stack, shared)
    built.serve_peering(VpcPeering(stack, "Peering", requester_vpc=app_vpc, accepter_vpc=shared))
    template = Template.from_stack(stack)
    assert {cidr for cidr, _, _ in ingress(template)} == {"10.0.0.0/16", "10.1.0.0/16"}
    template.resource_count_is("AWS::Route53::HostedZone", 0)


# --- warnings


def test_dns_vpc_without_a_peering_is_warned(stack: cdk.Stack) -> None:
    consumer = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    lonely = make_vpc(stack, "Lonely", "10.5.0.0/16", isolated_only=True)
    endpoint(stack, consumer, dns_name="api.example.internal", dns_vpcs=[lonely, consumer])
    [message] = warnings(stack, "cdk_peering:dnsVpcWithoutPath")
    assert "TestStack/Lonely" in message
    assert len(zone_vpcs(Template.from_stack(stack))) == 2  # still associated, once each


# --- errors


@pytest.mark.parametrize(
    ("props", "rule"),
    [
        ({"dns_name": "api.example.internal", "zone_name": "other.internal"},
         "cdk_peering:dnsNameOutsideZone"),
        ({"dns_name": "badexample.internal", "zone_name": "example.internal"},
         "cdk_peering:dnsNameOutsideZone"),
        ({"zone_name": "example.internal"}, "cdk_peering:dnsNameMissing"),
        ({"dns_name": "api.example.internal", "private_dns_enabled": True},
         "cdk_peering:privateDnsConflict"),
        ({"port": 0}, "cdk_peering:invalidPort"),
        ({"additional_ports": [70000]}, "cdk_peering:invalidPort"),
        ({"service": FakeService(SERVICE, [8443])}, "cdk_peering:portNotOffered"),
        ({"service": EU_SERVICE, "service_region": "eu-central-1"},
         "cdk_peering:serviceRegionMismatch"),
        ({"ip_address_type": ec2.VpcEndpointIpAddressType.DUALSTACK},
         "cdk_peering:endpointIpv6WithoutVpcIpv6"),
        ({"ip_address_type": ec2.VpcEndpointIpAddressType.IPV6},
         "cdk_peering:endpointIpv6WithoutVpcIpv6"),
    ],
    ids=["outside-zone", "suffix-not-label", "zone-without-name", "private-dns",
         "port-0", "port-too-big", "port-not-offered", "region-mismatch",
         "dualstack-without-ipv6", "ipv6-without-ipv6"],
)  # fmt: skip
def test_invalid_props_raise_before_anything_is_built(
    stack: cdk.Stack, props: dict[str, Any], rule: str
) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as error:
        endpoint(stack, vpc, **props)
    assert rules_of(error) == [rule]
    assert error.value.problems[0].path == "TestStack/Endpoint"
    assert stack.node.try_find_child("Endpoint") is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "it is empty"),
        (".", "it is only the root '.'"),
        ("orders..internal", "it has an empty label (two dots in a row, or a leading dot)"),
        (".orders.internal", "it has an empty label"),
        ("orders api.internal", "it holds ' ', which a DNS name cannot"),
        ("café.internal", "it holds 'é', which a DNS name cannot"),
        ("x" * 64 + ".internal", "is 64 bytes long (at most 63)"),
        (".".join(["a" * 60] * 5), "it is 304 bytes long (at most 255)"),
    ],
)
@pytest.mark.parametrize("prop", ["dns_name", "zone_name"])
def test_a_name_that_is_no_dns_name_is_an_error_naming_the_prop(
    stack: cdk.Stack, prop: str, name: str, reason: str
) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    props = {"dns_name": "api.internal", prop: name}
    with pytest.raises(ValidationError) as error:
        endpoint(stack, vpc, **props)
    [problem] = error.value.problems  # not also dnsNameOutsideZone
    assert problem.rule == "cdk_peering:invalidDnsName"
    assert problem.path == "TestStack/Endpoint"
    assert problem.message.startswith(f"{prop} '")
    assert reason in problem.message
    assert "Give " + prop + " as a DNS name" in problem.fix
    assert stack.node.try_find_child("Endpoint") is None


@pytest.mark.parametrize(
    "name", ["Api.Example.Internal.", "_sip._tcp.example.internal", "x" * 63 + ".internal"]
)
def test_names_route53_holds_pass(stack: cdk.Stack, name: str) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    made = endpoint(stack, vpc, dns_name=name)
    assert made.dns_name == name.lower().removesuffix(".")


def test_a_port_out_of_range_is_one_problem_not_also_a_port_not_offered(
    stack: cdk.Stack,
) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as error:
        endpoint(stack, vpc, service=FakeService(SERVICE, [443]), port=0)
    [problem] = error.value.problems
    assert (problem.rule, problem.message) == (
        "cdk_peering:invalidPort",
        "Port 0 is out of range: a TCP port is a whole number from 1 to 65535.",
    )


def test_a_selection_of_missing_subnets_is_the_librarys_error_before_anything_is_built(
    stack: cdk.Stack,
) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    egress = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
    with pytest.raises(ValidationError) as error:
        endpoint(stack, vpc, subnets=egress)
    [problem] = error.value.problems
    assert (problem.rule, problem.message) == (
        "cdk_peering:emptySubnetSelection",
        "subnets (subnet_type=PRIVATE_WITH_EGRESS) matches no subnet of TestStack/Consumer, "
        "whose subnets are Isolated (PRIVATE_ISOLATED, 2 subnets).",
    )
    assert stack.node.try_find_child("Endpoint") is None


def test_an_endpoint_in_a_vpc_without_subnets_is_an_error(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Empty", subnet_configuration=[])
    with pytest.raises(ValidationError) as error:
        endpoint(stack, vpc)
    [problem] = error.value.problems
    assert (problem.rule, problem.message, problem.fix) == (
        "cdk_peering:emptySubnetSelection",
        "VPC TestStack/Empty has no subnet: the endpoint has no subnet to go in.",
        "Give TestStack/Empty subnets (or import it with their ids) for the endpoint.",
    )
    assert stack.node.try_find_child("Endpoint") is None


def test_ipv6_endpoint_in_a_vpc_without_ipv6_says_what_to_do(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as error:
        endpoint(stack, vpc, ip_address_type=ec2.VpcEndpointIpAddressType.DUALSTACK)
    message = str(error.value)
    assert "ip_address_type is DUALSTACK" in message
    assert (
        "VPC TestStack/Consumer has no IPv6 CIDR block beside it and no subnet with an IPv6 "
        "range" in message
    )
    assert "ip_protocol=ec2.IpProtocol.DUAL_STACK" in message


def test_ipv6_endpoint_in_a_vpc_given_ipv6_by_hand(stack: cdk.Stack) -> None:
    # IPv6 the pre-DUAL_STACK way: a block declared away from the VPC, a range per subnet.
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    block = ec2.CfnVPCCidrBlock(
        stack, "Elsewhere", vpc_id=vpc.vpc_id, amazon_provided_ipv6_cidr_block=True
    )
    for i, subnet in enumerate(vpc.isolated_subnets):
        resource = subnet.node.default_child
        assert isinstance(resource, ec2.CfnSubnet)
        ranges = cdk.Fn.cidr(cdk.Fn.select(0, vpc.vpc_ipv6_cidr_blocks), 2, "64")
        resource.ipv6_cidr_block = cdk.Fn.select(i, ranges)
        resource.node.add_dependency(block)
    endpoint(stack, vpc, ip_address_type=ec2.VpcEndpointIpAddressType.DUALSTACK)
    properties = endpoint_properties(Template.from_stack(stack))
    assert properties["IpAddressType"] == "dualstack"


def test_ipv6_endpoint_in_an_imported_vpc_is_not_judged(stack: cdk.Stack) -> None:
    # CDK does not know an imported VPC's IPv6 blocks: nothing to reject.
    endpoint(stack, imported_vpc(stack, 0), ip_address_type=ec2.VpcEndpointIpAddressType.DUALSTACK)
    properties = endpoint_properties(Template.from_stack(stack))
    assert properties["IpAddressType"] == "dualstack"


# --- who may connect from where (a PrivateLinkService of the app)


def consumer_endpoint(
    env: cdk.Environment, *, context: dict[str, Any], **props: Any
) -> PrivateLinkEndpoint:
    """An endpoint in a stack of ``env`` to the provider service built with ``props``."""
    app = new_app(**context)
    service = privatelink_service(app, **props)
    stack = cdk.Stack(app, "Consumer", env=env)
    vpc = make_vpc(stack, "Vpc", "10.0.0.0/16", isolated_only=True)
    return endpoint(stack, vpc, service=service)


def consumer_problems(
    env: cdk.Environment, *, context: dict[str, Any], **props: Any
) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as error:
        consumer_endpoint(env, context=context, **props)
    assert all(p.path == "Consumer/Endpoint" for p in error.value.problems)
    return [(p.rule, str(p)) for p in error.value.problems]


@pytest.mark.parametrize(
    "allowed_regions", [None, ["eu-central-1"]], ids=["own-region-only", "other-region"]
)
def test_endpoint_in_a_region_the_service_does_not_allow(
    allowed_regions: list[str] | None,
) -> None:
    [(rule, text)] = consumer_problems(EUROPE, context=EU_AZS, allowed_regions=allowed_regions)
    assert rule == "cdk_peering:endpointRegionNotAllowed"
    assert "The endpoint is in eu-west-1" in text
    assert "the service Provider/Orders accepts endpoints from its own Region us-east-1" in text
    assert "Add 'eu-west-1' to the service's allowed_regions" in text


def test_endpoint_in_an_allowed_region() -> None:
    built = consumer_endpoint(EUROPE, context=EU_AZS, allowed_regions=["eu-west-1"])
    assert built.service_region == "us-east-1"


@pytest.mark.parametrize(
    "principals",
    [[], ["arn:aws:iam::333333333333:root", "arn:aws:iam::333333333333:role/222222222222"]],
    ids=["none", "other-accounts"],
)
def test_endpoint_in_an_account_the_service_does_not_allow(principals: list[str]) -> None:
    [(rule, text)] = consumer_problems(
        PARTNER,
        context=PARTNER_AZS,
        allowed_principals=[iam.ArnPrincipal(arn) for arn in principals]
        # An AccountPrincipal's ARN is a token; its account still counts.
        + [iam.AccountPrincipal("333333333333")],
    )
    assert rule == "cdk_peering:endpointAccountNotAllowed"
    assert "The endpoint is in account 222222222222" in text
    assert "the service Provider/Orders of account 111111111111" in text
    assert "iam.ArnPrincipal('arn:aws:iam::222222222222:root')" in text


@pytest.mark.parametrize(
    ("env", "props"),
    [
        (PARTNER, {"allowed_principals": [iam.ArnPrincipal("arn:aws:iam::222222222222:root")]}),
        (PARTNER, {"allowed_principals": [iam.ArnPrincipal("arn:aws:iam::222222222222:role/App")]}),
        (PARTNER, {"allow_all_principals": True}),
        (PARTNER, {"allowed_principals": [iam.AccountPrincipal("222222222222")]}),
        (ENV, {}),
    ],
    ids=["account", "role-of-account", "everyone", "account-principal", "same-account"],
)  # fmt: skip
def test_endpoint_in_an_allowed_account(env: cdk.Environment, props: dict[str, Any]) -> None:
    built = consumer_endpoint(env, context=PARTNER_AZS, **props)
    assert built.service_region is None


def test_access_with_tokens_is_not_judged() -> None:
    app = new_app()
    service = privatelink_service(app)
    agnostic = cdk.Stack(app, "Consumer")  # its account and Region are tokens
    endpoint(
        agnostic,
        make_vpc(agnostic, "Vpc", "10.0.0.0/16", isolated_only=True),
        service=service,
        accept_connection=False,  # where to accept it cannot be told (test_..._acceptance)
    )
    principal = iam.ArnPrincipal(cdk.Fn.import_value("PartnerRoleArn"))
    consumer_endpoint(PARTNER, context=PARTNER_AZS, allowed_principals=[principal])


def test_dns_vpcs_without_dns_name(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as error:
        endpoint(stack, vpc, dns_vpcs=[vpc])
    assert rules_of(error) == ["cdk_peering:dnsNameMissing"]


def test_every_problem_is_reported_at_once(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as error:
        endpoint(stack, vpc, port=0, dns_name="a.b.internal", zone_name="c.internal")
    assert rules_of(error) == ["cdk_peering:invalidPort", "cdk_peering:dnsNameOutsideZone"]


def test_peering_not_from_the_endpoint_vpc(stack: cdk.Stack) -> None:
    consumer = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    a = make_vpc(stack, "A", "10.1.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.2.0.0/16", isolated_only=True)
    elsewhere = VpcPeering(stack, "AToB", requester_vpc=a, accepter_vpc=b)
    with pytest.raises(ValidationError) as error:
        endpoint(stack, consumer, peerings=[elsewhere])
    assert rules_of(error) == ["cdk_peering:peeringNotFromEndpointVpc"]
    assert stack.node.try_find_child("Endpoint") is None

    built = endpoint(stack, consumer, dns_name="api.example.internal")
    with pytest.raises(ValidationError, match="cdk_peering:peeringNotFromEndpointVpc") as error:
        built.serve_peering(elsewhere)
    assert "TestStack/A and TestStack/B" in str(error.value)
    template = Template.from_stack(stack)
    assert {cidr for cidr, _, _ in ingress(template)} == {"10.0.0.0/16"}
    assert len(zone_vpcs(template)) == 1


# --- cdk-nag


def nag_checked(build: Callable[[cdk.Stack], None]) -> list[dict[str, Any]]:
    """Synthesize one stack with strict validation and cdk-nag; return cdk-nag's reports.

    Fails on any unacknowledged cdk-nag finding and any construct warning.
    """
    app = new_app(**STRICT_VALIDATION)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    build(cdk.Stack(app, "Nag", env=ENV))
    result = synth(app)
    assert result.error is None, result.error
    assert findings(result.report, CDK_NAG) == []
    assert findings(result.report, ANNOTATIONS) == []
    return [r for r in result.report["pluginReports"] if r["pluginName"] == CDK_NAG]


def test_aws_solutions_reports_no_unacknowledged_finding() -> None:
    built: list[PrivateLinkEndpoint] = []

    def build(stack: cdk.Stack) -> None:
        shared = make_vpc(stack, "Shared", "10.0.0.0/16", ipv6=True, isolated_only=True)
        app_vpc = make_vpc(stack, "App", "10.1.0.0/16", isolated_only=True)
        for vpc in (shared, app_vpc):
            vpc.add_flow_log("FlowLog")
        peering = VpcPeering(stack, "AppToShared", requester_vpc=app_vpc, accepter_vpc=shared)
        built.append(
            endpoint(
                stack,
                shared,
                ip_address_type=ec2.VpcEndpointIpAddressType.DUALSTACK,
                dns_name="api.example.internal",
                peerings=[peering],
                additional_ports=[8443],
            )
        )

    [nag] = nag_checked(build)
    # cdk-nag's EC23 throws on each IPv6 rule's Fn::Select CIDR (Shared's and App's blocks
    # are not both IPv6: Shared's only, on two ports); each such rule is a resource of its
    # own, acknowledged alone.
    suppressed = [
        (v["ruleName"], v["reason"], c["constructPath"])
        for v in nag.get("suppressedViolations", [])
        for c in v["violatingConstructs"]
    ]
    assert sorted(path for _, _, path in suppressed) == [
        "Nag/Endpoint/SecurityGroup/TokenBlockIngress1",
        "Nag/Endpoint/SecurityGroup/TokenBlockIngress2",
    ]
    assert {name for name, _, _ in suppressed} == {"AwsSolutions-EC23"}
    assert "cannot evaluate a rule whose CIDR is a CloudFormation expression" in suppressed[0][1]
    [endpoint_built] = built
    group = endpoint_built.security_group
    assert list(acknowledged_rules(endpoint_built)) == [EC23_ACKNOWLEDGEMENT]
    # Not the group, nor its CfnSecurityGroup: only the two rules.
    assert [n.node.id for n in group.node.find_all() if acknowledged_rules_here(n)] == [
        "TokenBlockIngress1",
        "TokenBlockIngress2",
    ]


def acknowledged_rules_here(construct: IConstruct) -> bool:
    return any(e.type == "aws:cdk:acknowledged-rules" for e in construct.node.metadata)


@pytest.mark.parametrize(
    "peer",
    [ec2.Peer.any_ipv4(), ec2.Peer.any_ipv6()],
    ids=["0.0.0.0/0", "::/0"],
)
def test_an_open_rule_added_by_hand_is_reported_by_cdk_nag(peer: ec2.IPeer) -> None:
    # A dual-stack endpoint: its IPv6 rules name a token CIDR, which cdk-nag cannot read
    # and the library acknowledges. A rule the user adds to the same group is not the
    # library's: cdk-nag must report it.
    app = new_app(**STRICT_VALIDATION)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    stack = cdk.Stack(app, "Nag", env=ENV)
    shared = make_vpc(stack, "Shared", "10.0.0.0/16", ipv6=True, isolated_only=True)
    shared.add_flow_log("FlowLog")
    built = endpoint(stack, shared, ip_address_type=ec2.VpcEndpointIpAddressType.DUALSTACK)
    built.security_group.add_ingress_rule(peer, ec2.Port.tcp(22), "ssh from anywhere")
    result = synth(app)
    assert result.error is not None
    assert findings(result.report, CDK_NAG) == [
        "ERROR AwsSolutions-EC23: The Security Group allows for 0.0.0.0/0 or ::/0 inbound "
        "access. at Nag/Endpoint/SecurityGroup/Resource"
    ]


def test_ipv4_only_needs_no_nag_acknowledgement() -> None:
    built: list[PrivateLinkEndpoint] = []

    def build(stack: cdk.Stack) -> None:
        shared = make_vpc(stack, "Shared", "10.0.0.0/16", isolated_only=True)
        shared.add_flow_log("FlowLog")
        built.append(endpoint(stack, shared, dns_name="api.example.internal"))

    # An acknowledgement that matches no finding leaves no trace in cdk-nag's report, so
    # look at what the construct recorded: with literal IPv4 CIDRs only, no acknowledgement.
    assert nag_checked(build) == []
    [endpoint_built] = built
    assert acknowledged_rules(endpoint_built) == {}


@pytest.mark.parametrize("endpoint_first", [True, False], ids=["endpoint-first", "peering-first"])
def test_an_endpoint_and_a_peering_that_read_each_others_stack_are_a_cycle(
    endpoint_first: bool,
) -> None:
    app = new_app()
    one, two = cdk.Stack(app, "S1", env=ENV), cdk.Stack(app, "S2", env=ENV)
    service = privatelink_service(one)  # S1/Orders in S1/ServiceVpc
    consumer = make_vpc(two, "Consumer", "10.0.0.0/16", isolated_only=True)

    def build_endpoint() -> None:  # S2 reads the service of S1
        endpoint(two, consumer, service=service)

    def build_peering() -> None:  # S1 reads the consumer VPC of S2
        VpcPeering(one, "P", requester_vpc=service.vpc, accepter_vpc=consumer)

    first, second = (
        (build_endpoint, build_peering) if endpoint_first else (build_peering, build_endpoint)
    )
    first()
    with pytest.raises(ValidationError) as raised:
        second()
    assert rules_of(raised) == ["cdk_peering:dependencyCycle"]
    message = raised.value.problems[0].message
    if endpoint_first:
        assert raised.value.problems[0].path == "S1/P"
        assert (
            "but S2 deploys after S1 already (S2 deploys after S1: it reads the endpoint service)"
            in message
        )
    else:
        assert raised.value.problems[0].path == "S2/Endpoint"
        assert message.startswith(
            "This PrivateLinkEndpoint in stack S2 reads the endpoint service S1/Orders of stack "
            "S1, so S2 would deploy after S1; but S1 deploys after S2 already (S1 deploys after "
            "S2: it reads S2/Consumer)"
        )
    app.synth()  # nothing half-built: no DependencyCycle from aws-cdk-lib


def test_two_zones_of_one_name_on_one_vpc_are_an_error(stack: cdk.Stack) -> None:
    own = make_vpc(stack, "Consumer", "10.0.0.0/16", isolated_only=True)
    other = make_vpc(stack, "Other", "10.1.0.0/16", isolated_only=True)
    client = make_vpc(stack, "Client", "10.2.0.0/16", isolated_only=True)
    first = PrivateLinkEndpoint(
        stack, "First", vpc=own, service=SERVICE, port=443, dns_name="orders.internal"
    )
    # Other names, or the name in VPCs the first zone is not in: no conflict.
    PrivateLinkEndpoint(stack, "Billing", vpc=own, service=SERVICE, port=443, dns_name="b.internal")
    third = PrivateLinkEndpoint(
        stack, "Third", vpc=other, service=SERVICE, port=443, dns_name="orders.internal"
    )

    with pytest.raises(ValidationError) as raised:  # the same VPC
        PrivateLinkEndpoint(
            stack, "Second", vpc=own, service=SERVICE, port=443, dns_name="Orders.Internal."
        )
    assert rules_of(raised) == ["cdk_peering:conflictingPrivateZone"]
    problem = raised.value.problems[0]
    assert problem.message == (
        "This endpoint's private hosted zone orders.internal would be associated with "
        "TestStack/Consumer, which the zone orders.internal of TestStack/First is associated "
        "with already: Route 53 associates a VPC with one private hosted zone of a name "
        "(ConflictingDomainExists), so the deploy would fail."
    )
    assert problem.fix == (
        "Give this endpoint another dns_name (or zone_name), or let TestStack/First serve "
        "TestStack/Consumer (its zone answers orders.internal there already)."
    )
    assert stack.node.try_find_child("Second") is None

    with pytest.raises(ValidationError) as raised:  # a DNS VPC
        PrivateLinkEndpoint(
            stack,
            "Fourth",
            vpc=client,
            service=SERVICE,
            port=443,
            dns_name="orders.internal",
            dns_vpcs=[own],
        )
    assert raised.value.problems[0].fix.endswith(
        "or leave TestStack/Consumer out of this endpoint's peerings and dns_vpcs."
    )

    peering = VpcPeering(stack, "P", requester_vpc=own, accepter_vpc=other)
    with pytest.raises(ValidationError) as raised:  # a served peering's far side
        first.serve_peering(peering)
    assert rules_of(raised) == ["cdk_peering:conflictingPrivateZone"]
    assert "of TestStack/Third is associated with already" in raised.value.problems[0].message
    third.serve_peering(VpcPeering(stack, "Q", requester_vpc=client, accepter_vpc=other))

"""PrivateLinkService: the load balancer, the endpoint service, its options and its errors."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_elasticloadbalancingv2_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks

from cdk_peering import PrivateLinkService, ValidationError
from cdk_peering.rule_ids import ENDPOINT_SERVICE_OPEN_TO_ALL
from tests.conftest import ENV, new_app
from tests.helpers import imported_vpc, make_vpc
from tests.test_gates import ANNOTATIONS, CDK_NAG, STRICT_VALIDATION, findings, synth

PARTNER = "arn:aws:iam::222222222222:root"
CERTIFICATE_ARN = "arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d-aaaa-bbbb-cccc"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
ENDPOINT_SERVICE = "AWS::EC2::VPCEndpointService"

# route53.VpcEndpointServiceDomainName remembers, for the whole jsii process, every endpoint
# service given a domain name (by construct path), so each such test needs its own path.
_unique = itertools.count()


def service(stack: cdk.Stack, **props: Any) -> PrivateLinkService:
    """A PrivateLinkService on port 443 in a new public+isolated VPC (unless given one)."""
    if "vpc" not in props:
        props["vpc"] = make_vpc(stack, "Vpc", "10.0.0.0/16")
    props.setdefault("port", 443)
    return PrivateLinkService(stack, "Service", **props)


def problems_of(stack: cdk.Stack, **props: Any) -> list[tuple[str, str]]:
    """The (rule, message) of every problem ``service(stack, **props)`` raises."""
    with pytest.raises(ValidationError) as raised:
        service(stack, **props)
    return [(p.rule, p.message) for p in raised.value.problems]


def rules_of(stack: cdk.Stack, **props: Any) -> list[str]:
    return [rule for rule, _ in problems_of(stack, **props)]


def the(template: Template, resource_type: str) -> dict[str, Any]:
    """The Properties of the one resource of a type."""
    resources = template.find_resources(resource_type)
    assert len(resources) == 1, resources
    properties: dict[str, Any] = next(iter(resources.values())).get("Properties", {})
    return properties


def ref(stack: cdk.Stack, value: str) -> Any:
    return stack.resolve(value)


def ingress(template: Template) -> list[tuple[str, int, int]]:
    """The security group's ingress rules as (CIDR, from port, to port)."""
    group = the(template, "AWS::EC2::SecurityGroup")
    return sorted(
        (rule.get("CidrIp") or rule["CidrIpv6"], rule["FromPort"], rule["ToPort"])
        for rule in group.get("SecurityGroupIngress", [])
    )


def has_each_port(
    template: Template, resource_type: str, ports: Sequence[int], properties: dict[str, Any]
) -> None:
    """Assert that each port has a resource of the type with these properties."""
    for port in ports:
        template.has_resource_properties(resource_type, {"Port": port, **properties})


def subnets_of(stack: cdk.Stack, vpc: ec2.IVpc, subnet_type: ec2.SubnetType) -> list[Any]:
    return [ref(stack, s.subnet_id) for s in vpc.select_subnets(subnet_type=subnet_type).subnets]


# --- The load balancer


def test_load_balancer_is_internal_cross_zone_in_isolated_subnets(stack: cdk.Stack) -> None:
    built = service(stack)
    template = Template.from_stack(stack)
    nlb = the(template, LOAD_BALANCER)
    assert nlb["Type"] == "network"
    assert nlb["Scheme"] == "internal"
    # make_vpc has no private subnets with egress: the isolated ones are the fallback.
    assert nlb["Subnets"] == subnets_of(stack, built.vpc, ec2.SubnetType.PRIVATE_ISOLATED)
    assert {"Key": "load_balancing.cross_zone.enabled", "Value": "true"} in nlb[
        "LoadBalancerAttributes"
    ]
    assert nlb["SecurityGroups"] == [ref(stack, built.security_group.security_group_id)]


def test_private_subnets_with_egress_come_first(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        ip_addresses=ec2.IpAddresses.cidr("10.0.0.0/16"),
        max_azs=2,
        nat_gateways=1,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC),
            ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        ],
    )
    service(stack, vpc=vpc)
    nlb = the(Template.from_stack(stack), LOAD_BALANCER)
    assert nlb["Subnets"] == subnets_of(stack, vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS)


def test_vpc_subnets_choose_the_subnets(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Vpc", "10.0.0.0/16")
    first = vpc.isolated_subnets[0]
    service(stack, vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnets=[first]))
    assert the(Template.from_stack(stack), LOAD_BALANCER)["Subnets"] == [
        ref(stack, first.subnet_id)
    ]


def test_vpc_subnets_of_another_vpc_are_an_error(stack: cdk.Stack) -> None:
    other = make_vpc(stack, "Other", "10.1.0.0/16", isolated_only=True)
    [(rule, message)] = problems_of(
        stack, vpc_subnets=ec2.SubnetSelection(subnets=[other.isolated_subnets[0]])
    )
    assert rule == "cdk_peering:subnetOfAnotherVpc"
    assert message.startswith(
        "vpc_subnets names TestStack/Other/IsolatedSubnet1 (a subnet of VPC TestStack/Other), "
        "but it selects subnets of TestStack/Vpc"
    )
    assert "load balancer would go in another VPC's subnets" in message


IPV4 = ec2.IpAddressType.IPV4
IPV6 = ec2.IpAddressType.IPV6


@pytest.mark.parametrize(
    ("types", "expected"),
    [([IPV6], "dualstack"), ([IPV4, IPV6], "dualstack"), ([IPV4], None), (None, None)],
    ids=["ipv6", "ipv4-and-ipv6", "ipv4", "default"],
)
def test_load_balancer_is_dualstack_when_the_service_supports_ipv6(
    stack: cdk.Stack, types: list[ec2.IpAddressType] | None, expected: str | None
) -> None:
    # AWS accepts IPv6 on an endpoint service only if all its load balancers are dualstack.
    service(
        stack,
        vpc=make_vpc(stack, "Vpc", "10.0.0.0/16", ipv6=True),
        supported_ip_address_types=types,
    )
    template = Template.from_stack(stack)
    assert the(template, LOAD_BALANCER).get("IpAddressType") == expected
    assert the(template, ENDPOINT_SERVICE).get("SupportedIpAddressTypes") == (
        [t.value.lower() for t in types] if types else None
    )


def test_ipv6_in_an_imported_vpc_is_not_judged(stack: cdk.Stack) -> None:
    # CDK does not know an imported VPC's IPv6 blocks: the load balancer is dualstack.
    service(stack, vpc=imported_vpc(stack, 0), supported_ip_address_types=[IPV6])
    assert the(Template.from_stack(stack), LOAD_BALANCER)["IpAddressType"] == "dualstack"


# --- The security group


def test_security_group_admits_the_vpc_on_the_listener_ports_only(stack: cdk.Stack) -> None:
    service(stack, additional_ports=[8443])
    template = Template.from_stack(stack)
    assert ingress(template) == [("10.0.0.0/16", 443, 443), ("10.0.0.0/16", 8443, 8443)]
    # The VPC default is for clients inside the VPC: PrivateLink traffic is not filtered.
    nlb = the(template, LOAD_BALANCER)
    assert nlb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"


def test_client_cidrs_replace_the_default_and_filter_privatelink(stack: cdk.Stack) -> None:
    service(stack, client_cidrs=["10.20.0.0/16", "2600:1f18:aa00::/56"])
    template = Template.from_stack(stack)
    assert ingress(template) == [("10.20.0.0/16", 443, 443), ("2600:1f18:aa00::/56", 443, 443)]
    nlb = the(template, LOAD_BALANCER)
    assert nlb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "on"


@pytest.mark.parametrize(
    ("client_cidrs", "enforce", "expected"),
    [(["10.20.0.0/16"], False, "off"), (None, True, "on"), ([], None, "off")],
)
def test_privatelink_enforcement_can_be_chosen(
    stack: cdk.Stack, client_cidrs: list[str] | None, enforce: bool | None, expected: str
) -> None:
    service(
        stack,
        client_cidrs=client_cidrs,
        enforce_inbound_rules_on_private_link_traffic=enforce,
    )
    nlb = the(Template.from_stack(stack), LOAD_BALANCER)
    assert nlb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == expected


def test_allow_clients_adds_cidrs_on_every_port_once(stack: cdk.Stack) -> None:
    built = service(stack, additional_ports=[8443], client_cidrs=["10.20.0.0/16"])
    built.allow_clients(["10.30.0.0/16", "10.20.0.0/16"])
    assert ingress(Template.from_stack(stack)) == [
        ("10.20.0.0/16", 443, 443),
        ("10.20.0.0/16", 8443, 8443),
        ("10.30.0.0/16", 443, 443),
        ("10.30.0.0/16", 8443, 8443),
    ]


def test_allow_clients_rejects_a_bad_cidr_and_adds_nothing(stack: cdk.Stack) -> None:
    built = service(stack, client_cidrs=["10.20.0.0/16"])
    with pytest.raises(ValidationError) as raised:
        built.allow_clients(["10.30.0.0/16", "10.300.0.0/16"])
    assert [p.rule for p in raised.value.problems] == ["cdk_peering:invalidClientCidr"]
    assert raised.value.problems[0].path == "TestStack/Service"
    assert ingress(Template.from_stack(stack)) == [("10.20.0.0/16", 443, 443)]


# --- Listeners, target groups and targets


def egress(template: Template) -> list[tuple[Any, Any, int, int]]:
    """The load balancer's outbound rules: (CIDR or group, protocol, from port, to port),
    inline and as AWS::EC2::SecurityGroupEgress resources of its group."""
    [(group_id, group)] = [
        (logical_id, r["Properties"])
        for logical_id, r in template.find_resources("AWS::EC2::SecurityGroup").items()
        if "PrivateLink service" in r["Properties"]["GroupDescription"]
    ]
    rules = list(group.get("SecurityGroupEgress", []))
    rules += [
        r["Properties"]
        for r in template.find_resources("AWS::EC2::SecurityGroupEgress").values()
        if r["Properties"]["GroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}
    ]
    return sorted(
        (
            (
                rule.get("CidrIp") or rule.get("CidrIpv6") or rule["DestinationSecurityGroupId"],
                rule["IpProtocol"],
                rule.get("FromPort", -1),
                rule.get("ToPort", -1),
            )
            for rule in rules
        ),
        key=json.dumps,
    )


def test_outbound_traffic_goes_only_to_the_targets_on_their_ports(stack: cdk.Stack) -> None:
    built = service(
        stack,
        additional_ports=[8443],
        targets=[targets.IpTarget("10.0.128.10"), targets.IpTarget("10.0.192.10", 9000)],
    )
    built.add_targets(443, targets.IpTarget("fd00:ec2::10"))
    assert built.allow_all_outbound is False
    # Each target on its port (the listener's unless it names one), which the TCP health
    # checks use too; nothing else, and never 0.0.0.0/0.
    assert egress(Template.from_stack(stack)) == sorted(
        [
            ("10.0.128.10/32", "tcp", 443, 443),
            ("10.0.128.10/32", "tcp", 8443, 8443),
            ("10.0.192.10/32", "tcp", 9000, 9000),
            ("fd00:ec2::10/128", "tcp", 443, 443),
        ],
        key=json.dumps,
    )


def servers_in(vpc: ec2.IVpc) -> dict[str, Any]:
    """The props of an instance (or a fleet of them) in the VPC's isolated subnets."""
    return {
        "vpc": vpc,
        "vpc_subnets": ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        "instance_type": ec2.InstanceType("t3.micro"),
        "machine_image": ec2.MachineImage.generic_linux({"us-east-1": "ami-0123456789abcdef0"}),
    }


def test_outbound_to_an_instance_target_is_its_private_ip(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Vpc", "10.0.0.0/16")
    instance = ec2.Instance(stack, "Server", **servers_in(vpc))
    service(stack, vpc=vpc, targets=[targets.InstanceTarget(instance)])
    private_ip = {"Fn::GetAtt": [stack.get_logical_id(instance.instance), "PrivateIp"]}
    assert egress(Template.from_stack(stack)) == [
        ({"Fn::Join": ["", [private_ip, "/32"]]}, "tcp", 443, 443)
    ]


def test_outbound_to_a_connectable_target_is_its_security_groups(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Vpc", "10.0.0.0/16")
    servers = ec2.SecurityGroup(stack, "Servers", vpc=vpc)
    fleet = autoscaling.AutoScalingGroup(stack, "Fleet", security_group=servers, **servers_in(vpc))
    service(stack, vpc=vpc, targets=[fleet])
    assert egress(Template.from_stack(stack)) == [
        (
            stack.resolve(servers.security_group_id),
            "tcp",
            443,
            443,
        )
    ]


def test_outbound_to_a_target_of_unknown_address_is_the_vpc(stack: cdk.Stack) -> None:
    service(stack, targets=[targets.InstanceIdTarget("i-0123456789abcdef0")])
    assert egress(Template.from_stack(stack)) == [("10.0.0.0/16", "tcp", 443, 443)]


def test_without_targets_nothing_goes_out(stack: cdk.Stack) -> None:
    service(stack, target_type=elbv2.TargetType.IP)
    # aws-cdk-lib's placeholder for a group with no outbound rule: it matches no traffic.
    assert egress(Template.from_stack(stack)) == [("255.255.255.255/32", "icmp", 252, 86)]


def test_allow_all_outbound_is_an_opt_in(stack: cdk.Stack) -> None:
    built = service(stack, allow_all_outbound=True, targets=[targets.IpTarget("10.0.128.10")])
    assert built.allow_all_outbound is True
    assert egress(Template.from_stack(stack)) == [("0.0.0.0/0", "-1", -1, -1)]


def test_one_tcp_listener_and_target_group_per_port(stack: cdk.Stack) -> None:
    built = service(stack, additional_ports=[8443, 9000])
    template = Template.from_stack(stack)
    assert built.ports == [443, 8443, 9000]
    template.resource_count_is(LISTENER, 3)
    template.resource_count_is(TARGET_GROUP, 3)
    for port in built.ports:
        group = built.target_groups[port]
        template.has_resource_properties(
            LISTENER,
            {
                "Port": port,
                "Protocol": "TCP",
                "LoadBalancerArn": ref(stack, built.load_balancer.load_balancer_arn),
                "DefaultActions": [
                    {"Type": "forward", "TargetGroupArn": ref(stack, group.target_group_arn)}
                ],
            },
        )
    has_each_port(
        template,
        TARGET_GROUP,
        built.ports,
        {
            "Protocol": "TCP",
            "HealthCheckEnabled": True,
            "HealthCheckProtocol": "TCP",
            "TargetType": "instance",
        },
    )


def test_certificates_make_tls_listeners(stack: cdk.Stack) -> None:
    certificate = elbv2.ListenerCertificate.from_arn(CERTIFICATE_ARN)
    service(stack, additional_ports=[8443], certificates=[certificate])
    template = Template.from_stack(stack)
    has_each_port(
        template,
        LISTENER,
        (443, 8443),
        {
            "Protocol": "TLS",
            "Certificates": [{"CertificateArn": CERTIFICATE_ARN}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        },
    )
    # TLS ends at the load balancer; the targets get TCP.
    template.all_resources_properties(TARGET_GROUP, {"Protocol": "TCP"})


def test_targets_are_registered_in_every_target_group(stack: cdk.Stack) -> None:
    service(
        stack,
        additional_ports=[8443],
        targets=[targets.IpTarget("10.0.1.10"), targets.IpTarget("10.0.1.11")],
    )
    template = Template.from_stack(stack)
    has_each_port(
        template,
        TARGET_GROUP,
        (443, 8443),
        {"TargetType": "ip", "Targets": [{"Id": "10.0.1.10"}, {"Id": "10.0.1.11"}]},
    )


def test_add_targets_registers_later_in_one_port(stack: cdk.Stack) -> None:
    built = service(stack, additional_ports=[8443], target_type=elbv2.TargetType.IP)
    built.add_targets(8443, targets.IpTarget("10.0.1.10", 9443))
    template = Template.from_stack(stack)
    template.has_resource_properties(
        TARGET_GROUP,
        {"Port": 8443, "TargetType": "ip", "Targets": [{"Id": "10.0.1.10", "Port": 9443}]},
    )
    template.has_resource_properties(
        TARGET_GROUP, {"Port": 443, "TargetType": "ip", "Targets": Match.absent()}
    )


def test_add_targets_rejects_a_port_without_listener(stack: cdk.Stack) -> None:
    built = service(stack)
    with pytest.raises(ValidationError) as raised:
        built.add_targets(80, targets.IpTarget("10.0.1.10"))
    [problem] = raised.value.problems
    assert problem.rule == "cdk_peering:unknownListenerPort"
    assert "port 80 has no listener" in problem.message


# --- Access logs


def test_without_bucket_no_access_logs_with_reasons(stack: cdk.Stack) -> None:
    service(stack)
    [nlb] = Template.from_stack(stack).find_resources(LOAD_BALANCER).values()
    assert not any(
        a["Key"].startswith("access_logs")
        for a in nlb["Properties"].get("LoadBalancerAttributes", [])
    )
    [skip] = nlb["Metadata"]["checkov"]["skip"]
    assert skip["id"] == "CKV_AWS_91"
    assert "TLS listeners only" in skip["comment"]


def test_access_logs_bucket_turns_logs_on(stack: cdk.Stack) -> None:
    bucket = s3.Bucket(stack, "Logs")
    service(stack, access_logs_bucket=bucket, access_logs_prefix="orders")
    [nlb] = Template.from_stack(stack).find_resources(LOAD_BALANCER).values()
    attributes = nlb["Properties"]["LoadBalancerAttributes"]
    assert {"Key": "access_logs.s3.enabled", "Value": "true"} in attributes
    assert {"Key": "access_logs.s3.bucket", "Value": ref(stack, bucket.bucket_name)} in attributes
    assert {"Key": "access_logs.s3.prefix", "Value": "orders"} in attributes
    assert "checkov" not in nlb.get("Metadata", {})


# --- The endpoint service


def test_endpoint_service_requires_acceptance_by_default(stack: cdk.Stack) -> None:
    built = service(stack)
    template = Template.from_stack(stack)
    assert the(template, ENDPOINT_SERVICE) == {
        "AcceptanceRequired": True,
        "NetworkLoadBalancerArns": [ref(stack, built.load_balancer.load_balancer_arn)],
    }
    template.resource_count_is("AWS::EC2::VPCEndpointServicePermissions", 0)


def test_endpoint_service_options(stack: cdk.Stack) -> None:
    service(
        stack,
        vpc=make_vpc(stack, "Vpc", "10.0.0.0/16", ipv6=True),
        acceptance_required=False,
        allowed_regions=["eu-west-1", "ap-southeast-2"],
        contributor_insights=True,
        supported_ip_address_types=[ec2.IpAddressType.IPV4, ec2.IpAddressType.IPV6],
    )
    properties = the(Template.from_stack(stack), ENDPOINT_SERVICE)
    assert properties["AcceptanceRequired"] is False
    assert properties["SupportedRegions"] == ["eu-west-1", "ap-southeast-2"]
    assert properties["ContributorInsightsEnabled"] is True
    assert properties["SupportedIpAddressTypes"] == ["ipv4", "ipv6"]


def test_allowed_principals_are_the_permissions(stack: cdk.Stack) -> None:
    built = service(stack, allowed_principals=[iam.ArnPrincipal(PARTNER)])
    permissions = the(Template.from_stack(stack), "AWS::EC2::VPCEndpointServicePermissions")
    assert permissions == {
        "ServiceId": ref(stack, built.service_id),
        "AllowedPrincipals": [PARTNER],
    }


def test_everyone_needs_opt_in(stack: cdk.Stack) -> None:
    [(rule, message)] = problems_of(stack, allowed_principals=[iam.ArnPrincipal("*")])
    assert rule == "cdk_peering:allPrincipalsWithoutOptIn"
    assert "every AWS account" in message
    assert stack.node.try_find_child("Service") is None


@pytest.mark.parametrize("principals", [[iam.ArnPrincipal("*")], []], ids=["star", "opt-in"])
def test_everyone_with_opt_in_is_allowed_with_a_warning(
    stack: cdk.Stack, principals: list[iam.ArnPrincipal]
) -> None:
    service(stack, allowed_principals=principals, allow_all_principals=True)
    template = Template.from_stack(stack)
    permissions = the(template, "AWS::EC2::VPCEndpointServicePermissions")
    assert permissions["AllowedPrincipals"] == ["*"]
    Annotations.from_stack(stack).has_warning(
        "/TestStack/Service", Match.string_like_regexp("Every AWS principal may create")
    )
    warnings = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    assert any(ENDPOINT_SERVICE_OPEN_TO_ALL in str(w.entry.data) for w in warnings)


def test_no_warning_without_everyone(stack: cdk.Stack) -> None:
    service(stack, allowed_principals=[iam.ArnPrincipal(PARTNER)])
    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def test_notification_topic_gets_every_connection_event(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    built = service(stack, notification_topic=topic)
    template = Template.from_stack(stack)
    assert the(template, "AWS::EC2::VPCEndpointConnectionNotification") == {
        "ConnectionEvents": ["Accept", "Connect", "Delete", "Reject"],
        "ConnectionNotificationArn": ref(stack, topic.topic_arn),
        "ServiceId": ref(stack, built.service_id),
    }
    statement = the(template, "AWS::SNS::TopicPolicy")["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "vpce.amazonaws.com"}
    assert statement["Action"] == "sns:Publish"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "111111111111"}
    assert built.connection_notification is not None


def test_notification_topic_of_another_stack_makes_no_cycle(stack: cdk.Stack) -> None:
    # A shared alerts topic in an operations stack: its policy names this account's
    # services (no reference back to this stack), the notification reads its ARN weakly.
    app = cast(cdk.App, stack.node.root)
    ops = cdk.Stack(app, "Ops", env=ENV)
    topic = sns.Topic(ops, "Alerts")
    service(stack, notification_topic=topic)
    assembly = app.synth()
    [statement] = Template.from_stack(ops).find_resources("AWS::SNS::TopicPolicy").values()
    condition = statement["Properties"]["PolicyDocument"]["Statement"][0]["Condition"]
    assert condition["ArnLike"] == {
        "aws:SourceArn": "arn:aws:ec2:us-east-1:111111111111:vpc-endpoint-service/*"
    }
    notification = the(Template.from_stack(stack), "AWS::EC2::VPCEndpointConnectionNotification")
    assert "Fn::GetStackOutput" in notification["ConnectionNotificationArn"]
    dependencies = {d.id for d in assembly.get_stack_by_name("TestStack").dependencies}
    assert "Ops" in dependencies
    assert "TestStack" not in {d.id for d in assembly.get_stack_by_name("Ops").dependencies}


def test_targets_of_another_type_than_the_group_are_an_error(stack: cdk.Stack) -> None:
    built = service(stack)  # no targets, no target_type: the group takes instances
    with pytest.raises(ValidationError) as raised:
        built.add_targets(443, targets.IpTarget("10.0.0.10"))
    [problem] = raised.value.problems
    assert (problem.path, problem.rule) == ("TestStack/Service", "cdk_peering:targetTypeMismatch")
    assert problem.message == (
        "The targets for port 443 are of type ip, but the target group's type is instance: a "
        "target group holds targets of one type."
    )
    assert "AlreadyType" not in str(raised.value)
    assert "target_type=" in problem.fix


def test_private_dns_name_is_set_on_the_endpoint_service(stack: cdk.Stack) -> None:
    built = service(stack, private_dns_name="orders.example.com")
    template = Template.from_stack(stack)
    assert the(template, ENDPOINT_SERVICE)["PrivateDnsName"] == "orders.example.com"
    logical_id = stack.get_logical_id(built.cfn_endpoint_service)
    assert ref(stack, built.domain_verification_name or "") == {
        "Fn::GetAtt": [logical_id, "PrivateDnsNameConfiguration.Name"]
    }
    assert ref(stack, built.domain_verification_value or "") == {
        "Fn::GetAtt": [logical_id, "PrivateDnsNameConfiguration.Value"]
    }
    template.resource_count_is("Custom::AWS", 0)


def test_hosted_zone_verifies_the_name_with_vpc_endpoint_service_domain_name() -> None:
    stack = cdk.Stack(new_app(), f"ZoneStack{next(_unique)}", env=ENV)
    zone = route53.PublicHostedZone(stack, "Zone", zone_name="example.com")
    built = service(stack, private_dns_name="orders.example.com", public_hosted_zone=zone)
    template = Template.from_stack(stack)
    assert built.domain_name is not None
    # VpcEndpointServiceDomainName owns the name; the L1 does not set it a second time.
    assert "PrivateDnsName" not in the(template, ENDPOINT_SERVICE)
    calls = [
        json.dumps(r["Properties"]["Create"])
        for r in template.find_resources("Custom::AWS").values()
    ]
    actions = sorted(
        action
        for action in (
            "modifyVpcEndpointServiceConfiguration",
            "describeVpcEndpointServiceConfigurations",
            "startVpcEndpointServicePrivateDnsVerification",
        )
        for call in calls
        if f'\\"action\\":\\"{action}\\"' in call
    )
    assert len(calls) == 3
    assert actions == [
        "describeVpcEndpointServiceConfigurations",
        "modifyVpcEndpointServiceConfiguration",
        "startVpcEndpointServicePrivateDnsVerification",
    ]
    record = the(template, "AWS::Route53::RecordSet")
    assert record["Type"] == "TXT"
    assert record["HostedZoneId"] == ref(stack, zone.hosted_zone_id)
    name = ref(stack, built.domain_verification_name or "")
    assert name["Fn::GetAtt"][1] == "ServiceConfigurations.0.PrivateDnsNameConfiguration.Name"


# --- Attributes


def test_attributes(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Vpc", "10.0.0.0/16")
    built = service(stack, vpc=vpc, additional_ports=[8443])
    assert built.vpc is vpc
    assert built.ports == [443, 8443]
    assert isinstance(built.load_balancer, elbv2.NetworkLoadBalancer)
    assert isinstance(built.endpoint_service, ec2.VpcEndpointService)
    assert isinstance(built.security_group, ec2.SecurityGroup)
    service_logical_id = stack.get_logical_id(built.cfn_endpoint_service)
    assert ref(stack, built.service_id) == {"Ref": service_logical_id}
    assert ref(stack, built.service_name) == {
        "Fn::Join": [
            ".",
            ["com.amazonaws.vpce", {"Ref": "AWS::Region"}, {"Ref": service_logical_id}],
        ]
    }
    assert built.domain_verification_name is None
    assert built.connection_notification is None
    assert built.allowed_regions == ()
    assert built.allowed_principals == ()


def test_allowed_regions_and_principals_are_attributes(stack: cdk.Stack) -> None:
    partner = iam.ArnPrincipal(PARTNER)
    built = service(
        stack,
        allowed_regions=["eu-west-1"],
        allowed_principals=[partner],
        allow_all_principals=True,
    )
    assert built.allowed_regions == ("eu-west-1",)
    # The permissions as written: the named principals, then "*" for allow_all_principals.
    assert [p.arn for p in built.allowed_principals] == [PARTNER, "*"]
    assert built.allowed_principals[0] is partner


# --- Errors


@pytest.mark.parametrize("additional_ports", [None, [8443]])
def test_rejects_no_listener_port(stack: cdk.Stack, additional_ports: list[int] | None) -> None:
    found = rules_of(stack, port=None, additional_ports=additional_ports)
    assert found == ["cdk_peering:noListenerPort"]


@pytest.mark.parametrize("bad", [0, 65536, -1])
def test_rejects_a_port_out_of_range(stack: cdk.Stack, bad: int) -> None:
    [(rule, message)] = problems_of(stack, additional_ports=[bad])
    assert rule == "cdk_peering:portOutOfRange"
    assert message == (
        f"Listener port {bad} is out of range: a listener port is a whole number from 1 to 65535."
    )


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"port": "443"}, "port is '443' (a str), but it must be a whole number."),
        ({"port": 443.0}, "port is 443.0 (a float), but it must be a whole number."),
        ({"port": True}, "port is True (a bool), but it must be a whole number."),
        (
            {"additional_ports": [80.5, "8080"]},
            "additional_ports is [80.5, '8080'] (a list), but it must be a list of whole numbers.",
        ),
        (
            {"additional_ports": [None]},
            "additional_ports is [None] (a list), but it must be a list of whole numbers.",
        ),
    ],
)
def test_a_port_that_is_no_number_is_a_wrong_type_not_out_of_range(
    stack: cdk.Stack, props: dict[str, Any], message: str
) -> None:
    assert problems_of(stack, **props) == [("cdk_peering:invalidParameterType", message)]


def test_rejects_a_port_given_twice(stack: cdk.Stack) -> None:
    assert rules_of(stack, additional_ports=[8443, 443]) == ["cdk_peering:duplicateListenerPort"]


def test_rejects_the_own_region_and_unknown_regions(stack: cdk.Stack) -> None:
    found = problems_of(stack, allowed_regions=["us-east-1", "eu-west-1", "eu-westt-1"])
    assert [rule for rule, _ in found] == [
        "cdk_peering:allowedRegionIsOwnRegion",
        "cdk_peering:unknownRegion",
    ]
    assert "us-east-1, the service's own Region" in found[0][1]
    assert "['eu-westt-1']" in found[1][1]


def test_region_tokens_are_not_checked() -> None:
    stack = cdk.Stack(new_app(), "Agnostic")
    region = cdk.CfnParameter(stack, "ConsumerRegion").value_as_string
    service(stack, allowed_regions=["us-east-1", region])
    properties = the(Template.from_stack(stack), ENDPOINT_SERVICE)
    assert properties["SupportedRegions"] == ["us-east-1", {"Ref": "ConsumerRegion"}]


def test_rejects_public_subnets(stack: cdk.Stack) -> None:
    public = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)
    [(rule, message)] = problems_of(stack, vpc_subnets=public)
    assert rule == "cdk_peering:publicSubnetsForInternalNlb"
    assert "selects public subnets of TestStack/Vpc" in message


def test_rejects_a_vpc_with_only_public_subnets(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(
        stack,
        "PublicOnly",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)
        ],
    )
    assert rules_of(stack, vpc=vpc) == ["cdk_peering:publicSubnetsForInternalNlb"]


def test_rejects_a_selection_of_missing_subnets(stack: cdk.Stack) -> None:
    egress = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
    assert problems_of(stack, vpc_subnets=egress) == [
        (
            "cdk_peering:emptySubnetSelection",
            # The library's words, not aws-cdk-lib's ("There are no 'Private' subnet groups").
            "vpc_subnets (subnet_type=PRIVATE_WITH_EGRESS) matches no subnet of TestStack/Vpc, "
            "whose subnets are Public (PUBLIC, 2 subnets) and Isolated (PRIVATE_ISOLATED, 2 "
            "subnets).",
        )
    ]


def test_rejects_a_vpc_without_subnets(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Empty", subnet_configuration=[])
    assert problems_of(stack, vpc=vpc) == [
        (
            "cdk_peering:emptySubnetSelection",
            "VPC TestStack/Empty has no subnet: the service's load balancer has no subnet to "
            "go in.",
        )
    ]


def test_rejects_a_private_dns_name_that_is_no_dns_name(stack: cdk.Stack) -> None:
    [(rule, message)] = problems_of(stack, private_dns_name="orders..example.com")
    assert rule == "cdk_peering:invalidDnsName"
    assert message == (
        "private_dns_name 'orders..example.com' is not a DNS name: it has an empty label (two "
        "dots in a row, or a leading dot)."
    )


def test_rejects_ipv6_support_in_a_vpc_without_ipv6(stack: cdk.Stack) -> None:
    [(rule, message)] = problems_of(stack, supported_ip_address_types=[IPV4, IPV6])
    assert rule == "cdk_peering:endpointServiceIpv6WithoutVpcIpv6"
    assert "supported_ip_address_types includes IPV6" in message
    assert "VPC TestStack/Vpc has no IPv6 CIDR block beside it and no subnet" in message
    assert stack.node.try_find_child("Service") is None


def test_rejects_a_bad_client_cidr(stack: cdk.Stack) -> None:
    [(rule, message)] = problems_of(stack, client_cidrs=["10.20.0.0/16", "ten/8"])
    assert rule == "cdk_peering:invalidClientCidr"
    assert message == "Client CIDR 'ten/8' is not a CIDR block."


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        (None, "cdk_peering:hostedZoneWithoutPrivateDnsName"),
        ("orders.example.org", "cdk_peering:privateDnsNameOutsideZone"),
        ("notexample.com", "cdk_peering:privateDnsNameOutsideZone"),
    ],
)
def test_rejects_a_zone_without_the_name(stack: cdk.Stack, name: str | None, rule: str) -> None:
    zone = route53.PublicHostedZone(stack, "Zone", zone_name="example.com")
    assert rules_of(stack, public_hosted_zone=zone, private_dns_name=name) == [rule]


def test_reports_every_problem_and_adds_nothing(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "Vpc", "10.0.0.0/16")
    children = len(stack.node.children)
    assert rules_of(
        stack,
        vpc=vpc,
        port=0,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
        client_cidrs=["nope"],
        allowed_regions=["us-east-1"],
        allowed_principals=[iam.ArnPrincipal("*")],
    ) == [
        "cdk_peering:portOutOfRange",
        "cdk_peering:publicSubnetsForInternalNlb",
        "cdk_peering:invalidClientCidr",
        "cdk_peering:allowedRegionIsOwnRegion",
        "cdk_peering:allPrincipalsWithoutOptIn",
    ]
    assert len(stack.node.children) == children
    assert stack.node.try_find_child("Service") is None


# --- cdk-nag


def _everything(stack: cdk.Stack) -> dict[str, Any]:
    zone = route53.PublicHostedZone(stack, "Zone", zone_name="example.com")
    return {
        "additional_ports": [8443],
        "certificates": [elbv2.ListenerCertificate.from_arn(CERTIFICATE_ARN)],
        "allowed_principals": [iam.ArnPrincipal(PARTNER)],
        "allowed_regions": ["eu-west-1"],
        "contributor_insights": True,
        "notification_topic": sns.Topic(stack, "Topic", enforce_ssl=True),
        "private_dns_name": "orders.example.com",
        "public_hosted_zone": zone,
    }


@pytest.mark.parametrize("everything", [False, True], ids=["defaults", "every-option"])
def test_aws_solutions_reports_no_unacknowledged_finding(everything: bool) -> None:
    app = new_app(**STRICT_VALIDATION)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    stack = cdk.Stack(app, f"Provider{next(_unique)}", env=ENV)
    vpc = make_vpc(stack, "Vpc", "10.0.0.0/16")
    cdk.Validations.of(vpc).acknowledge(
        cdk.Acknowledgment(id="AwsSolutions-VPC7", reason="test VPC, not under test")
    )
    service(stack, vpc=vpc, **(_everything(stack) if everything else {}))
    result = synth(app)
    assert result.error is None, result.error
    assert findings(result.report, CDK_NAG) == []
    assert findings(result.report, ANNOTATIONS) == []
    [nag] = [r for r in result.report["pluginReports"] if r["pluginName"] == CDK_NAG]
    suppressed = {v["ruleName"]: v["reason"] for v in nag.get("suppressedViolations", [])}
    assert "TLS listeners" in suppressed["AwsSolutions-ELB2"]
    if everything:
        assert (
            "supports no resource-level permissions" in suppressed["AwsSolutions-IAM5[Resource::*]"]
        )
        # The reason says what aws-cdk-lib's managed policy allows, and nothing untrue.
        lambda_basic = suppressed[
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]"
        ]
        assert (
            "logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents on every log group"
            in lambda_basic
        )
        assert "wildcard" not in lambda_basic
        # The short id acknowledging VPC7 above is not listed; the construct's full ids are.
        assert sorted(suppressed) == [
            "AwsSolutions-ELB2",
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "AwsSolutions-IAM5[Resource::*]",
        ]

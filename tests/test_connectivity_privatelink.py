"""Reachability by DNS name to PrivateLink endpoints, built with aws-cdk-lib's own L2s.

Provider (10.30.0.0/16) publishes four endpoint services behind NLBs listening on 443:
Open (no acceptance), Accepted and Pending (acceptance required; an AwsCustomResource
accepts Accepted's endpoint), Strict (its NLB's security group admits only the provider
VPC, enforced on PrivateLink traffic). Consumer: VPC S holds an endpoint to each, whose
security group admits 10.0.0.0/8 on 443; zone svc.internal is associated with S, A and D
(D is not peered), and with E by an AwsCustomResource; C is peered but only authorized.
"""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_elasticloadbalancingv2_targets as elbv2_targets
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import custom_resources as cr

from cdk_peering.connectivity import Network
from cdk_peering.testing import assert_not_reachable, assert_reachable
from tests.conftest import ENV
from tests.connectivity_apps import network_of, new_app, peer, vpc

ISOLATED = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
EXTERNAL_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"


def _call(service: str, action: str, parameters: Mapping[str, object]) -> cr.AwsSdkCall:
    return cr.AwsSdkCall(
        service=service,
        action=action,
        parameters=parameters,
        physical_resource_id=cr.PhysicalResourceId.of(action),
    )


def _sdk(scope: cdk.Stack, id: str, call: cr.AwsSdkCall) -> None:
    cr.AwsCustomResource(
        scope,
        id,
        on_create=call,
        on_update=call,
        policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
            resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
        ),
        install_latest_aws_sdk=False,
    )


@pytest.fixture(scope="module")
def network() -> Network:
    app = new_app()
    provider = cdk.Stack(app, "Provider", env=ENV)
    p = vpc(provider, "P", "10.30.0.0/16")
    services: dict[str, ec2.VpcEndpointService] = {}
    for name, admit, acceptance in (
        ("Open", "10.0.0.0/8", False),
        ("Accepted", "10.0.0.0/8", True),
        ("Pending", "10.0.0.0/8", True),
        ("Strict", "10.30.0.0/16", False),
    ):
        group = ec2.SecurityGroup(provider, f"{name}Group", vpc=p, allow_all_outbound=False)
        group.add_ingress_rule(ec2.Peer.ipv4(admit), ec2.Port.tcp(443))
        nlb = elbv2.NetworkLoadBalancer(
            provider, f"{name}Nlb", vpc=p, security_groups=[group], vpc_subnets=ISOLATED
        )
        nlb.add_listener("L443", port=443).add_targets(
            "Targets", port=443, targets=[elbv2_targets.IpTarget("10.30.0.10")]
        )
        services[name] = ec2.VpcEndpointService(
            provider,
            name,
            vpc_endpoint_service_load_balancers=[nlb],
            acceptance_required=acceptance,
        )

    consumer = cdk.Stack(app, "Consumer", env=ENV)
    s, a, c, d, e = (
        vpc(consumer, name, f"10.{i}.0.0/16") for i, name in enumerate(["S", "A", "C", "D", "E"])
    )
    for other in (a, c, e):
        peer(consumer, f"{other.node.id}ToS", other, s)
    zone = route53.PrivateHostedZone(consumer, "Zone", zone_name="svc.internal", vpc=s)
    zone.add_vpc(a)
    zone.add_vpc(d)
    endpoints: dict[str, ec2.InterfaceVpcEndpoint] = {}
    for name, service in services.items():
        endpoint = ec2.InterfaceVpcEndpoint(
            consumer,
            f"{name}Endpoint",
            vpc=s,
            service=ec2.InterfaceVpcEndpointService(service.vpc_endpoint_service_name, 443),
            private_dns_enabled=False,
            open=False,
            subnets=ISOLATED,
        )
        endpoint.connections.allow_from(ec2.Peer.ipv4("10.0.0.0/8"), ec2.Port.tcp(443))
        route53.ARecord(
            consumer,
            f"{name}Record",
            zone=zone,
            record_name=f"{name.lower()}.svc.internal",
            target=route53.RecordTarget.from_alias(
                route53_targets.InterfaceVpcEndpointTarget(endpoint)
            ),
        )
        endpoints[name] = endpoint
    endpoints["Open"].connections.allow_from(ec2.Peer.ipv4("10.0.0.0/8"), ec2.Port.tcp(8443))
    route53.ARecord(
        consumer,
        "DirectRecord",
        zone=zone,
        record_name="direct.svc.internal",
        target=route53.RecordTarget.from_ip_addresses("10.0.0.10"),
    )
    _sdk(
        consumer,
        "Accept",
        _call(
            "EC2",
            "acceptVpcEndpointConnections",
            {
                "ServiceId": services["Accepted"].vpc_endpoint_service_id,
                "VpcEndpointIds": [endpoints["Accepted"].vpc_endpoint_id],
            },
        ),
    )
    for action, other in (
        ("associateVPCWithHostedZone", e),
        ("createVPCAssociationAuthorization", c),
    ):
        parameters = {
            "HostedZoneId": zone.hosted_zone_id,
            "VPC": {"VPCId": other.vpc_id, "VPCRegion": "us-east-1"},
        }
        _sdk(consumer, f"{action[:9].title()}{other.node.id}", _call("Route53", action, parameters))
    s.add_interface_endpoint("Ssm", service=ec2.InterfaceVpcEndpointAwsService.SSM)
    ec2.InterfaceVpcEndpoint(
        consumer,
        "External",
        vpc=s,
        service=ec2.InterfaceVpcEndpointService(EXTERNAL_SERVICE, 443),
        private_dns_enabled=False,
    )
    return network_of(app)


def test_a_peered_vpc_reaches_an_endpoint_by_name(network: Network) -> None:
    answer = assert_reachable(network, "Consumer/A", "open.svc.internal", port=443)
    kinds = [hop.kind for hop in answer.hops]
    assert kinds[0] == "dns"
    assert kinds[-5:] == ["endpoint", "security-group", "acceptance", "listener", "security-group"]
    assert answer.hops[0] == (
        "dns open.svc.internal: private hosted zone Consumer/Zone (associated with Consumer/A), "
        "record A -> alias to endpoint Consumer/OpenEndpoint"
    )
    assert "peering Consumer/AToS (Consumer/A -> Consumer/S)" in answer.hops
    assert answer.hops[-1].path == "Provider/OpenGroup"


def test_an_endpoint_someone_accepts(network: Network) -> None:
    answer = assert_reachable(network, "Consumer/A", "accepted.svc.internal", port=443)
    assert (
        "endpoint service Provider/Accepted: connection accepted by Consumer/Accept" in answer.hops
    )


def test_an_endpoint_nothing_accepts(network: Network) -> None:
    answer = assert_not_reachable(network, "Consumer/A", "pending.svc.internal", port=443)
    assert answer.reason == (
        "endpoint Consumer/PendingEndpoint's connection to endpoint service Provider/Pending "
        "is never accepted: the service requires acceptance (AcceptanceRequired) and no stack "
        "of the assembly accepts it"
    )


def test_the_port_must_pass_every_security_group_and_a_listener(network: Network) -> None:
    wrong = assert_not_reachable(network, "Consumer/A", "open.svc.internal", port=80)
    assert wrong.reason == (
        "security group Consumer/OpenEndpoint/SecurityGroup of endpoint Consumer/OpenEndpoint "
        "does not admit 10.1.0.0/16 on port 80"
    )
    unheard = assert_not_reachable(network, "Consumer/A", "open.svc.internal", port=8443)
    assert str(unheard.reason).startswith(
        "load balancer Provider/OpenNlb of endpoint service Provider/Open has no listener on "
        "port 8443"
    )
    strict = assert_not_reachable(network, "Consumer/A", "strict.svc.internal", port=443)
    assert "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is on" in str(strict.reason)
    # Without a port, security groups and listeners are not asked.
    assert_reachable(network, "Consumer/A", "strict.svc.internal")


def test_a_name_resolves_only_through_zones_of_the_source_vpc(network: Network) -> None:
    answer = assert_not_reachable(network, "Consumer/C", "open.svc.internal", port=443)
    assert answer.reason == (
        "open.svc.internal is not resolvable from VPC Consumer/C: no private hosted zone for it "
        "is associated with Consumer/C"
    )
    answer = assert_reachable(network, "Consumer/E", "open.svc.internal", port=443)
    assert "(associated with Consumer/E by Consumer/AssociateE)" in answer.hops[0]
    missing = assert_not_reachable(network, "Consumer/A", "nothing.svc.internal")
    assert "has no A record in private hosted zone Consumer/Zone" in str(missing.reason)


def test_a_zone_without_a_peering_is_not_enough(network: Network) -> None:
    answer = assert_not_reachable(network, "Consumer/D", "open.svc.internal", port=443)
    assert answer.reason == (
        "route table Consumer/D/IsolatedSubnet1/RouteTable has no route to 10.0.0.0/16"
    )


def test_a_record_of_addresses(network: Network) -> None:
    answer = assert_reachable(network, "Consumer/A", "direct.svc.internal")
    assert "record A -> 10.0.0.10" in answer.hops[0]


def test_an_aws_service_needs_no_acceptance(network: Network) -> None:
    answer = assert_reachable(network, "Consumer/S", "Consumer/S/Ssm", port=443)
    assert answer.hops[-1].kind == "acceptance"
    assert answer.hops[-1].startswith("AWS service com.amazonaws.us-east-1.ssm")


def test_a_service_outside_the_assembly_is_unknown(network: Network) -> None:
    answer = network.reachability("Consumer/S", "Consumer/External", port=443)
    assert not answer
    assert answer.unknown
    assert answer.reason == (
        "whether the connection of endpoint Consumer/External is accepted is unknown: its "
        f"service {EXTERNAL_SERVICE} is not in this assembly"
    )
    assert any("Consumer/External" in each for each in network.unknowns)

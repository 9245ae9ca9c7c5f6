"""The deploy-time handler (cdk_peering/cdk/handler.py), driven as CloudFormation drives it.

Each setting is made, kept through a replacement (the successor created before the old
resource is deleted, as CloudFormation's clean-up does), and undone by its last owner;
deletes and retries converge. moto serves EC2 and Route 53 in-process, with the answers
AWS gives where moto differs (tests/deploy_events.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from cdk_peering.cdk import handler
from tests.deploy_events import (
    REGION,
    Aws,
    FakeResource,
    FakeStack,
    client_error,
    replace,
)

DNS = "AllowDnsResolutionFromRemoteVpc"
MULTIPATH = "AllowMultipathResilience"


@pytest.fixture(scope="module")
def cloud() -> Iterator[Aws]:
    """One moto for the module (its clients take a second to make); each test makes its own
    VPCs, connections and zones."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(key, "testing")
        with mock_aws():
            yield Aws()


@pytest.fixture
def aws(cloud: Aws, monkeypatch: pytest.MonkeyPatch) -> Aws:
    monkeypatch.setattr(handler, "sleep", lambda seconds: None)
    cloud.ec2.endpoints.clear()
    cloud.route53.authorizations.clear()
    return cloud


def options(
    aws: Aws, connection_id: str, given: dict[str, bool], side: str = "Requester"
) -> FakeResource:
    props = {"VpcPeeringConnectionId": connection_id, "Side": side, "Options": given}
    return FakeResource(aws, FakeStack(), "SideDnsOptions", handler.OPTIONS, props)


def owner_tags(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if k.startswith(handler.OWNER_KEY)}


def zone_marks(aws: Aws, zone_id: str) -> dict[str, str]:
    """The zone's owners' tags, ``cdk-peering:owners:<n>``."""
    return {k: v for k, v in aws.zone_tags(zone_id).items() if k.startswith("cdk-peering:owners:")}


def zone_owners(aws: Aws, zone_id: str) -> dict[str, str]:
    """Each owner's token and whether its setting was made (``m``) or found (``f``): the
    owners' tags hold one word per owner, its token (12 hex digits), the digest of its
    setting (10) and ``m`` or ``f``."""
    words = [word for value in zone_marks(aws, zone_id).values() for word in value.split()]
    assert all(len(word) == 23 for word in words), words
    return {word[:12]: word[22] for word in words}


# --- peering options


def test_options_are_set_and_their_owner_marked(aws: Aws) -> None:
    pcx = aws.connection()
    resource = options(aws, pcx, {DNS: True, MULTIPATH: True})

    physical_id = resource.create()

    assert aws.options(pcx)[DNS] is True
    assert aws.options(pcx)[MULTIPATH] is True
    assert aws.options(pcx)["MultipathResilienceMode"] == "always-on"
    assert aws.options(pcx, "Accepter")[DNS] is False  # the other side is left alone
    [(key, value)] = owner_tags(aws.tags(pcx)).items()
    assert physical_id == f"{pcx}/requester-options/{key.removeprefix(handler.OWNER_KEY)}"
    assert value == f"requester-options made {DNS} {MULTIPATH}"


def test_a_replacement_leaves_the_options_on_and_the_last_owner_turns_them_off(
    aws: Aws,
) -> None:
    pcx = aws.connection()
    first = options(aws, pcx, {DNS: True})
    first.create()

    # Renamed: CloudFormation creates the successor, then deletes the old resource.
    renamed = replace(first, logical_id="RenamedDnsOptions")
    assert aws.options(pcx)[DNS] is True
    # Moved to another stack, the new stack deployed first.
    moved = replace(renamed, logical_id="RenamedDnsOptions", stack=FakeStack("Other"))
    assert aws.options(pcx)[DNS] is True
    assert len(owner_tags(aws.tags(pcx))) == 1

    moved.delete()  # the last owner

    assert aws.options(pcx)[DNS] is False
    assert owner_tags(aws.tags(pcx)) == {}


def test_a_move_whose_old_stack_goes_first_ends_with_the_options_on(aws: Aws) -> None:
    pcx = aws.connection()
    old = options(aws, pcx, {DNS: True})
    old.create()

    old.delete()  # the old stack updated first: the last owner turns it off...
    assert aws.options(pcx)[DNS] is False
    options(aws, pcx, {DNS: True}).create()  # ...and the new stack turns it on again

    assert aws.options(pcx)[DNS] is True


def test_an_option_turned_false_is_written_false(aws: Aws) -> None:
    pcx = aws.connection()
    resource = options(aws, pcx, {DNS: True, MULTIPATH: True})
    resource.create()

    resource.update({**resource.properties, "Options": {DNS: False, MULTIPATH: True}})

    assert aws.options(pcx)[DNS] is False
    assert aws.options(pcx)[MULTIPATH] is True


def test_an_option_no_longer_managed_is_turned_off_unless_another_owner_manages_it(
    aws: Aws,
) -> None:
    pcx = aws.connection()
    both = options(aws, pcx, {DNS: True, MULTIPATH: True})
    both.create()
    dns_only = FakeResource(
        aws, FakeStack("Dns"), "Dns", handler.OPTIONS, {**both.properties, "Options": {DNS: True}}
    )
    dns_only.create()

    both.update({**both.properties, "Options": {MULTIPATH: True}})  # DNS released: kept
    assert aws.options(pcx)[DNS] is True
    both.delete()  # multipath released: nobody else manages it

    assert aws.options(pcx)[MULTIPATH] is False
    assert aws.options(pcx)[DNS] is True


def test_sides_are_owned_apart(aws: Aws) -> None:
    pcx = aws.connection()
    requester = options(aws, pcx, {DNS: True}, "Requester")
    accepter = options(aws, pcx, {DNS: True}, "Accepter")
    requester.create()
    accepter.create()

    requester.delete()

    assert aws.options(pcx)[DNS] is False
    assert aws.options(pcx, "Accepter")[DNS] is True


@pytest.mark.parametrize("gone", ["deleted", "unknown"])
def test_deleting_the_options_of_a_connection_that_is_gone_succeeds(aws: Aws, gone: str) -> None:
    pcx = aws.connection()
    resource = options(aws, pcx, {DNS: True})
    resource.create()
    if gone == "deleted":  # its requester stack deleted first
        aws.ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    else:
        resource.physical_id = resource.physical_id.replace(pcx, "pcx-0123456789abcdef0")

    resource.delete()  # no error: nothing is left to turn off


def test_a_create_that_fails_rolls_back_without_touching_the_options(aws: Aws) -> None:
    pcx = aws.connection(active=False)
    resource = options(aws, pcx, {DNS: True})

    with pytest.raises(Exception, match="OperationNotPermitted"):
        resource.create()  # EC2 refuses options before the connection is active

    assert owner_tags(aws.tags(pcx)) == {}  # the rollback's delete removed its mark


def test_a_delete_without_its_mark_turns_nothing_off(aws: Aws) -> None:
    pcx = aws.connection()
    resource = options(aws, pcx, {DNS: True})
    resource.create()
    [key] = owner_tags(aws.tags(pcx))
    aws.ec2.delete_tags(Resources=[pcx], Tags=[{"Key": key}])  # removed by hand

    resource.delete()

    assert aws.options(pcx)[DNS] is True  # left on, never switched off under an owner


def fail_once(error: Exception, call: Callable[..., Any]) -> Callable[..., Any]:
    """Return ``call`` that raises ``error`` the first time (a throttled or busy request)."""
    errors = iter([error])

    def failing_once(**kwargs: Any) -> Any:
        first = next(errors, None)
        if first is not None:
            raise first
        return call(**kwargs)

    return failing_once


def test_a_last_owners_delete_that_fails_once_turns_the_options_off_when_retried(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    pcx = aws.connection()
    resource = options(aws, pcx, {DNS: True})
    resource.create()
    throttled = client_error(
        "RequestLimitExceeded", "throttled", "ModifyVpcPeeringConnectionOptions"
    )
    real = aws.ec2.modify_vpc_peering_connection_options
    monkeypatch.setattr(
        aws.ec2, "modify_vpc_peering_connection_options", fail_once(throttled, real)
    )

    with pytest.raises(ClientError, match="RequestLimitExceeded"):
        resource.delete()  # DELETE_FAILED: its mark stays for the retry
    assert len(owner_tags(aws.tags(pcx))) == 1
    resource.delete()  # CloudFormation's retry (or the next delete of the stack)

    assert aws.options(pcx)[DNS] is False
    assert owner_tags(aws.tags(pcx)) == {}


def test_an_update_to_another_connection_releases_the_old_one(aws: Aws) -> None:
    first, second = aws.connection(), aws.connection()
    resource = options(aws, first, {DNS: True})
    resource.create()

    resource.update({**resource.properties, "VpcPeeringConnectionId": second})

    assert resource.physical_id.startswith(f"{second}/")
    assert aws.options(second)[DNS] is True
    assert aws.options(first)[DNS] is False


def test_a_runtime_sdk_that_predates_multipath_still_sends_it(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Lambda runtime's boto3 may not know the option yet: it goes into the request's
    # body as EC2's query API names it (moto reads it from there, as EC2 does).
    monkeypatch.setattr(handler, "known_options", lambda ec2: {DNS})
    pcx = aws.connection()
    resource = options(aws, pcx, {DNS: True, MULTIPATH: True})

    resource.create()

    assert aws.options(pcx)[MULTIPATH] is True
    assert aws.options(pcx)["MultipathResilienceMode"] == "always-on"
    assert aws.options(pcx)[DNS] is True
    resource.delete()
    assert aws.options(pcx)[MULTIPATH] is False


# --- the accepter's view's tags


def accepter_tags(aws: Aws, connection_id: str, **tags: str) -> FakeResource:
    props = {
        "VpcPeeringConnectionId": connection_id,
        "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
    }
    return FakeResource(aws, FakeStack(), "AccepterTags", handler.TAGS, props)


def test_tags_survive_a_replacement_and_go_with_the_last_owner(aws: Aws) -> None:
    pcx = aws.connection()
    aws.ec2.create_tags(Resources=[pcx], Tags=[{"Key": "team", "Value": "theirs"}])
    first = accepter_tags(aws, pcx, Name="app-shared", env="prod")
    first.create()

    renamed = replace(first, logical_id="RenamedTags")
    assert aws.tags(pcx)["Name"] == "app-shared"
    renamed.update({**renamed.properties, "Tags": [{"Key": "Name", "Value": "app-shared"}]})
    assert "env" not in aws.tags(pcx)  # a tag the app no longer gives is removed
    renamed.delete()

    assert aws.tags(pcx) == {"team": "theirs"}  # only what the library wrote is gone


def test_untagging_a_deleted_connection_succeeds(aws: Aws) -> None:
    pcx = aws.connection()
    resource = accepter_tags(aws, pcx, Name="app-shared")
    resource.create()
    aws.ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)

    resource.delete()


# --- zone authorizations and associations


def zone_call(aws: Aws, kind: str, zone_id: str, vpc_id: str, logical_id: str) -> FakeResource:
    props = {"HostedZoneId": zone_id, "VpcId": vpc_id, "VpcRegion": REGION}
    return FakeResource(aws, FakeStack(), logical_id, kind, props)


@pytest.fixture
def zone_and_vpc(aws: Aws) -> tuple[str, str]:
    return aws.zone(aws.vpc("10.0.0.0/16")), aws.vpc("10.1.0.0/16")


def test_an_association_survives_a_replacement_and_goes_with_its_last_owner(
    aws: Aws, zone_and_vpc: tuple[str, str]
) -> None:
    zone, vpc = zone_and_vpc
    first = zone_call(aws, handler.ASSOCIATION, zone, vpc, "Association")
    first.create()
    assert vpc in aws.zone_vpcs(zone)
    [marker] = owner_tags(aws.tags(vpc)).values()
    assert marker == f"association:{zone} made"

    renamed = replace(first, logical_id="RenamedAssociation")
    assert vpc in aws.zone_vpcs(zone)
    renamed.delete()

    assert vpc not in aws.zone_vpcs(zone)
    assert owner_tags(aws.tags(vpc)) == {}


def test_an_existing_association_is_success_and_is_never_removed(
    aws: Aws, zone_and_vpc: tuple[str, str]
) -> None:
    zone, vpc = zone_and_vpc
    aws.route53.associate_vpc_with_hosted_zone(
        HostedZoneId=zone, VPC={"VPCId": vpc, "VPCRegion": REGION}
    )  # made outside the app (or by an earlier version's resource)
    resource = zone_call(aws, handler.ASSOCIATION, zone, vpc, "Association")

    resource.create()
    # Any later change of the resource's properties (a library upgrade) updates it.
    resource.update({**resource.properties, "Upgraded": "yes"})
    resource.delete()

    assert vpc in aws.zone_vpcs(zone)  # its stack did not make it


def test_a_rolled_back_create_never_removes_an_association_it_did_not_make(
    aws: Aws, zone_and_vpc: tuple[str, str]
) -> None:
    zone, vpc = zone_and_vpc
    aws.route53.associate_vpc_with_hosted_zone(
        HostedZoneId=zone, VPC={"VPCId": vpc, "VPCRegion": REGION}
    )
    resource = zone_call(aws, handler.ASSOCIATION, zone, vpc, "Association")
    resource.create()

    resource.delete()  # the stack's create failed elsewhere: CloudFormation rolls back

    assert vpc in aws.zone_vpcs(zone)


def test_another_zone_of_the_same_name_is_still_a_conflict(
    aws: Aws, zone_and_vpc: tuple[str, str]
) -> None:
    zone, vpc = zone_and_vpc
    other = aws.zone(aws.vpc("10.2.0.0/16"))  # example.internal too
    aws.route53.associate_vpc_with_hosted_zone(
        HostedZoneId=other, VPC={"VPCId": vpc, "VPCRegion": REGION}
    )
    resource = zone_call(aws, handler.ASSOCIATION, zone, vpc, "Association")

    with pytest.raises(Exception, match="ConflictingDomainExists"):
        resource.create()

    assert vpc in aws.zone_vpcs(other)  # the rollback leaves the other zone's association
    assert owner_tags(aws.tags(vpc)) == {}


def test_an_authorization_survives_a_replacement_and_goes_with_its_last_owner(
    aws: Aws, zone_and_vpc: tuple[str, str]
) -> None:
    zone, vpc = zone_and_vpc
    first = zone_call(aws, handler.AUTHORIZATION, zone, vpc, "Authorization")
    first.create()
    assert aws.route53.authorizations == {(zone, vpc, REGION)}
    assert zone_owners(aws, zone) == {first.physical_id.rsplit("/", 1)[-1]: "m"}

    renamed = replace(first, logical_id="RenamedAuthorization")
    assert aws.route53.authorizations == {(zone, vpc, REGION)}
    assert zone_owners(aws, zone) == {renamed.physical_id.rsplit("/", 1)[-1]: "m"}
    renamed.delete()

    assert aws.route53.authorizations == set()
    assert zone_marks(aws, zone) == {}


@pytest.mark.parametrize(
    ("kind", "undo", "error"),
    [
        (handler.ASSOCIATION, "disassociate_vpc_from_hosted_zone", "PriorRequestNotComplete"),
        (handler.AUTHORIZATION, "delete_vpc_association_authorization", "Throttling"),
    ],
)
def test_a_last_owners_delete_that_fails_once_undoes_the_pair_when_retried(
    aws: Aws,
    zone_and_vpc: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    undo: str,
    error: str,
) -> None:
    zone, vpc = zone_and_vpc
    resource = zone_call(aws, kind, zone, vpc, "Pair")
    resource.create()
    real = getattr(aws.route53, undo)
    monkeypatch.setattr(
        aws.route53, undo, fail_once(client_error(error, "busy", undo), real), raising=False
    )

    with pytest.raises(ClientError, match=error):
        resource.delete()
    resource.delete()

    assert vpc not in aws.zone_vpcs(zone)
    assert aws.route53.authorizations == set()
    assert owner_tags(aws.tags(vpc)) == {}
    assert zone_marks(aws, zone) == {}


def test_a_zone_shared_with_many_vpcs_keeps_its_owners_in_few_tags(
    aws: Aws, zone_and_vpc: tuple[str, str]
) -> None:
    zone, _ = zone_and_vpc
    user_tags = [{"Key": f"team{i}", "Value": "network"} for i in range(4)]
    aws.route53.change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=zone, AddTags=user_tags
    )
    vpcs = [f"vpc-{index:017x}" for index in range(25)]
    resources = [
        zone_call(aws, handler.AUTHORIZATION, zone, vpc, f"Authorization{index}")
        for index, vpc in enumerate(vpcs)
    ]

    for resource in resources:
        resource.create()

    assert {vpc for _, vpc, _ in aws.route53.authorizations} == set(vpcs)
    assert len(zone_marks(aws, zone)) == 3  # 25 owners, 10 a tag
    assert all(len(value) <= 256 for value in zone_marks(aws, zone).values())
    assert len(zone_owners(aws, zone)) == 25
    for resource in resources[1:]:
        resource.delete()
    assert len(zone_marks(aws, zone)) == 1
    resources[0].delete()

    assert aws.route53.authorizations == set()
    assert aws.zone_tags(zone) == {tag["Key"]: tag["Value"] for tag in user_tags}


def test_a_zone_whose_own_tags_leave_no_room_fails_the_authorization_clearly(
    aws: Aws, zone_and_vpc: tuple[str, str]
) -> None:
    zone, vpc = zone_and_vpc
    aws.route53.change_tags_for_resource(
        ResourceType="hostedzone",
        ResourceId=zone,
        AddTags=[{"Key": f"team{i}", "Value": "network"} for i in range(10)],
    )

    with pytest.raises(handler.HandlerError, match="10 tags of its own"):
        zone_call(aws, handler.AUTHORIZATION, zone, vpc, "Authorization").create()

    assert aws.route53.authorizations == set()


def test_an_owner_written_over_by_a_concurrent_one_writes_itself_again(
    aws: Aws, zone_and_vpc: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two authorizations of one zone, created at once: each reads the owners' tag, adds
    # itself and writes it back, so the later write drops the earlier owner.
    zone, vpc = zone_and_vpc
    first = zone_call(aws, handler.AUTHORIZATION, zone, vpc, "First")
    first.create()
    write = aws.route53.change_tags_for_resource  # the fake's, with Route 53's limit
    overwritten = iter([True])

    def concurrent_writer(**kwargs: Any) -> Any:
        before = zone_marks(aws, zone)
        answer = write(**kwargs)
        if next(overwritten, False):  # the other owner's write lands just after
            write(
                ResourceType="hostedzone",
                ResourceId=zone,
                AddTags=[{"Key": k, "Value": v} for k, v in before.items()],
            )
        return answer

    second = zone_call(aws, handler.AUTHORIZATION, zone, "vpc-0000000000000000a", "Second")
    monkeypatch.setattr(aws.route53, "change_tags_for_resource", concurrent_writer)
    second.create()

    assert set(zone_owners(aws, zone)) == {
        first.physical_id.rsplit("/", 1)[-1],
        second.physical_id.rsplit("/", 1)[-1],
    }


def test_an_authorization_made_outside_the_app_stays(
    aws: Aws, zone_and_vpc: tuple[str, str]
) -> None:
    zone, vpc = zone_and_vpc
    aws.route53.create_vpc_association_authorization(
        HostedZoneId=zone, VPC={"VPCId": vpc, "VPCRegion": REGION}
    )
    resource = zone_call(aws, handler.AUTHORIZATION, zone, vpc, "Authorization")
    resource.create()
    joined = replace(resource, logical_id="Renamed")  # a later owner inherits "found"

    joined.delete()

    assert aws.route53.authorizations == {(zone, vpc, REGION)}


def test_deleting_an_authorization_of_a_deleted_zone_succeeds(
    aws: Aws, zone_and_vpc: tuple[str, str]
) -> None:
    zone, vpc = zone_and_vpc
    resource = zone_call(aws, handler.AUTHORIZATION, zone, vpc, "Authorization")
    resource.physical_id = f"Z0000000000000000000/{vpc}/{REGION}/authorization/0123456789ab"

    resource.delete()


# --- deletes of what a failed create could not make


def calls(aws: Aws) -> int:
    return len(aws.ec2.calls) + len(aws.route53.calls)


@pytest.mark.parametrize(
    ("kind", "properties"),
    [
        (handler.OPTIONS, {"VpcPeeringConnectionId": "pcx-1", "Side": "Both"}),
        (handler.OPTIONS, {"Side": "Requester"}),
        (handler.TAGS, {"Tags": []}),
        (handler.AUTHORIZATION, {"HostedZoneId": "Z1"}),
        (handler.ASSOCIATION, {"VpcId": "vpc-1", "VpcRegion": "us-east-1"}),
        (handler.ACCEPTANCE, {"ServiceId": "vpce-svc-1"}),
        ("Custom::Unknown", {}),
    ],
)
def test_a_failed_create_with_invalid_properties_rolls_back_without_a_call(
    aws: Aws, kind: str, properties: dict[str, Any]
) -> None:
    resource = FakeResource(aws, FakeStack(), "Invalid", kind, properties)
    create = resource.event("Create")
    with pytest.raises((handler.HandlerError, KeyError)):
        handler.handle(create, aws)
    resource.physical_id = handler.planned_physical_id(create)  # what the failure answers
    assert resource.physical_id.startswith(("invalid/", "unknown/"))
    before = calls(aws)

    resource.delete()  # the rollback's

    assert calls(aws) == before


@pytest.mark.parametrize(
    ("kind", "physical_id"),
    [
        (handler.OPTIONS, "pcx-0123456789abcdef0/both-options/0123456789ab"),
        (handler.OPTIONS, "pcx-0123456789abcdef0/requester-options"),
        (handler.OPTIONS, "vpc-0123456789abcdef0/requester-options/0123456789ab"),
        (handler.TAGS, "pcx-0123456789abcdef0/accepter-tags/not-a-token"),
        (handler.AUTHORIZATION, "Z1/vpc-0123456789abcdef0/us-east-1/association/0123456789ab"),
        (handler.ASSOCIATION, "Z1/vpc-0123456789abcdef0/0123456789ab"),
        (handler.ASSOCIATION, "Z1/pcx-0123456789abcdef0/us-east-1/association/0123456789ab"),
        (handler.ASSOCIATION, ""),
    ],
)
def test_a_delete_of_an_id_that_does_not_fit_its_kind_succeeds_without_a_call(
    aws: Aws, kind: str, physical_id: str
) -> None:
    resource = FakeResource(aws, FakeStack(), "Odd", kind, {}, physical_id)
    before = calls(aws)

    resource.delete()

    assert calls(aws) == before


@pytest.mark.parametrize(
    ("kind", "properties", "message"),
    [
        (handler.OPTIONS, {"VpcPeeringConnectionId": "vpc-1", "Side": "Requester"}, "pcx-"),
        (handler.TAGS, {"VpcPeeringConnectionId": "pcx/1", "Tags": []}, "pcx-"),
        (
            handler.ASSOCIATION,
            {"HostedZoneId": "Z1", "VpcId": "vpc-1", "VpcRegion": "us east"},
            "us east",
        ),
    ],
)
def test_a_create_whose_target_no_delete_could_read_fails_before_any_call(
    aws: Aws, kind: str, properties: dict[str, Any], message: str
) -> None:
    resource = FakeResource(aws, FakeStack(), "Odd", kind, properties)
    before = calls(aws)

    with pytest.raises(handler.HandlerError, match=message):
        resource.create()

    assert calls(aws) == before


# --- endpoint acceptance


def acceptance(aws: Aws, endpoint_id: str) -> FakeResource:
    props = {"ServiceId": "vpce-svc-0123456789abcdef0", "VpcEndpointIds": [endpoint_id]}
    return FakeResource(aws, FakeStack(), "Acceptance", handler.ACCEPTANCE, props)


def test_a_pending_endpoint_is_accepted(aws: Aws) -> None:
    aws.ec2.endpoints["vpce-1"] = ("vpce-svc-0123456789abcdef0", "pendingAcceptance")

    physical_id = acceptance(aws, "vpce-1").create()

    assert aws.ec2.endpoints["vpce-1"][1] == "available"
    assert physical_id == "vpce-svc-0123456789abcdef0/vpce-1"


@pytest.mark.parametrize("state", ["available", "pending"])
def test_an_endpoint_already_accepted_is_success(aws: Aws, state: str) -> None:
    # After acceptance EC2 moves a connection pendingAcceptance -> pending -> available: an
    # update (a redeploy, a library upgrade) may find it still pending.
    aws.ec2.endpoints["vpce-1"] = ("vpce-svc-0123456789abcdef0", state)
    resource = acceptance(aws, "vpce-1")

    resource.create()
    resource.update(dict(resource.properties))
    resource.delete()  # nothing to undo

    assert aws.ec2.endpoints["vpce-1"][1] == state


@pytest.mark.parametrize("state", ["rejected", "failed", None])
def test_an_endpoint_ec2_did_not_accept_fails_the_resource(aws: Aws, state: str | None) -> None:
    if state is not None:
        aws.ec2.endpoints["vpce-1"] = ("vpce-svc-0123456789abcdef0", state)

    with pytest.raises(handler.HandlerError, match="did not accept vpce-1"):
        acceptance(aws, "vpce-1").create()


# --- the entry point: CloudFormation's answer, retries


class Responses:
    """What the handler PUT to the response URL."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def urlopen(self, request: Any, timeout: float) -> Any:
        assert request.get_method() == "PUT"
        assert request.headers["Content-type"] == ""
        self.sent.append(json.loads(request.data))

        class Answer:
            def __enter__(self) -> Answer:
                return self

            def __exit__(self, *args: object) -> None:
                return None

        return Answer()


@pytest.fixture
def responses(monkeypatch: pytest.MonkeyPatch, aws: Aws) -> Responses:
    sent = Responses()
    monkeypatch.setattr("urllib.request.urlopen", sent.urlopen)
    monkeypatch.setattr(handler, "boto3_clients", lambda: aws)
    return sent


def test_the_entry_point_answers_success_with_the_physical_id(
    aws: Aws, responses: Responses
) -> None:
    pcx = aws.connection()
    event = options(aws, pcx, {DNS: True}).event("Create")

    handler.handler(event, None)

    [answer] = responses.sent
    assert answer["Status"] == "SUCCESS"
    assert answer["PhysicalResourceId"].startswith(f"{pcx}/requester-options/")
    assert (answer["StackId"], answer["RequestId"], answer["LogicalResourceId"]) == (
        event["StackId"],
        event["RequestId"],
        event["LogicalResourceId"],
    )


def test_a_failed_create_answers_the_id_its_rollback_deletes(
    aws: Aws, responses: Responses
) -> None:
    pcx = aws.connection(active=False)
    event = options(aws, pcx, {DNS: True}).event("Create")

    handler.handler(event, None)

    [answer] = responses.sent
    assert answer["Status"] == "FAILED"
    assert "OperationNotPermitted" in answer["Reason"]
    assert answer["PhysicalResourceId"] == handler.planned_physical_id(event)
    assert answer["PhysicalResourceId"].startswith(f"{pcx}/requester-options/")


def test_an_unknown_resource_type_fails(aws: Aws, responses: Responses) -> None:
    event = options(aws, "pcx-0123456789abcdef0", {}).event("Create")
    event["ResourceType"] = "Custom::Unknown"

    handler.handler(event, None)

    assert responses.sent[0]["Status"] == "FAILED"
    assert "Custom::Unknown" in responses.sent[0]["Reason"]


def test_a_request_refused_while_iam_applies_the_policy_is_tried_again(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    pcx = aws.connection()
    refusals = iter([client_error("UnauthorizedOperation", "not yet", "DescribeTags")])
    real = handler.Ec2Markers.read

    def read_once_refused(self: handler.Ec2Markers) -> dict[str, str]:
        error = next(refusals, None)
        if error is not None:
            raise error
        return real(self)

    monkeypatch.setattr(handler.Ec2Markers, "read", read_once_refused)
    resource = options(aws, pcx, {DNS: True})
    resource.create()

    assert aws.options(pcx)[DNS] is True


@pytest.mark.parametrize(("request_type", "status"), [("Delete", "SUCCESS"), ("Create", "FAILED")])
def test_the_retired_provider_deletes_without_a_call_and_creates_nothing(
    aws: Aws, responses: Responses, request_type: str, status: str
) -> None:
    event = {
        "RequestType": request_type,
        "ResourceType": "Custom::AWS",
        "LogicalResourceId": "OldDnsOptions",
        "StackId": "arn:aws:cloudformation:us-east-1:111111111111:stack/Net/1",
        "RequestId": "request",
        "ResponseURL": "https://cloudformation-custom-resource-response.example/",
        "PhysicalResourceId": "pcx-0123456789abcdef0-requester",
        "ResourceProperties": {"Delete": '{"action":"ModifyVpcPeeringConnectionOptions"}'},
    }
    calls = len(aws.ec2.calls)

    handler.retired(event, None)

    [answer] = responses.sent
    assert answer["Status"] == status
    assert answer["PhysicalResourceId"] == "pcx-0123456789abcdef0-requester"
    assert len(aws.ec2.calls) == calls  # no AWS call

"""The Lambda function behind cdk_peering's custom resources, run by CloudFormation.

This file is the function's code, written inline into the template (``index.py``): it uses
the standard library and the Lambda runtime's boto3 only, and imports nothing of
cdk_peering. :mod:`cdk_peering.cdk.provider` reads it at synth. Each custom resource type
is one kind of setting, made in the function's own account and Region:

``Custom::PeeringConnectionOptions``
    one side's options of a peering connection (``ModifyVpcPeeringConnectionOptions``):
    every option the resource manages is written, ``false`` included.
``Custom::PeeringConnectionTags``
    the tags of the accepter's view of a peering connection (``CreateTags``).
``Custom::ZoneAssociationAuthorization``
    the zone's account authorizes a VPC of another account for a private hosted zone.
``Custom::ZoneAssociation``
    the VPC's account associates its VPC with that zone (an existing association is
    success; a conflicting zone of the same name is not).
``Custom::EndpointAcceptance``
    the service's account accepts interface endpoints' connections; it fails unless each
    endpoint is accepted (or already was: ``pending`` or ``available``), so CloudFormation
    rolls back and a redeploy tries again. Nothing to undo on delete.

**Owners.** Within one stack, CloudFormation deletes a custom resource whose logical id is
gone (a construct renamed) after it has created its successor, in the update's clean-up
phase. A resource moved to another stack is created by the new stack's deploy and deleted
by the old stack's, in the order the CLI deploys them: with the new stack deployed first
the successor again exists before the delete; with the old one first the delete comes
first and undoes the setting until the new stack sets it again. Either way the delete of
the one would run whatever the other set. So every resource but the acceptance is an *owner*
of its setting: on create and update it first writes a marker, a tag
``cdk-peering:owner:<token>`` on the thing it changes (the peering connection, the VPC,
the hosted zone) naming the setting, then makes the setting. On delete it undoes the
setting only when no other owner's marker remains, then removes its own marker (in that
order, so that a delete that fails half-way and is retried still undoes): deleting a
superseded resource leaves the setting to its successor; deleting the last owner undoes
it. A marker records whether the setting was there before any owner (``found``): an
association or authorization the library did not make is never removed, also not by a
rollback. Without its own marker (a create that failed before writing it, a marker
removed by hand) a delete undoes nothing: the failure mode is a setting left on, never
one switched off under its owner.

The physical id names the target and the owner's token (``pcx-1/requester-options/<token>``);
a delete reads its target from it, never from the properties. A create whose target does
not fit that form fails before any call; a delete of an id that does not fit its kind
(``invalid/<token>``, answered by a create whose properties were invalid,
``unknown/<logical id>``, of a type this handler does not know) succeeds without a call,
so such a create can always be rolled back. An update that changes the target (another
connection, zone or VPC) answers a new physical id: CloudFormation then deletes the old
one, which releases the old target.

**Time.** A request stops ``DEADLINE_MARGIN_SECONDS`` before its Lambda function's time
runs out (``context.get_remaining_time_in_millis()``), wherever it is (a throttled call
retried, a hung connection: a ``SIGALRM`` timer), and fails with that margin left to
answer: without an answer CloudFormation would wait for the resource's service timeout.
Each attempt of an AWS call is bounded (connect 5 s, read 20 s) and retried by botocore.

AWS facts this relies on: EC2 ``CreateTags`` overwrites a key's value and ``DeleteTags``
with keys only removes those keys; ``DescribeTags`` filters by ``resource-id`` and ``key``
(wildcards allowed); Route 53 tags a hosted zone with ``ChangeTagsForResource`` (keys and
values of letters, digits, spaces and ``_ . : / = + - @``); ``ListHostedZonesByVPC`` lists
the zones a VPC is associated with, of any account; ``AssociateVPCWithHostedZone`` answers
``ConflictingDomainExists`` both for a VPC already associated with the zone and for one
associated with another zone of the same name; ``AcceptVpcEndpointConnections`` succeeds
with the endpoints it did not accept listed under ``Unsuccessful``;
``DescribeVpcEndpointConnections`` gives each connection's ``VpcEndpointState``; a peering
connection's status is one of ``initiating-request``, ``pending-acceptance``,
``provisioning``, ``active``, ``deleting``, ``deleted``, ``rejected``, ``failed``,
``expired``, and only an active one's options can be modified.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import random
import re
import signal
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from typing import Any

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)

OPTIONS = "Custom::PeeringConnectionOptions"
TAGS = "Custom::PeeringConnectionTags"
AUTHORIZATION = "Custom::ZoneAssociationAuthorization"
ASSOCIATION = "Custom::ZoneAssociation"
ACCEPTANCE = "Custom::EndpointAcceptance"

OWNER_KEY = "cdk-peering:owner:"
"""The key prefix of an owner's marker; the owner's token follows."""
MADE, FOUND = "made", "found"
"""Whether the setting was made by its first owner or found in place before any owner."""

MULTIPATH = "AllowMultipathResilience"
MULTIPATH_MODE = "always-on"
PEERING_OPTIONS = ("AllowDnsResolutionFromRemoteVpc", MULTIPATH)
"""The options of one side a resource may manage."""

PERMISSION_CODES = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")
PERMISSION_RETRIES = 3
"""Tries of a request EC2 or Route 53 refused for want of permission: IAM takes seconds to
apply the policy CloudFormation attached to the function's role just before."""
RETRY_SECONDS = 10.0
DEADLINE_MARGIN_SECONDS = 5.0
"""A request stops this long before its Lambda function's time runs out, and fails: the
time left answers CloudFormation (else it waits for the resource's service timeout)."""
RESPONSE_TIMEOUT_SECONDS = 60.0
CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS = 5.0, 20.0
"""The bounds of one attempt of an AWS call (botocore's defaults: 60 s each)."""

Clients = Callable[[str], Any]
"""boto3's client of a service (``ec2``, ``route53``) in the function's account and Region."""

sleep = time.sleep  # replaced in tests


class HandlerError(Exception):
    """A request that fails, with the message CloudFormation shows."""


# --- the Lambda entry point ----------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> None:
    """Handle one CloudFormation request and answer it at its ResponseURL."""
    LOG.info(
        "%s %s %s %s",
        event.get("RequestType"),
        event.get("ResourceType"),
        event.get("LogicalResourceId"),
        json.dumps(event.get("ResourceProperties"), default=str),
    )
    deadline = Deadline(context)
    status, reason = "SUCCESS", ""
    physical_id = planned_physical_id(event)
    try:
        with deadline.alarm():
            physical_id = handle(event, boto3_clients())
    except OutOfTime:
        LOG.error("out of time")
        status, reason = "FAILED", OutOfTime.REASON
    except Exception as error:
        LOG.exception("failed")
        status, reason = "FAILED", f"{type(error).__name__}: {error}"
    respond(event, status, reason, physical_id, timeout=deadline.response_timeout())


class OutOfTime(BaseException):
    """Raised in the handler's thread when its request must stop to be answered in time.

    A ``BaseException``: no ``except Exception`` (botocore's retries, this module's own)
    can swallow it.
    """

    REASON = (
        "cdk_peering's handler stopped before its Lambda function's time ran out (a call "
        "throttled or hanging): nothing is undone, and the setting is left as the last "
        "call made it; deploy again to retry"
    )


class Deadline:
    """The time a request may take: the Lambda function's, less a margin to answer in."""

    def __init__(self, context: Any) -> None:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        self.ends: float | None = None
        """When the request must stop (``time.monotonic()``), or None without a context."""
        if remaining is not None:
            self.ends = time.monotonic() + remaining() / 1000 - DEADLINE_MARGIN_SECONDS

    def seconds_left(self) -> float | None:
        """Return the seconds until the request must stop (None: no limit)."""
        return None if self.ends is None else self.ends - time.monotonic()

    @contextlib.contextmanager
    def alarm(self) -> Iterator[None]:
        """Raise :class:`OutOfTime` inside the block once the deadline passes.

        A ``SIGALRM`` timer: its handler raises in the main thread (where Lambda runs the
        handler) whatever it is doing, a socket read inside botocore or a sleep between
        retries included.
        """
        left = self.seconds_left()
        if left is None or threading.current_thread() is not threading.main_thread():
            yield  # no limit, or a thread signals cannot reach (not Lambda's)
            return
        if left <= 0:
            raise OutOfTime

        def expire(signum: int, frame: object) -> None:
            raise OutOfTime

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, left)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def response_timeout(self) -> float:
        """Return how long the answer's PUT may take: at most a minute, within the time left."""
        left = self.seconds_left()
        if left is None:
            return RESPONSE_TIMEOUT_SECONDS
        return max(1.0, min(RESPONSE_TIMEOUT_SECONDS, left + DEADLINE_MARGIN_SECONDS - 1.0))


def retired(event: dict[str, Any], context: Any) -> None:
    """Answer the requests of resources made by aws-cdk-lib's AwsCustomResource provider.

    The function that replaces that provider in a stack upgraded from cdk_peering's 0.1
    development line (context ``cdk-peering:retireAwsCustomResourceProvider``) runs this:
    a delete succeeds without any call, so that removing a superseded ``Custom::AWS``
    resource does not undo what its successor set; a create or update fails.
    """
    LOG.info("retired %s %s", event.get("RequestType"), event.get("LogicalResourceId"))
    physical_id = str(event.get("PhysicalResourceId") or event.get("LogicalResourceId", ""))
    if event.get("RequestType") == "Delete":
        respond(event, "SUCCESS", "retired by cdk_peering: nothing undone", physical_id)
    else:
        respond(
            event,
            "FAILED",
            "aws-cdk-lib's AwsCustomResource provider of this stack was retired by "
            "cdk_peering (context cdk-peering:retireAwsCustomResourceProvider): deploy "
            "without that context to create or update AwsCustomResources",
            physical_id,
        )


def boto3_clients() -> Clients:
    """Return the runtime's boto3 clients, retrying throttled requests.

    Each attempt's connection and read are bounded, so that a hung request is retried
    rather than waited for; whatever runs past the request's deadline is cut by its alarm
    (:class:`Deadline`).
    """
    import boto3  # type: ignore[import-untyped,unused-ignore]
    from botocore.config import Config  # type: ignore[import-untyped,unused-ignore]

    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "max_attempts": 10},
    )
    made: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in made:
            made[service] = boto3.client(service, config=config)
        return made[service]

    return client


def respond(
    event: dict[str, Any],
    status: str,
    reason: str,
    physical_id: str,
    *,
    timeout: float = RESPONSE_TIMEOUT_SECONDS,
) -> None:
    """Answer CloudFormation: a PUT of the response document to the pre-signed URL."""
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:1000] or status,
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": {},
        }
    ).encode()
    request = urllib.request.Request(
        event["ResponseURL"],
        data=body,
        method="PUT",
        headers={"Content-Type": "", "Content-Length": str(len(body))},
    )
    with urllib.request.urlopen(request, timeout=timeout):
        pass


# --- one request -----------------------------------------------------------------------


def handle(event: dict[str, Any], clients: Clients) -> str:
    """Carry out one request; return the physical id to answer. Raise to fail it."""
    kind = event["ResourceType"]
    if kind not in SETTINGS:
        if event["RequestType"] == "Delete":  # the rollback of the create that failed below
            return str(event.get("PhysicalResourceId", ""))
        raise HandlerError(f"cdk_peering's handler does not know the resource type {kind}")
    setting = SETTINGS[kind]
    for attempt in range(1, PERMISSION_RETRIES + 1):
        try:
            return setting.handle(event, clients)
        except Exception as error:
            if attempt == PERMISSION_RETRIES or error_code(error) not in PERMISSION_CODES:
                raise
            LOG.info("refused for want of permission, trying again: %s", error)
            sleep(RETRY_SECONDS * attempt)
    raise AssertionError("unreachable")


def planned_physical_id(event: dict[str, Any]) -> str:
    """Return the physical id to answer if the request fails.

    An update or delete keeps the resource's id; a failed create answers the id it would
    have had, so that the rollback's delete finds its target and its owner's mark (if the
    create got as far as writing it) and releases only what that mark names.
    """
    if event.get("PhysicalResourceId"):
        return str(event["PhysicalResourceId"])
    setting = SETTINGS.get(event.get("ResourceType", ""))
    if setting is None:
        return f"unknown/{event.get('LogicalResourceId', '')}"
    try:
        return str(setting.physical_id(event["ResourceProperties"], new_token(event)))
    except Exception:  # the request fails anyway, with the properties' problem
        return f"invalid/{new_token(event)}"


def new_token(event: dict[str, Any]) -> str:
    """Return the token of the owner one create (or replacing update) makes: unique to it."""
    seed = "|".join(str(event.get(k, "")) for k in ("StackId", "LogicalResourceId", "RequestId"))
    return hashlib.sha256(seed.encode()).hexdigest()[:12]


def error_code(error: BaseException) -> str:
    """Return an AWS error's code (botocore's ClientError), else ''."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def pages(call: Callable[..., Any], key: str, **kwargs: Any) -> Iterator[Any]:
    """Yield the items under ``key`` of every page of a listing (``NextToken`` paging)."""
    while True:
        page = call(**kwargs)
        yield from page.get(key, [])
        if not page.get("NextToken"):
            return
        kwargs["NextToken"] = page["NextToken"]


def is_true(value: object) -> bool:
    """Read a boolean property: CloudFormation hands every value over as a string."""
    return str(value).lower() == "true"


# --- owners' markers -----------------------------------------------------------------------


class Marker:
    """One owner's marker: the setting it owns, whether it was found in place, details."""

    def __init__(self, setting: str, state: str, details: Iterable[str] = ()) -> None:
        self.setting, self.state, self.details = setting, state, tuple(details)

    def text(self) -> str:
        """Return the tag value: words separated by spaces (Route 53 allows no commas)."""
        return " ".join((self.setting, self.state, *self.details))

    @classmethod
    def parse(cls, text: str) -> Marker:
        """Read a tag value written by :meth:`text`."""
        words = text.split()
        return cls(words[0] if words else "", words[1] if len(words) > 1 else MADE, words[2:])


class Markers:
    """The owners' markers on one thing, one tag per owner: ``cdk-peering:owner:<token>``."""

    def read(self) -> dict[str, str]:
        """Return every owner's marker text by token."""
        raise NotImplementedError

    def write(self, token: str, marker: Marker) -> None:
        """Write (or overwrite) one owner's marker."""
        raise NotImplementedError

    def remove(self, token: str) -> None:
        """Remove one owner's marker."""
        raise NotImplementedError

    def of(self, setting: str) -> dict[str, Marker]:
        """Return the markers of one setting by token."""
        found = {token: Marker.parse(text) for token, text in self.read().items()}
        return {token: marker for token, marker in found.items() if marker.setting == setting}


class Ec2Markers(Markers):
    """Markers as EC2 tags of one resource (a peering connection's view, a VPC)."""

    def __init__(self, ec2: Any, resource_id: str) -> None:
        self.ec2, self.resource_id = ec2, resource_id

    def read(self) -> dict[str, str]:
        """Return every owner's marker text by token."""
        filters = [
            {"Name": "resource-id", "Values": [self.resource_id]},
            {"Name": "key", "Values": [OWNER_KEY + "*"]},
        ]
        return {
            tag["Key"][len(OWNER_KEY) :]: tag.get("Value", "")
            for tag in pages(self.ec2.describe_tags, "Tags", Filters=filters)
            if tag["Key"].startswith(OWNER_KEY)
        }

    def write(self, token: str, marker: Marker) -> None:
        """Write (or overwrite) one owner's marker."""
        self.ec2.create_tags(
            Resources=[self.resource_id], Tags=[{"Key": OWNER_KEY + token, "Value": marker.text()}]
        )

    def remove(self, token: str) -> None:
        """Remove one owner's marker."""
        self.ec2.delete_tags(Resources=[self.resource_id], Tags=[{"Key": OWNER_KEY + token}])


class ZoneMarkers(Markers):
    """Markers as Route 53 tags of one hosted zone, every owner in as few tags as can be.

    Route 53 allows 10 tags on a hosted zone (the user's own among them), and a zone may
    be authorized for many VPCs: so the owners share the tags ``cdk-peering:owners:1``,
    ``:2``, ..., each value one word per owner (at most 10 words, 239 of the 256
    characters a value may have): its token (12 hex digits), the first 10 hex digits of
    the SHA-256 of its setting, and ``m`` (made) or ``f`` (found). An owner writes the
    whole list back with itself added or removed, then reads it again and writes again
    if a concurrent owner's write dropped it.
    """

    KEY = "cdk-peering:owners:"
    PER_TAG = 10
    TAGS = 10
    """Route 53's maximum of tags on a hosted zone."""
    TRIES = 3

    def __init__(self, route53: Any, zone_id: str) -> None:
        self.route53, self.zone_id = route53, zone_id

    @staticmethod
    def digest(setting: str) -> str:
        """Return the short digest of a setting that an owner's word holds."""
        return hashlib.sha256(setting.encode()).hexdigest()[:10]

    @classmethod
    def owners(cls, tags: dict[str, str]) -> dict[str, tuple[str, str]]:
        """Return each owner's (setting digest, ``m`` or ``f``) by token, from a zone's tags."""
        found: dict[str, tuple[str, str]] = {}
        for key, value in tags.items():
            if key.startswith(cls.KEY):
                for word in value.split():
                    if re.fullmatch(TOKEN + r"[0-9a-f]{10}[mf]", word):
                        found[word[:12]] = (word[12:22], word[22])
        return found

    def tags(self) -> dict[str, str]:
        """Return the zone's tags."""
        answer = self.route53.list_tags_for_resource(
            ResourceType="hostedzone", ResourceId=self.zone_id
        )
        return {
            str(tag["Key"]): str(tag.get("Value", ""))
            for tag in answer.get("ResourceTagSet", {}).get("Tags", [])
        }

    def read(self) -> dict[str, str]:
        """Return every owner's word (without its token) by token."""
        return {token: "".join(word) for token, word in self.owners(self.tags()).items()}

    def of(self, setting: str) -> dict[str, Marker]:
        """Return the markers of one setting by token."""
        digest = self.digest(setting)
        return {
            token: Marker(setting, MADE if state == "m" else FOUND)
            for token, (each, state) in self.owners(self.tags()).items()
            if each == digest
        }

    def write(self, token: str, marker: Marker) -> None:
        """Write (or overwrite) one owner's marker."""
        word = (self.digest(marker.setting), "m" if marker.state == MADE else "f")
        self._change(token, word)

    def remove(self, token: str) -> None:
        """Remove one owner's marker."""
        self._change(token, None)

    def _change(self, token: str, word: tuple[str, str] | None) -> None:
        """Put ``token``'s word (None: remove it), then check it stayed; again if not."""
        for _ in range(self.TRIES):
            tags = self.tags()
            owners = self.owners(tags)
            if owners.get(token) != word:
                if word is None:
                    owners.pop(token, None)
                else:
                    owners[token] = word
                self._store(tags, owners)
            sleep(random.uniform(0.2, 0.6))  # then read again: did another write drop it?
            if self.owners(self.tags()).get(token) == word:
                return
        raise HandlerError(
            f"the owners' tags of hosted zone {self.zone_id} kept changing under this "
            "request (other owners writing at once); deploy again to retry"
        )

    def _store(self, tags: dict[str, str], owners: dict[str, tuple[str, str]]) -> None:
        """Write ``owners`` in as few tags as they fit, removing the tags left over."""
        words = [token + "".join(owners[token]) for token in sorted(owners)]
        values = [
            " ".join(words[start : start + self.PER_TAG])
            for start in range(0, len(words), self.PER_TAG)
        ]
        keys = [f"{self.KEY}{index}" for index in range(1, len(values) + 1)]
        own = [key for key in tags if not key.startswith(self.KEY)]
        if len(own) + len(keys) > self.TAGS:
            raise HandlerError(
                f"hosted zone {self.zone_id} has {len(own)} tags of its own and its "
                f"{len(owners)} owners need {len(keys)}: Route 53 allows {self.TAGS} tags on "
                "a hosted zone. Remove some of the zone's own tags"
            )
        change: dict[str, Any] = {}
        add = [
            {"Key": k, "Value": v} for k, v in zip(keys, values, strict=True) if tags.get(k) != v
        ]
        if add:
            change["AddTags"] = add
        stale = sorted(key for key in tags if key.startswith(self.KEY) and key not in keys)
        if stale:
            change["RemoveTagKeys"] = stale
        if change:
            self.route53.change_tags_for_resource(
                ResourceType="hostedzone", ResourceId=self.zone_id, **change
            )


# --- the kinds of setting ------------------------------------------------------------------


class Kind:
    """One custom resource type: how it answers CloudFormation's requests."""

    def physical_id(self, properties: dict[str, Any], token: str) -> str:
        """Return the physical id of a resource created with ``properties``."""
        raise NotImplementedError

    def handle(self, event: dict[str, Any], clients: Clients) -> str:
        """Carry out a create, update or delete; return the physical id."""
        raise NotImplementedError


PCX_ID, VPC_ID, ZONE_ID = r"pcx-[0-9a-f]+", r"vpc-[0-9a-f]+", r"[A-Z0-9]+"
REGION = r"[a-z]+(-[a-z0-9]+)+"
TOKEN = r"[0-9a-f]{12}"
"""What each part of a physical id must look like (a token: :func:`new_token`'s)."""


class Setting(Kind):
    """One kind of setting, owned through markers (see the module's docstring)."""

    def parts(self) -> tuple[tuple[str, str], ...]:
        """Return the parts of the target: the property (or word) each is, and its pattern."""
        raise NotImplementedError

    def target(self, properties: dict[str, Any]) -> tuple[str, ...]:
        """Return what the resource changes, as the parts of its physical id."""
        raise NotImplementedError

    def checked(self, target: tuple[str, ...]) -> tuple[str, ...]:
        """Return ``target``, or fail when a part would make an id no delete could read."""
        for (name, pattern), value in zip(self.parts(), target, strict=True):
            if not re.fullmatch(pattern, value):
                raise HandlerError(f"{name} is {value!r}, which does not match {pattern}")
        return target

    def parse(self, physical_id: str) -> tuple[tuple[str, ...], str] | None:
        """Return the target and the owner's token of a physical id; None if not one of ours.

        The planned id of a create whose properties were invalid (``invalid/<token>``),
        and any id whose parts do not fit this kind, name nothing this kind changed.
        """
        parts = physical_id.split("/")
        patterns = [pattern for _, pattern in self.parts()] + [TOKEN]
        if len(parts) != len(patterns) or not all(
            re.fullmatch(pattern, part) for pattern, part in zip(patterns, parts, strict=True)
        ):
            return None
        return tuple(parts[:-1]), parts[-1]

    def physical_id(self, properties: dict[str, Any], token: str) -> str:
        """Return the physical id of an owner: its target's parts and its token."""
        return "/".join((*self.target(properties), token))

    def handle(self, event: dict[str, Any], clients: Clients) -> str:
        """Carry out a create, update or delete; return the physical id."""
        request = event["RequestType"]
        properties = event.get("ResourceProperties", {})
        old_id = str(event.get("PhysicalResourceId", ""))
        old = self.parse(old_id)
        if request == "Delete":
            if old is None:  # a create that failed on its properties: nothing was made
                LOG.info("%s names nothing this handler made: nothing to undo", old_id)
            else:
                self.release(clients, *old, properties)
            return old_id
        target = self.target(properties)
        if request == "Update" and old is not None and old[0] == target:
            token = old[1]  # the same owner, changed
            self.apply(clients, target, token, properties, event.get("OldResourceProperties"))
            return old_id
        # A create, or an update of another target: a new owner (CloudFormation then
        # deletes the old physical id, which releases the old target).
        token = new_token(event)
        self.apply(clients, target, token, properties, None)
        return "/".join((*target, token))

    def apply(
        self,
        clients: Clients,
        target: tuple[str, ...],
        token: str,
        properties: dict[str, Any],
        old: dict[str, Any] | None,
    ) -> None:
        """Own the setting and make it. ``old``: the owner's previous properties, on update."""
        raise NotImplementedError

    def release(
        self, clients: Clients, target: tuple[str, ...], token: str, properties: dict[str, Any]
    ) -> None:
        """Give the setting up; undo it when this was its last owner."""
        raise NotImplementedError


def connection_state(ec2: Any, connection_id: str) -> str:
    """Return a peering connection's status code in this account and Region ('' if none)."""
    try:
        found = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[connection_id])
    except Exception as error:
        if error_code(error).lower() == "invalidvpcpeeringconnectionid.notfound":
            return ""
        raise
    connections = found.get("VpcPeeringConnections", [])
    return str(connections[0].get("Status", {}).get("Code", "")) if connections else ""


def known_options(ec2: Any) -> set[str]:
    """Return the options of a side the runtime's SDK can send (its EC2 model's members)."""
    return set(ec2.meta.service_model.shape_for("PeeringConnectionOptionsRequest").members)


def release_on_connection(
    ec2: Any,
    connection_id: str,
    setting: str,
    token: str,
    undo: Callable[[Marker, dict[str, Marker]], None],
) -> None:
    """``undo`` what an owner leaves unowned on a peering connection, then remove its marker.

    ``undo(mine, others)`` runs only if the owner's marker was there, and only on an
    active connection. The marker goes last: a delete that fails half-way (a throttled
    call) keeps it, so CloudFormation's retry undoes what this owner still owns (undoing
    twice and removing a removed tag change nothing). A connection whose requester stack
    was deleted first is ``deleted`` (or gone): there is nothing left to undo on it, and
    whatever EC2 answers then is success (the answer is judged by the connection's
    status, not by a list of error codes).
    """
    try:
        markers = Ec2Markers(ec2, connection_id)
        owners = markers.of(setting)
        mine = owners.pop(token, None)
        if mine is None:
            return  # never owned (a create that failed first), or the marker is gone
        if connection_state(ec2, connection_id) == "active":
            undo(mine, owners)
        markers.remove(token)
    except Exception:
        if connection_state(ec2, connection_id) == "active":
            raise


class PeeringOptions(Setting):
    """One side's options of a peering connection, every managed option written."""

    def parts(self) -> tuple[tuple[str, str], ...]:
        """Return the connection and the side."""
        return (("VpcPeeringConnectionId", PCX_ID), ("the side", "(requester|accepter)-options"))

    def target(self, properties: dict[str, Any]) -> tuple[str, ...]:
        """Return the connection and the side."""
        side = str(properties["Side"])
        if side not in ("Requester", "Accepter"):
            raise HandlerError(f"Side is {side!r}, not Requester or Accepter")
        return self.checked((str(properties["VpcPeeringConnectionId"]), f"{side.lower()}-options"))

    @staticmethod
    def wanted(properties: dict[str, Any] | None) -> dict[str, bool]:
        """Return the options the properties manage, with their values."""
        given = (properties or {}).get("Options") or {}
        return {name: is_true(given[name]) for name in PEERING_OPTIONS if name in given}

    @staticmethod
    def modify(ec2: Any, connection_id: str, side: str, values: dict[str, bool]) -> None:
        """Write options of one side in one call (a mode goes with multipath turned on).

        An option the runtime's SDK does not know yet (multipath resilience is recent) is
        added to the request's body as EC2's query API names it, rather than dropped.
        """
        if not values:
            return
        options: dict[str, object] = dict(values)
        if values.get(MULTIPATH):
            options["MultipathResilienceMode"] = MULTIPATH_MODE
        known = known_options(ec2)
        unknown = {name: value for name, value in options.items() if name not in known}
        prefix = f"{side}PeeringConnectionOptions"
        event = "before-call.ec2.ModifyVpcPeeringConnectionOptions"

        def add_unknown(params: dict[str, Any], **_: Any) -> None:
            body = params.get("body")
            if isinstance(body, dict):
                for name, value in unknown.items():
                    text = str(value).lower() if isinstance(value, bool) else str(value)
                    body[f"{prefix}.{name}"] = text

        if unknown:
            ec2.meta.events.register(event, add_unknown, unique_id="cdk-peering-options")
        try:
            ec2.modify_vpc_peering_connection_options(
                VpcPeeringConnectionId=connection_id,
                **{prefix: {k: v for k, v in options.items() if k in known}},
            )
        finally:
            if unknown:
                ec2.meta.events.unregister(event, unique_id="cdk-peering-options")

    def turn_off(
        self,
        ec2: Any,
        connection_id: str,
        side: str,
        released: set[str],
        others: dict[str, Marker],
    ) -> None:
        """Turn off the ``released`` options that none of the ``others`` owners manages."""
        kept = {name for marker in others.values() for name in marker.details}
        self.modify(ec2, connection_id, side, dict.fromkeys(sorted(released - kept), False))

    def apply(
        self,
        clients: Clients,
        target: tuple[str, ...],
        token: str,
        properties: dict[str, Any],
        old: dict[str, Any] | None,
    ) -> None:
        """Own the side's options, write each managed one, release those no longer managed."""
        ec2 = clients("ec2")
        connection_id, setting = target
        side = str(properties["Side"])
        wanted = self.wanted(properties)
        markers = Ec2Markers(ec2, connection_id)
        markers.write(token, Marker(setting, MADE, sorted(wanted)))
        self.modify(ec2, connection_id, side, wanted)
        released = set(self.wanted(old)) - set(wanted)
        if released:
            others = markers.of(setting)
            others.pop(token, None)
            self.turn_off(ec2, connection_id, side, released, others)

    def release(
        self, clients: Clients, target: tuple[str, ...], token: str, properties: dict[str, Any]
    ) -> None:
        """Turn off the options no other owner of the side manages, if this one owned them."""
        ec2 = clients("ec2")
        connection_id, setting = target
        side = "Requester" if setting.startswith("requester") else "Accepter"

        def undo(mine: Marker, others: dict[str, Marker]) -> None:
            self.turn_off(ec2, connection_id, side, set(mine.details), others)

        release_on_connection(ec2, connection_id, setting, token, undo)


class AccepterTags(Setting):
    """The tags of the accepter's view of a peering connection."""

    SETTING = "accepter-tags"

    def parts(self) -> tuple[tuple[str, str], ...]:
        """Return the connection and the setting's name."""
        return (("VpcPeeringConnectionId", PCX_ID), ("the setting", self.SETTING))

    def target(self, properties: dict[str, Any]) -> tuple[str, ...]:
        """Return the connection."""
        return self.checked((str(properties["VpcPeeringConnectionId"]), self.SETTING))

    @staticmethod
    def tags(properties: dict[str, Any] | None) -> dict[str, str]:
        """Return the tags the properties give, by key."""
        return {str(t["Key"]): str(t["Value"]) for t in (properties or {}).get("Tags") or []}

    def apply(
        self,
        clients: Clients,
        target: tuple[str, ...],
        token: str,
        properties: dict[str, Any],
        old: dict[str, Any] | None,
    ) -> None:
        """Own the view's tags and write them; remove keys no longer given by any owner."""
        ec2 = clients("ec2")
        connection_id = target[0]
        tags = self.tags(properties)
        if not tags:
            raise HandlerError("no tag to write: EC2 refuses an empty tag list")
        markers = Ec2Markers(ec2, connection_id)
        markers.write(token, Marker(self.SETTING, MADE))
        ec2.create_tags(
            Resources=[connection_id],
            Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
        )
        removed = sorted(set(self.tags(old)) - set(tags))
        others = markers.of(self.SETTING)
        others.pop(token, None)
        if removed and not others:
            ec2.delete_tags(Resources=[connection_id], Tags=[{"Key": k} for k in removed])

    def release(
        self, clients: Clients, target: tuple[str, ...], token: str, properties: dict[str, Any]
    ) -> None:
        """Remove the tags' keys if this was their last owner."""
        ec2 = clients("ec2")
        connection_id = target[0]
        keys = sorted(self.tags(properties))

        def undo(mine: Marker, others: dict[str, Marker]) -> None:
            if not others and keys:
                ec2.delete_tags(Resources=[connection_id], Tags=[{"Key": k} for k in keys])

        release_on_connection(ec2, connection_id, self.SETTING, token, undo)


class ZoneSetting(Setting):
    """A private hosted zone and a VPC (of another account): one authorization or association."""

    NAME = ""

    def parts(self) -> tuple[tuple[str, str], ...]:
        """Return the zone, the VPC, its Region and the kind's name."""
        return (
            ("HostedZoneId", ZONE_ID),
            ("VpcId", VPC_ID),
            ("VpcRegion", REGION),
            ("the kind", self.NAME),
        )

    def target(self, properties: dict[str, Any]) -> tuple[str, ...]:
        """Return the zone, the VPC and its Region."""
        zone = str(properties["HostedZoneId"]).rsplit("/", 1)[-1]
        return self.checked(
            (zone, str(properties["VpcId"]), str(properties["VpcRegion"]), self.NAME)
        )

    def markers(self, clients: Clients, target: tuple[str, ...]) -> Markers:
        """Return where this kind's owners are marked."""
        raise NotImplementedError

    def setting(self, target: tuple[str, ...]) -> str:
        """Return the marker's setting: the kind and the other end of the pair."""
        raise NotImplementedError

    def exists(self, clients: Clients, target: tuple[str, ...]) -> bool:
        """Tell whether the authorization or association is in place."""
        raise NotImplementedError

    MAKE, UNDO = "", ""
    """The Route 53 calls (boto3's names) that make the pair and undo it."""
    ALREADY = ""
    """The error code of ``MAKE`` that may mean the pair is already in place."""
    GONE: tuple[str, ...] = ()
    """The error codes of ``UNDO`` that mean nothing is left to undo."""

    def make(self, clients: Clients, target: tuple[str, ...]) -> None:
        """Make the pair; already in place is success."""
        zone, vpc, region = target[:3]
        try:
            getattr(clients("route53"), self.MAKE)(
                HostedZoneId=zone, VPC={"VPCId": vpc, "VPCRegion": region}
            )
        except Exception as error:
            if not self.ALREADY or error_code(error) != self.ALREADY:
                raise
            if not self.exists(clients, target):
                raise

    def undo(self, clients: Clients, target: tuple[str, ...]) -> None:
        """Undo the pair; nothing left to undo is success."""
        zone, vpc, region = target[:3]
        try:
            getattr(clients("route53"), self.UNDO)(
                HostedZoneId=zone, VPC={"VPCId": vpc, "VPCRegion": region}
            )
        except Exception as error:
            if error_code(error) not in self.GONE:
                raise

    def apply(
        self,
        clients: Clients,
        target: tuple[str, ...],
        token: str,
        properties: dict[str, Any],
        old: dict[str, Any] | None,
    ) -> None:
        """Own it (found in place if it was there before any owner), and make it if missing."""
        markers = self.markers(clients, target)
        setting = self.setting(target)
        owners = markers.of(setting)
        mine = owners.pop(token, None)
        exists = self.exists(clients, target)
        if mine is not None:
            state = mine.state
        elif owners:
            state = FOUND if any(m.state == FOUND for m in owners.values()) else MADE
        else:
            state = FOUND if exists else MADE
        markers.write(token, Marker(setting, state))
        if not exists:
            self.make(clients, target)

    def release(
        self, clients: Clients, target: tuple[str, ...], token: str, properties: dict[str, Any]
    ) -> None:
        """Remove it if this was its last owner and an owner made it."""
        markers = self.markers(clients, target)
        try:
            owners = markers.of(self.setting(target))
        except Exception as error:
            if error_code(error) == "NoSuchHostedZone":
                return  # the zone is gone, and its authorizations with it
            raise
        mine = owners.pop(token, None)
        if mine is None:
            return  # never owned (a create that failed first), or the marker is gone
        if not owners and mine.state == MADE and self.exists(clients, target):
            self.undo(clients, target)
        markers.remove(token)  # last: a failed undo keeps it for the retry


class ZoneAuthorization(ZoneSetting):
    """The zone's account authorizes a VPC of another account: markers on the zone."""

    NAME = "authorization"

    def markers(self, clients: Clients, target: tuple[str, ...]) -> Markers:
        """Return the zone's markers."""
        return ZoneMarkers(clients("route53"), target[0])

    def setting(self, target: tuple[str, ...]) -> str:
        """Return ``authorization:<vpc>:<region>``."""
        return f"{self.NAME}:{target[1]}:{target[2]}"

    def exists(self, clients: Clients, target: tuple[str, ...]) -> bool:
        """Tell whether the zone authorizes the VPC."""
        zone, vpc, region = target[:3]
        listed = clients("route53").list_vpc_association_authorizations
        return any(
            (each.get("VPCId"), each.get("VPCRegion")) == (vpc, region)
            for each in pages(listed, "VPCs", HostedZoneId=zone)
        )

    MAKE = "create_vpc_association_authorization"
    UNDO = "delete_vpc_association_authorization"  # the association it allowed stays
    GONE = ("VPCAssociationAuthorizationNotFound", "NoSuchHostedZone")


class ZoneAssociation(ZoneSetting):
    """The VPC's account associates its VPC with the zone: markers on the VPC."""

    NAME = "association"

    def markers(self, clients: Clients, target: tuple[str, ...]) -> Markers:
        """Return the VPC's markers."""
        return Ec2Markers(clients("ec2"), target[1])

    def setting(self, target: tuple[str, ...]) -> str:
        """Return ``association:<zone>``."""
        return f"{self.NAME}:{target[0]}"

    def exists(self, clients: Clients, target: tuple[str, ...]) -> bool:
        """Tell whether the VPC is associated with the zone (of any account)."""
        zone, vpc, region = target[:3]
        listed = clients("route53").list_hosted_zones_by_vpc
        return any(
            each.get("HostedZoneId") == zone
            for each in pages(listed, "HostedZoneSummaries", VPCId=vpc, VPCRegion=region)
        )

    MAKE = "associate_vpc_with_hosted_zone"
    UNDO = "disassociate_vpc_from_hosted_zone"
    ALREADY = "ConflictingDomainExists"  # also: another zone of the name (then an error)
    GONE = ("VPCAssociationNotFound", "NoSuchHostedZone")


ACCEPTED = ("pending", "available")
"""An endpoint connection's states once accepted: EC2 moves it from ``pendingAcceptance``
to ``pending`` on acceptance, then to ``available``."""


class EndpointAcceptance(Kind):
    """Accept interface endpoints' connections to a service; nothing to undo."""

    def physical_id(self, properties: dict[str, Any], token: str) -> str:
        """Return ``<service>/<endpoint>,...``."""
        return f"{properties['ServiceId']}/{','.join(properties['VpcEndpointIds'])}"

    def handle(self, event: dict[str, Any], clients: Clients) -> str:
        """Accept on create and update (again: harmless once accepted); delete is nothing."""
        properties = event.get("ResourceProperties", {})
        if event["RequestType"] == "Delete":
            return str(event.get("PhysicalResourceId", ""))
        service_id = str(properties["ServiceId"])
        endpoint_ids = [str(e) for e in properties["VpcEndpointIds"]]
        ec2 = clients("ec2")
        answer = ec2.accept_vpc_endpoint_connections(
            ServiceId=service_id, VpcEndpointIds=endpoint_ids
        )
        refused = []
        for item in answer.get("Unsuccessful", []):
            endpoint_id = str(item.get("ResourceId", ""))
            state = self.state(ec2, service_id, endpoint_id)
            if state not in ACCEPTED:
                error = item.get("Error", {})
                refused.append(
                    f"{endpoint_id} ({state or 'no connection'}): "
                    f"{error.get('Code', '')} {error.get('Message', '')}".strip()
                )
        if refused:
            raise HandlerError(f"{service_id} did not accept {'; '.join(refused)}")
        return self.physical_id(properties, "")

    @staticmethod
    def state(ec2: Any, service_id: str, endpoint_id: str) -> str:
        """Return the endpoint's connection state as the service sees it, lower case."""
        found = ec2.describe_vpc_endpoint_connections(
            Filters=[
                {"Name": "service-id", "Values": [service_id]},
                {"Name": "vpc-endpoint-id", "Values": [endpoint_id]},
            ]
        )
        states = [
            str(c.get("VpcEndpointState", "")).lower()
            for c in found.get("VpcEndpointConnections", [])
        ]
        return states[0] if states else ""


SETTINGS: dict[str, Kind] = {
    OPTIONS: PeeringOptions(),
    TAGS: AccepterTags(),
    AUTHORIZATION: ZoneAuthorization(),
    ASSOCIATION: ZoneAssociation(),
    ACCEPTANCE: EndpointAcceptance(),
}

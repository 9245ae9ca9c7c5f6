"""Read the deployed network of a cloud assembly's stacks into the model's classes.

A second builder beside ``_build.py``: the same ``Built`` (VPCs, subnets, route tables,
network ACLs, peerings, security groups, prefix lists, load balancers, endpoint services,
endpoints, private hosted zones), made from what read-only AWS calls return instead of
from templates. boto3 is imported here, inside functions, and only when a deployment is
read: ``import cdk_peering.connectivity`` never imports it.

How things are named: each stack's ``ListStackResources`` maps its logical ids to
physical ids, and the assembly maps logical ids to construct paths, so a resource
CloudFormation manages gets the path the plan gives it (``display_path``); routes and
network ACL entries, which have no id of their own, take the path of the planned route
(same table, same destination) or entry (same ACL, direction and rule number). What
CloudFormation does not manage is named by its AWS id (``rtb-0abc 10.1.5.0/24`` for a
route added by hand).

AWS facts used here:

- ``DescribeStackResources`` returns at most 100 resources; ``ListStackResources`` (paged)
  returns them all, with their logical and physical ids and types. A stack that does not
  exist answers ``ValidationError``.
- Route tables list their ``local`` routes; the model adds them itself from the VPC's
  blocks, so they are left out. A route whose target is gone has ``State: blackhole``.
- A gateway endpoint adds a route to an AWS-managed prefix list (S3's, DynamoDB's), whose
  entries ``GetManagedPrefixListEntries`` reads as a customer list's. Only the lists a
  route or a security group rule names (and the stacks' own) are read.
- Network ACLs end with rule 32767 (IPv4) and 32768 (IPv6), deny all: the model denies
  what no entry matches, so they are left out.
- A VPC endpoint's ``State`` is ``available`` once its connection is accepted
  (``pendingAcceptance``, ``rejected``, ``failed``... otherwise).
- Route 53 is global: private zones, their VPC associations (``GetHostedZone`` lists every
  VPC associated, of any account) and records are read once per account.
  ``ListResourceRecordSets`` escapes characters as octal ``ooo`` after a backslash (a
  wildcard is backslash ``052``).
- botocore's ``standard`` retry mode retries throttling and transient errors with backoff.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ._assembly import Assembly, Template
from ._build import (
    ID_PREFIXES,
    MODELLED,
    PROTOCOLS,
    Built,
    build,
    default_acl,
    display_path,
    dns_name,
    is_aws_service,
)
from ._cidr import Cidr, try_cidr
from ._intrinsics import Evaluator, ResourceToken
from .errors import ConnectivityError
from .model import (
    BLACKHOLE,
    GATEWAY,
    PEERING,
    AclEntry,
    Endpoint,
    EndpointService,
    HostedZone,
    LoadBalancer,
    NetworkAcl,
    Peering,
    PrefixList,
    Record,
    Route,
    RouteTable,
    Rule,
    SecurityGroup,
    Subnet,
    Target,
    Vpc,
)

Json = dict[str, Any]

READ_PREFIXES = ("Describe", "List", "Get")
"""Every call the live model makes starts with one of these (the policy in docs/verify.md)."""
ACTIONS = (
    "cloudformation:ListStackResources",
    "ec2:DescribeManagedPrefixLists",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcEndpointServiceConfigurations",
    "ec2:DescribeVpcEndpointServicePermissions",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeVpcPeeringConnections",
    "ec2:DescribeVpcs",
    "ec2:GetManagedPrefixListEntries",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancers",
    "route53:GetHostedZone",
    "route53:ListHostedZones",
    "route53:ListResourceRecordSets",
    "sts:GetCallerIdentity",
)
"""Every IAM action the live model calls (the policy in docs/verify.md lists exactly these)."""
CREDENTIAL_CALLS = frozenset({("sts", "AssumeRole")})
"""The one call that reads no network: the credentials of a role given with ``roles``."""

client_listeners: list[Callable[[Any], None]] = []
"""Called with every boto3 client the live model makes, before its first call: tests and the
benchmark register botocore event handlers on it (``client.meta.events.register``)."""

_LOADER: Any = None
"""botocore's loader of service models, shared by every session this module makes."""
SESSION_NAME = "cdk-peering-verify"
MANAGED = {
    "AWS::EC2::VPC": "vpc",
    "AWS::EC2::Subnet": "subnet",
    "AWS::EC2::RouteTable": "route table",
    "AWS::EC2::NetworkAcl": "network ACL",
    "AWS::EC2::VPCPeeringConnection": "peering connection",
    "AWS::EC2::SecurityGroup": "security group",
    "AWS::EC2::VPCEndpoint": "VPC endpoint",
    "AWS::EC2::VPCEndpointService": "endpoint service",
    "AWS::EC2::PrefixList": "prefix list",
    "AWS::Route53::HostedZone": "hosted zone",
}
"""The resource types whose physical id the live reads must find (else: missing)."""


class LiveError(ConnectivityError):
    """An account that cannot be read: no credentials, access denied, a failed call.

    Its message is one line naming the account, the Region and the call.
    """

    def __init__(self, account: str | None, region: str | None, call: str, message: str) -> None:
        self.account, self.region, self.call = account, region, call
        where = f"account {account or 'unknown'}, Region {region or 'unknown'}"
        super().__init__(f"{where}, {call}: {' '.join(message.split())}")


@dataclass
class Missing:
    """Something the plan holds that is not deployed: a stack, or a managed resource."""

    kind: str
    """``stack`` or ``resource``."""
    path: str
    planned: str
    there: str


@dataclass
class Deployment:
    """What ``read_deployment`` found: the live model, and what it could not find."""

    built: Built
    plan: Built
    missing: list[Missing] = field(default_factory=list)
    permissions: dict[str, tuple[frozenset[str] | None, frozenset[str]]] = field(
        default_factory=dict
    )
    """Endpoint service path -> the principals the plan allows (None: it cannot tell) and
    those allowed, of each service the stacks manage."""
    calls: int = 0
    """How many AWS calls were made (every page counts)."""
    seconds: float = 0.0
    environments: list[tuple[str, str]] = field(default_factory=list)
    """Every (account, Region) read."""


# --- credentials and calls --------------------------------------------------------------


class _Calls:
    """Counts every call and refuses any that is not a read, on every client made."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def attach(self, client: Any) -> Any:
        client.meta.events.register("before-call", self._before)
        for listener in client_listeners:
            listener(client)
        return client

    def _before(self, model: Any, **_: Any) -> None:
        service = model.service_model.endpoint_prefix
        if not model.name.startswith(READ_PREFIXES) and (service, model.name) not in (
            CREDENTIAL_CALLS
        ):
            raise ConnectivityError(f"{service}:{model.name} is not a read call: refused")
        with self._lock:
            self.count += 1


class _Sessions:
    """A boto3 session per account: the default one, a profile's, or a role's."""

    def __init__(self, roles: dict[str, str], profiles: dict[str, str], calls: _Calls) -> None:
        try:
            import boto3
        except ImportError as error:  # pragma: no cover - the extra is installed in tests
            raise ConnectivityError(
                'reading the deployed network needs boto3: pip install "cdk-peering[live]"'
            ) from error
        self._boto3 = boto3
        self.roles, self.profiles, self.calls = roles, profiles, calls
        with _Reading(None, None, "configuration"):  # AWS_PROFILE naming no profile
            self.base = self._new()
            self.default_region: str | None = self.base.region_name
        self._default_account: str | None = None
        self._sessions: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._clients = threading.Lock()  # a boto3 session makes one client at a time

    def _new(self, **arguments: Any) -> Any:
        """Return a boto3 session that shares the process's loaded service models.

        Every botocore session loads the (large) JSON models of the services it makes
        clients for; one loader for all of them reads each model once per process.
        """
        import botocore.loaders
        import botocore.session

        global _LOADER
        if _LOADER is None:
            _LOADER = botocore.loaders.create_loader()
        core = botocore.session.Session(profile=arguments.pop("profile_name", None))
        core.register_component("data_loader", _LOADER)
        return self._boto3.session.Session(botocore_session=core, **arguments)

    def config(self) -> Any:
        from botocore.config import Config

        return Config(retries={"mode": "standard", "max_attempts": 5})

    def client(self, session: Any, service: str, region: str) -> Any:
        with self._clients:
            made = session.client(service, region_name=region, config=self.config())
        return self.calls.attach(made)

    def default_account(self, region: str) -> str:
        """Return the default credentials' account (asked in ``region``, of its partition)."""
        if self._default_account is None:
            self._default_account = self._caller(self.base, None, region)
        return self._default_account

    def _caller(self, session: Any, account: str | None, region: str) -> str:
        with _Reading(account, region, "sts:GetCallerIdentity"):
            sts = self.client(session, "sts", region)
            return str(sts.get_caller_identity()["Account"])

    def session(self, account: str, region: str) -> Any:
        with self._lock:
            found = self._sessions.get(account)
            if found is None:
                found = self._sessions[account] = self._make(account, region)
            return found

    def _make(self, account: str, region: str) -> Any:
        """Return the session for ``account``, in whose partition ``region`` is.

        A profile's or a role's credentials must be of that account: asked once
        (``sts:GetCallerIdentity``), else a one-line error rather than findings about
        another account's network.
        """
        if account in self.profiles:
            name = self.profiles[account]
            with _Reading(account, region, f"profile {name}"):
                made = self._new(profile_name=name)
            self._same(made, account, region, f"the profile {name}")
            return made
        if account in self.roles:
            arn = self.roles[account]
            with _Reading(account, region, f"sts:AssumeRole {arn}"):
                sts = self.client(self.base, "sts", region)
                credentials = sts.assume_role(RoleArn=arn, RoleSessionName=SESSION_NAME)[
                    "Credentials"
                ]
                made = _RoleSession(self.base, credentials)
            self._same(made, account, region, f"the role {arn}")
            return made
        default = self.default_account(region)
        if account != default:
            raise LiveError(
                account,
                region,
                "credentials",
                f"the default credentials are of account {default}; give a role "
                f"(--role {account}=ARN) or a profile (--profile {account}=NAME) for it",
            )
        return self.base

    def _same(self, session: Any, account: str, region: str, what: str) -> None:
        found = self._caller(session, account, region)
        if found != account:
            raise LiveError(
                account,
                region,
                "sts:GetCallerIdentity",
                f"{what} is of account {found}, not {account}: give one of account {account}",
            )


class _RoleSession:
    """A role's credentials on the default session: its clients are made with them.

    A session of its own would register botocore's handlers again (a tenth of a second).
    """

    def __init__(self, base: Any, credentials: Mapping[str, Any]) -> None:
        self._base = base
        self._keys = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }

    def client(self, service: str, **arguments: Any) -> Any:
        return self._base.client(service, **arguments, **self._keys)


class _Reading:
    """Turn what boto3 raises while reading into one ``LiveError`` line."""

    def __init__(self, account: str | None, region: str | None, call: str) -> None:
        self.account, self.region, self.call = account, region, call

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if error is None or isinstance(error, LiveError):
            return
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(error, ClientError):
            info = error.response.get("Error", {})
            message = f"{info.get('Code', 'error')}: {info.get('Message', '')}"
        elif isinstance(error, BotoCoreError | ConnectivityError):
            message = str(error)
        else:
            return
        raise LiveError(self.account, self.region, self.call, message) from error


# --- reading one account and Region -------------------------------------------------------


@dataclass
class _Env:
    """What one (account, Region) holds, as the API returns it."""

    account: str
    region: str
    templates: list[Template]
    physical: dict[str, list[tuple[Template, str, str]]] = field(default_factory=dict)
    """Physical id -> (template, logical id, type) of every resource its stacks manage with
    that id: several share one (``AWS::EC2::VPCEndpointServicePermissions``' is its
    service's ``ServiceId``)."""
    logical: dict[tuple[int, str], str] = field(default_factory=dict)
    """(id(template), logical id) -> physical id."""
    missing_stacks: list[Template] = field(default_factory=list)
    vpcs: list[Json] = field(default_factory=list)
    subnets: list[Json] = field(default_factory=list)
    tables: list[Json] = field(default_factory=list)
    acls: list[Json] = field(default_factory=list)
    peerings: list[Json] = field(default_factory=list)
    groups: list[Json] = field(default_factory=list)
    endpoints: list[Json] = field(default_factory=list)
    services: list[Json] = field(default_factory=list)
    prefix_lists: list[tuple[Json, list[Json]]] = field(default_factory=list)
    balancers: list[tuple[Json, list[Json]]] = field(default_factory=list)
    permissions: dict[str, frozenset[str]] = field(default_factory=dict)
    """Service id -> the principals allowed to connect to it (the stacks' services)."""
    options: frozenset[str] = frozenset()
    """The connection options the installed botocore reads of a peering's side."""


@dataclass
class _Zones:
    """One account's hosted zones: every zone listed; each private one, its VPCs and records."""

    listed: list[Json] = field(default_factory=list)
    zones: list[tuple[Json, list[Json], list[Json]]] = field(default_factory=list)


class _EnvReader:
    def __init__(self, sessions: _Sessions, env: _Env) -> None:
        self.sessions, self.env = sessions, env
        self.session = sessions.session(env.account, env.region)
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.sessions.client(self.session, service, self.env.region)
        return self._clients[service]

    def pages(self, service: str, operation: str, key: str, **arguments: Any) -> list[Json]:
        call = f"{service}:{_camel(operation)}"
        with _Reading(self.env.account, self.env.region, call):
            paginator = self.client(service).get_paginator(operation)
            found: list[Json] = []
            for page in paginator.paginate(**arguments):
                found.extend(page.get(key) or [])
            return found

    def call(self, service: str, operation: str, **arguments: Any) -> Json:
        with _Reading(self.env.account, self.env.region, f"{service}:{_camel(operation)}"):
            result: Json = getattr(self.client(service), operation)(**arguments)
            return result

    def read(self) -> _Env:
        env = self.env
        for template in env.templates:
            self._stack(template)
        env.vpcs = self.pages("ec2", "describe_vpcs", "Vpcs")
        env.subnets = self.pages("ec2", "describe_subnets", "Subnets")
        env.tables = self.pages("ec2", "describe_route_tables", "RouteTables")
        env.acls = self.pages("ec2", "describe_network_acls", "NetworkAcls")
        env.peerings = self.pages(
            "ec2", "describe_vpc_peering_connections", "VpcPeeringConnections"
        )
        env.options = _option_members(self.client("ec2"))
        env.groups = self.pages("ec2", "describe_security_groups", "SecurityGroups")
        env.endpoints = self.pages("ec2", "describe_vpc_endpoints", "VpcEndpoints")
        env.services = self.pages(
            "ec2", "describe_vpc_endpoint_service_configurations", "ServiceConfigurations"
        )
        for service in env.services:
            if service["ServiceId"] in env.physical:
                allowed = self.pages(
                    "ec2",
                    "describe_vpc_endpoint_service_permissions",
                    "AllowedPrincipals",
                    ServiceId=service["ServiceId"],
                )
                env.permissions[service["ServiceId"]] = frozenset(
                    str(each.get("Principal")) for each in allowed
                )
        lists = self.pages("ec2", "describe_managed_prefix_lists", "PrefixLists")
        used = _referenced_lists(env)
        for each in lists:
            # The lists a route or a security group rule names (AWS-managed ones too: a
            # gateway endpoint's route goes to one), and the stacks' own.
            if each["PrefixListId"] not in used and each["PrefixListId"] not in env.physical:
                continue
            entries = self.pages(
                "ec2",
                "get_managed_prefix_list_entries",
                "Entries",
                PrefixListId=each["PrefixListId"],
            )
            env.prefix_lists.append((each, entries))
        arns = sorted({arn for s in env.services for arn in s.get("NetworkLoadBalancerArns") or []})
        for start in range(0, len(arns), 20):
            found = self.call(
                "elbv2", "describe_load_balancers", LoadBalancerArns=arns[start : start + 20]
            )
            for balancer in found.get("LoadBalancers") or []:
                listeners = self.pages(
                    "elbv2",
                    "describe_listeners",
                    "Listeners",
                    LoadBalancerArn=balancer["LoadBalancerArn"],
                )
                env.balancers.append((balancer, listeners))
        return env

    def _stack(self, template: Template) -> None:
        from botocore.exceptions import ClientError

        if template.parent is not None:
            parent_id = self.env.logical.get((id(template.parent), template.parent_resource or ""))
            if parent_id is None:
                return  # its parent is not deployed (reported) or does not hold it
            name = parent_id
        else:
            name = template.name
        summaries: list[Json] = []
        with _Reading(self.env.account, self.env.region, "cloudformation:ListStackResources"):
            try:
                paginator = self.client("cloudformation").get_paginator("list_stack_resources")
                for page in paginator.paginate(StackName=name):
                    summaries.extend(page.get("StackResourceSummaries") or [])
            except ClientError as error:
                info = error.response.get("Error", {})
                if info.get("Code") != "ValidationError" or "does not exist" not in str(
                    info.get("Message", "")
                ):
                    raise
                self.env.missing_stacks.append(template)
                return
        for summary in summaries:
            logical = str(summary.get("LogicalResourceId", ""))
            physical = summary.get("PhysicalResourceId")
            if not physical or str(summary.get("ResourceStatus", "")).startswith("DELETE"):
                continue
            kind = str(summary.get("ResourceType", ""))
            self.env.physical.setdefault(str(physical), []).append((template, logical, kind))
            self.env.logical[(id(template), logical)] = str(physical)

    def zones(self, ours: set[str]) -> _Zones:
        """Read the account's zones, and the records of those that can matter.

        Those a stack manages and those associated with a stack's VPC: ``ours`` holds the
        ids of the stacks' resources.
        """
        found = _Zones()
        for zone in self.pages("route53", "list_hosted_zones", "HostedZones"):
            zone_id = str(zone["Id"]).rsplit("/", 1)[-1]
            found.listed.append({**zone, "Id": zone_id})
            if not (zone.get("Config") or {}).get("PrivateZone"):
                continue
            vpcs = self.call("route53", "get_hosted_zone", Id=zone_id).get("VPCs") or []
            if zone_id not in ours and not any(vpc.get("VPCId") in ours for vpc in vpcs):
                continue  # another team's: no record of it can matter
            records = self.pages(
                "route53", "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id
            )
            found.zones.append(({**zone, "Id": zone_id}, vpcs, records))
        return found


def _dns(name: object) -> str:
    r"""Return a name Route 53 returns in the model's form.

    Route 53 escapes what is not a letter, digit, hyphen or dot as ``\ooo`` (octal): a
    wildcard's ``*`` is ``\052``.
    """
    text = re.sub(r"\\([0-7]{3})", lambda match: chr(int(match.group(1), 8)), str(name or ""))
    return dns_name(text)


def _referenced_lists(env: _Env) -> set[str]:
    """Return the prefix lists the routes and security group rules read name."""
    found = {
        str(route["DestinationPrefixListId"])
        for table in env.tables
        for route in table.get("Routes") or []
        if route.get("DestinationPrefixListId")
    }
    for group in env.groups:
        for permission in group.get("IpPermissions") or []:
            found.update(
                str(each.get("PrefixListId")) for each in permission.get("PrefixListIds") or []
            )
    return found


def _camel(operation: str) -> str:
    return "".join(part.capitalize() for part in operation.split("_"))


# --- the whole deployment -----------------------------------------------------------------


def read_deployment(
    assembly: Assembly, *, roles: dict[str, str], profiles: dict[str, str]
) -> Built:
    """Return the live model of ``assembly``'s deployed stacks (see ``deployment``)."""
    return deployment(assembly, roles=roles, profiles=profiles).built


def deployment(
    assembly: Assembly, *, roles: dict[str, str], profiles: dict[str, str]
) -> Deployment:
    """Read every stack's account and Region (in parallel) and build the live model."""
    started = time.perf_counter()
    for account, arn in roles.items():
        if not arn.startswith("arn:"):
            raise ConnectivityError(f"the role for account {account} is no ARN: {arn!r}")
    calls = _Calls()
    sessions = _Sessions(roles, profiles, calls)
    environments = _environments(assembly, sessions)
    envs = [
        _Env(account, region, templates) for (account, region), templates in environments.items()
    ]
    accounts = sorted({env.account for env in envs})
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(envs)))) as pool:
        results = list(pool.map(lambda env: _EnvReader(sessions, env).read(), envs))
        # Then the zones: records only of those a stack manages or a stack's VPC resolves
        # through. Route 53 is global, but answers in each partition: asked in a Region of
        # the account.
        ours = {physical for env in results for physical in env.physical}
        home = {env.account: env.region for env in reversed(envs)}
        zone_results = list(
            pool.map(
                lambda account: _EnvReader(sessions, _Env(account, home[account], [])).zones(ours),
                accounts,
            )
        )
    plan = build(assembly)
    _readable_options(plan, results)
    live = _LiveBuilder(results, zone_results, plan).run()
    missing = _missing(results, zone_results, plan)
    return Deployment(
        built=live,
        plan=plan,
        missing=missing,
        permissions=_permissions(assembly, results),
        calls=calls.count,
        seconds=time.perf_counter() - started,
        environments=[(env.account, env.region) for env in envs],
    )


def _permissions(
    assembly: Assembly, envs: list[_Env]
) -> dict[str, tuple[frozenset[str] | None, frozenset[str]]]:
    """Return, per endpoint service the stacks manage, the principals planned and allowed.

    Planned: the ``AllowedPrincipals`` of the ``AWS::EC2::VPCEndpointServicePermissions``
    resources that name it (none: nobody else may connect); None when a value or a
    condition the assembly does not hold decides them.
    """
    evaluator = Evaluator(assembly.templates)
    planned: dict[tuple[int, str], frozenset[str] | None] = {}
    for template in assembly.templates:
        for resource in template.resources.values():
            if resource.get("Type") != "AWS::EC2::VPCEndpointServicePermissions":
                continue
            condition = resource.get("Condition")
            exists = (
                True if not isinstance(condition, str) else evaluator.condition(condition, template)
            )
            if exists is False:
                continue
            props = resource.get("Properties") or {}
            token = evaluator.token(evaluator.evaluate(props.get("ServiceId"), template))
            if not isinstance(token, ResourceToken):
                continue
            key = (id(token.template), token.logical_id)
            values = evaluator.evaluate(props.get("AllowedPrincipals") or [], template)
            known = (
                exists is True
                and isinstance(values, list)
                and all(isinstance(v, str) and evaluator.is_literal(v) for v in values)
            )
            before = planned.get(key, frozenset())
            planned[key] = before | frozenset(values) if known and before is not None else None
    found: dict[str, tuple[frozenset[str] | None, frozenset[str]]] = {}
    for env in envs:
        for service_id, allowed in env.permissions.items():
            owners = env.physical[service_id]
            template, logical_id, kind = _modelled(owners)
            wanted = planned.get((id(template), logical_id), frozenset())
            found[display_path(template, logical_id, kind)] = (wanted, allowed)
    return found


def _option_members(ec2: Any) -> frozenset[str]:
    """Return the connection options a peering's side has in botocore's model of EC2."""
    shape = ec2.meta.service_model.shape_for("VpcPeeringConnectionOptionsDescription")
    return frozenset(shape.members)


def _readable_options(plan: Built, envs: list[_Env]) -> None:
    """Refuse to compare a connection option the installed botocore cannot read.

    An older botocore drops what its model lacks (``AllowMultipathResilience`` before it
    was added): it would read as not set, a false drift.
    """
    import botocore

    for peering, options in plan.options.items():
        env = next(
            (e for e in envs if (e.account, e.region) == (peering.account, peering.region)),
            envs[0] if envs else None,
        )
        if env is None:
            return
        for _, key in options:
            if key not in env.options:
                raise LiveError(
                    env.account,
                    env.region,
                    "ec2:DescribeVpcPeeringConnections",
                    f"this botocore ({botocore.__version__}) cannot read {key}, which the plan "
                    f"sets on peering {peering.path}: upgrade boto3 (pip install -U "
                    f'"cdk-peering[live]")',
                )


def _environments(assembly: Assembly, sessions: _Sessions) -> dict[tuple[str, str], list[Template]]:
    """Group the templates by the (account, Region) they deploy into."""
    grouped: dict[tuple[str, str], list[Template]] = {}
    for template in assembly.templates:
        account = template.account
        region = template.region or sessions.default_region
        if region is None:
            raise LiveError(
                account,
                None,
                "configuration",
                f"stack {template.path} names no Region and boto3 has no default one: set "
                "AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region)",
            )
        if account is None:
            account = sessions.default_account(region)
        grouped.setdefault((account, region), []).append(template)
    return grouped


def _missing(envs: list[_Env], zones: list[_Zones], plan: Built) -> list[Missing]:
    found: list[Missing] = []
    live_ids: set[str] = {str(zone["Id"]) for each in zones for zone in each.listed}
    for env in envs:
        live_ids.update(v["VpcId"] for v in env.vpcs)
        live_ids.update(s["SubnetId"] for s in env.subnets)
        live_ids.update(t["RouteTableId"] for t in env.tables)
        live_ids.update(a["NetworkAclId"] for a in env.acls)
        live_ids.update(p["VpcPeeringConnectionId"] for p in env.peerings)
        live_ids.update(g["GroupId"] for g in env.groups)
        live_ids.update(e["VpcEndpointId"] for e in env.endpoints)
        live_ids.update(s["ServiceId"] for s in env.services)
        live_ids.update(p["PrefixListId"] for p, _ in env.prefix_lists)
    for env in envs:
        for template in env.missing_stacks:
            found.append(
                Missing(
                    "stack",
                    template.path,
                    f"stack {template.name} in account {env.account}, {env.region}",
                    "not deployed (no such stack)",
                )
            )
        deployed = [t for t in env.templates if t not in env.missing_stacks]
        for template in deployed:
            if (template.parent is not None) and (
                (id(template.parent), template.parent_resource or "") not in env.logical
            ):
                continue
            for logical_id, resource in template.resources.items():
                kind = resource.get("Type")
                if kind not in MANAGED or "Condition" in resource:
                    continue
                path = display_path(template, logical_id, str(kind))
                physical = env.logical.get((id(template), logical_id))
                if physical is None:
                    found.append(
                        Missing(
                            "resource", path, f"{MANAGED[kind]} {logical_id}", "not in its stack"
                        )
                    )
                elif physical not in live_ids:
                    found.append(
                        Missing("resource", path, f"{MANAGED[kind]} {physical}", "not found")
                    )
    return found


class _LiveBuilder:
    """Make the model's objects from what the reads returned."""

    def __init__(self, envs: list[_Env], zones: list[_Zones], plan: Built) -> None:
        self.envs, self.zone_sets, self.plan = envs, zones, plan
        self.out = Built()
        self.paths: dict[str, str] = {}
        for env in envs:
            for physical, owners in env.physical.items():
                template, logical_id, kind = _modelled(owners)
                self.paths[physical] = display_path(template, logical_id, kind)
        self.vpcs: dict[str, Vpc] = {}
        self.subnets: dict[str, Subnet] = {}
        self.peerings: dict[str, Peering] = {}
        self.groups: dict[str, SecurityGroup] = {}
        self.prefix_lists: dict[str, PrefixList] = {}
        self.endpoints: dict[str, Endpoint] = {}
        self.dns: dict[str, Endpoint] = {}
        self.services: dict[str, EndpointService] = {}
        self.planned_routes = {
            (route.table.path, route.destination_text, route.ipv6): route.path
            for table in plan.tables
            for route in table.routes
        }
        self.planned_tables = {table.path for table in plan.tables if table.external}
        """The ids of tables of VPCs outside the stacks that the app adds routes to."""
        self.planned_entries = {
            (acl.path, entry.egress, entry.number): entry.path
            for acl in plan.acls
            for entry in acl.entries
            if entry.path != acl.path  # a default ACL's own (AWS's) rules: see _entry
        }
        self.planned_records = {
            (zone.path, record.name, record.type): record.path
            for zone in plan.zones
            for record in zone.records
        }

    def name(self, physical: str) -> str:
        return self.paths.get(physical, physical)

    def run(self) -> Built:
        for env in self.envs:
            self._vpcs(env)
        for env in self.envs:
            self._subnets(env)
        for env in self.envs:
            self._prefix_lists(env)
        for env in self.envs:
            self._peerings(env)
        for env in self.envs:
            self._groups(env)
        for env in self.envs:
            self._tables(env)
            self._acls(env)
        for env in self.envs:
            self._services(env)
        for env in self.envs:
            self._endpoints(env)
        for zones in self.zone_sets:
            self._zones(zones)
        for vpc in self.out.vpcs:
            if vpc.main_table is not None:
                vpc.main_table.subnets = [s for s in vpc.subnets if s.table is None]
            if vpc.default_acl is None and not vpc.external:
                vpc.default_acl = default_acl(vpc)
                self.out.acls.append(vpc.default_acl)
            vpc.subnets.sort(key=lambda s: (s.cidr.first if s.cidr else -1, s.path))
        return self.out

    # --- VPCs and subnets -----------------------------------------------------------------

    def _vpcs(self, env: _Env) -> None:
        for data in env.vpcs:
            vpc_id = data["VpcId"]
            if vpc_id not in env.physical:
                continue  # not the stacks': a peer's or a stranger's, added when referenced
            template = _modelled(env.physical[vpc_id])[0]
            vpc = Vpc(
                path=self.name(vpc_id), account=env.account, region=env.region, stack=template.path
            )
            primary = try_cidr(data.get("CidrBlock"))
            if primary is not None:
                vpc.cidrs.append(primary)
            for block in data.get("CidrBlockAssociationSet") or []:
                cidr = try_cidr(block.get("CidrBlock"))
                state = (block.get("CidrBlockState") or {}).get("State", "associated")
                if cidr is not None and state == "associated" and str(cidr) != str(primary):
                    vpc.cidrs.append(cidr)
            for block in data.get("Ipv6CidrBlockAssociationSet") or []:
                cidr = try_cidr(block.get("Ipv6CidrBlock"))
                state = (block.get("Ipv6CidrBlockState") or {}).get("State", "associated")
                if cidr is not None and state == "associated":
                    vpc.ipv6.append(cidr)
            self.vpcs[vpc_id] = vpc
            self.out.vpcs.append(vpc)

    def vpc(self, vpc_id: str, account: str | None = None, region: str | None = None) -> Vpc:
        """Return the VPC of ``vpc_id``; one outside the stacks is external, named by id."""
        found = self.vpcs.get(vpc_id)
        if found is None:
            why = "it is not a VPC of the stacks: its subnets and routes are not read"
            found = Vpc(path=vpc_id, account=account, region=region, stack=None, external=True)
            found.unknown.append(why)
            self.vpcs[vpc_id] = found
            self.out.vpcs.append(found)
        return found

    def _subnets(self, env: _Env) -> None:
        for data in env.subnets:
            vpc = self.vpcs.get(data.get("VpcId", ""))
            if vpc is None or vpc.external:
                continue
            subnet_id = data["SubnetId"]
            path = self.name(subnet_id)
            subnet = Subnet(path=path, vpc=vpc, cidr=try_cidr(data.get("CidrBlock")), group=path)
            for block in data.get("Ipv6CidrBlockAssociationSet") or []:
                cidr = try_cidr(block.get("Ipv6CidrBlock"))
                if cidr is not None and subnet.ipv6 is None:
                    subnet.ipv6 = cidr
            subnet.zone = data.get("AvailabilityZone")
            for tag in data.get("Tags") or []:
                if tag.get("Key") == "aws-cdk:subnet-name":
                    subnet.group = f"{vpc.path}: {tag.get('Value')}"
            vpc.subnets.append(subnet)
            self.subnets[subnet_id] = subnet
            self.out.subnets.append(subnet)

    # --- prefix lists, peerings, security groups --------------------------------------------

    def _prefix_lists(self, env: _Env) -> None:
        for data, entries in env.prefix_lists:
            found = PrefixList(path=self.name(data["PrefixListId"]))
            found.version = 6 if str(data.get("AddressFamily", "")).lower() == "ipv6" else 4
            found.entries = [c for c in (try_cidr(e.get("Cidr")) for e in entries) if c is not None]
            self.prefix_lists[data["PrefixListId"]] = found
            self.out.prefix_lists.append(found)

    def prefix_list(self, list_id: str) -> PrefixList:
        found = self.prefix_lists.get(list_id)
        if found is None:
            found = PrefixList(path=list_id, entries=None, external=True)
            found.unknown = "a list of an account not read: its entries were not read"
            self.prefix_lists[list_id] = found
            self.out.prefix_lists.append(found)
            self.out.unknowns[f"prefix list {list_id}: {found.unknown}"] = None
        return found

    def _peerings(self, env: _Env) -> None:
        for data in env.peerings:
            pcx = data["VpcPeeringConnectionId"]
            if pcx in self.peerings:
                continue
            ends = [data.get("RequesterVpcInfo") or {}, data.get("AccepterVpcInfo") or {}]
            if not any(end.get("VpcId") in self.vpcs for end in ends):
                continue
            requester, accepter = (self._end(end) for end in ends)
            status = str((data.get("Status") or {}).get("Code", "unknown"))
            peering = Peering(
                path=self.name(pcx),
                requester=requester,
                accepter=accepter,
                accepted=status == "active",
                why=None if status == "active" else f"its status is {status}",
                account=ends[0].get("OwnerId"),
                region=ends[0].get("Region"),
                peer_account=ends[1].get("OwnerId"),
                peer_region=ends[1].get("Region"),
                external=pcx not in self.paths,
            )
            options = self.out.options.setdefault(peering, {})
            for side, end in zip(("requester", "accepter"), ends, strict=True):
                for key, value in (end.get("PeeringOptions") or {}).items():
                    options[(side, key)] = value
            self.peerings[pcx] = peering
            self.out.peerings.append(peering)

    def _end(self, end: Json) -> Vpc:
        vpc = self.vpc(str(end.get("VpcId")), end.get("OwnerId"), end.get("Region"))
        if vpc.external and not vpc.cidrs:
            for block in end.get("CidrBlockSet") or [{"CidrBlock": end.get("CidrBlock")}]:
                cidr = try_cidr(block.get("CidrBlock"))
                if cidr is not None and str(cidr) not in {str(c) for c in vpc.cidrs}:
                    vpc.cidrs.append(cidr)
            for block in end.get("Ipv6CidrBlockSet") or []:
                cidr = try_cidr(block.get("Ipv6CidrBlock"))
                if cidr is not None:
                    vpc.ipv6.append(cidr)
        return vpc

    def group(self, group_id: str) -> SecurityGroup:
        found = self.groups.get(group_id)
        if found is None:
            found = SecurityGroup(path=group_id, vpc=None, external=True)
            self.groups[group_id] = found
            self.out.groups.append(found)
        return found

    def _groups(self, env: _Env) -> None:
        for data in env.groups:
            vpc = self.vpcs.get(data.get("VpcId", ""))
            group_id = data["GroupId"]
            if (vpc is None or vpc.external) and group_id not in env.physical:
                continue
            group = self.groups.get(group_id)
            if group is None:
                group = self.groups[group_id] = SecurityGroup(path=self.name(group_id), vpc=vpc)
                self.out.groups.append(group)
            group.vpc, group.external = vpc, False
            group.rules = []
            for permission in data.get("IpPermissions") or []:
                group.rules.extend(self._rules(permission, group.path))

    def _rules(self, permission: Json, owner: str) -> Iterator[Rule]:
        protocol = str(permission.get("IpProtocol", "-1")).lower()
        protocol = PROTOCOLS.get(protocol, protocol)
        low, high = permission.get("FromPort"), permission.get("ToPort")
        ports = (low if isinstance(low, int) else None, high if isinstance(high, int) else None)
        for block in permission.get("IpRanges") or []:
            yield Rule(protocol, *ports, cidr=try_cidr(block.get("CidrIp")), path=owner)
        for block in permission.get("Ipv6Ranges") or []:
            yield Rule(protocol, *ports, cidr=try_cidr(block.get("CidrIpv6")), path=owner)
        for pair in permission.get("UserIdGroupPairs") or []:
            yield Rule(protocol, *ports, group=self.group(str(pair.get("GroupId"))), path=owner)
        for entry in permission.get("PrefixListIds") or []:
            found = self.prefix_list(str(entry.get("PrefixListId")))
            yield Rule(protocol, *ports, prefix_list=found, path=owner)

    # --- route tables and network ACLs -----------------------------------------------------

    def _tables(self, env: _Env) -> None:
        for data in env.tables:
            vpc = self.vpcs.get(data.get("VpcId", ""))
            table_id = data["RouteTableId"]
            if vpc is None or vpc.external:
                if table_id in self.planned_tables:
                    self._imported_table(table_id, data)
                continue
            associations = data.get("Associations") or []
            main = any(a.get("Main") for a in associations)
            path = f"{vpc.path} (main route table)" if main else self.name(table_id)
            table = RouteTable(path=path, vpc=vpc, main=main)
            if main:
                vpc.main_table = table
            else:
                vpc.tables.append(table)
            for association in associations:
                subnet = self.subnets.get(association.get("SubnetId") or "")
                if subnet is not None:
                    subnet.table = table
                    table.subnets.append(subnet)
            for route in data.get("Routes") or []:
                made = self._route(table, table_id, route)
                if made is not None:
                    table.routes.append(made)
            self.out.tables.append(table)

    def _imported_table(self, table_id: str, data: Json) -> None:
        """Read a table of a VPC outside the stacks that the app adds routes to.

        Imported by id: its routes are read, to compare; its VPC's subnets are not, so it
        routes for none.
        """
        vpc = self.vpc(str(data.get("VpcId")))
        table = RouteTable(path=table_id, vpc=vpc, external=True)
        for route in data.get("Routes") or []:
            made = self._route(table, table_id, route)
            if made is not None:
                table.routes.append(made)
        self.out.tables.append(table)

    def _route(self, table: RouteTable, table_id: str, data: Json) -> Route | None:
        if data.get("GatewayId") == "local":
            return None
        prefix_list: PrefixList | None = None
        ipv6 = False
        if data.get("DestinationCidrBlock"):
            written = str(data["DestinationCidrBlock"])
        elif data.get("DestinationIpv6CidrBlock"):
            written, ipv6 = str(data["DestinationIpv6CidrBlock"]), True
        elif data.get("DestinationPrefixListId"):
            prefix_list = self.prefix_list(str(data["DestinationPrefixListId"]))
            written, ipv6 = str(prefix_list), prefix_list.version == 6
        else:
            return None
        destination = try_cidr(written) if prefix_list is None else None
        text = str(destination) if destination is not None else written
        path = self.planned_routes.get((table.path, text, ipv6)) or f"{table_id} {text}"
        return Route(
            path,
            table,
            destination,
            self._target(data),
            written,
            prefix_list=prefix_list,
            ipv6=ipv6,
        )

    def _target(self, data: Json) -> Target:
        pcx = data.get("VpcPeeringConnectionId")
        blackhole = str(data.get("State", "active")) == "blackhole"
        if pcx:
            peering = self.peerings.get(str(pcx))
            if peering is None:
                peering = Peering(
                    path=str(pcx),
                    requester=None,
                    accepter=None,
                    accepted=None if not blackhole else False,
                    why="it is not a peering of the VPCs read" if not blackhole else "it is gone",
                    external=True,
                )
                self.peerings[str(pcx)] = peering
                self.out.peerings.append(peering)
            if blackhole:
                return Target(BLACKHOLE, f"peering {peering.path}", why="its peering is gone")
            return Target(PEERING, f"peering {peering.path}", peering=peering)
        for key in (
            "GatewayId",
            "NatGatewayId",
            "TransitGatewayId",
            "EgressOnlyInternetGatewayId",
            "InstanceId",  # before its interface: AWS gives a route to an instance both
            "NetworkInterfaceId",
            "CarrierGatewayId",
            "LocalGatewayId",
            "CoreNetworkArn",
        ):
            value = data.get(key)
            if value:
                value = str(value)
                kind = next((n for p, n in ID_PREFIXES.items() if value.startswith(p)), key)
                name = f"{kind} {self.name(value)}"
                if blackhole:
                    return Target(BLACKHOLE, name, why=f"its {kind} is gone (blackhole)")
                return Target(GATEWAY, name)
        return Target(BLACKHOLE, "nothing", why="it has no target")

    def _acls(self, env: _Env) -> None:
        for data in env.acls:
            vpc = self.vpcs.get(data.get("VpcId", ""))
            if vpc is None or vpc.external:
                continue
            acl_id = data["NetworkAclId"]
            default = bool(data.get("IsDefault"))
            path = f"{vpc.path} (default network ACL)" if default else self.name(acl_id)
            acl = NetworkAcl(path=path, vpc=vpc, default=default)
            if default:
                vpc.default_acl = acl
            for entry in data.get("Entries") or []:
                made = self._entry(acl, acl_id, entry)
                if made is not None:
                    acl.entries.append(made)
            for association in data.get("Associations") or []:
                subnet = self.subnets.get(association.get("SubnetId") or "")
                if subnet is not None and not default:
                    subnet.acl = acl
            self.out.acls.append(acl)

    def _entry(self, acl: NetworkAcl, acl_id: str, data: Json) -> AclEntry | None:
        number = int(data.get("RuleNumber", 0))
        if number >= 32767:
            return None
        egress = bool(data.get("Egress"))
        protocol = str(data.get("Protocol", "-1"))
        protocol = PROTOCOLS.get(protocol, protocol)
        ports = data.get("PortRange")
        span: tuple[int, int] | None = None
        if protocol in ("tcp", "udp") and isinstance(ports, dict):
            span = (int(ports.get("From", 0)), int(ports.get("To", 65535)))
        ipv6 = bool(data.get("Ipv6CidrBlock"))
        cidr = try_cidr(data.get("Ipv6CidrBlock") if ipv6 else data.get("CidrBlock"))
        direction = "egress" if egress else "ingress"
        allow = str(data.get("RuleAction", "")).lower() == "allow"
        everything = cidr is not None and cidr.prefix == 0 and protocol == "-1" and allow
        if acl.default and everything and number == (101 if ipv6 else 100):
            path = acl.path  # AWS's own rule of a default ACL: allow all
        else:
            path = self.planned_entries.get((acl.path, egress, number)) or (
                f"{acl_id} {direction} {number}"
            )
        return AclEntry(
            path=path,
            number=number,
            egress=egress,
            protocol=protocol,
            allow=allow,
            cidr=cidr,
            ports=span,
            ipv6=ipv6,
        )

    # --- PrivateLink ---------------------------------------------------------------------------

    def _services(self, env: _Env) -> None:
        balancers: dict[str, LoadBalancer] = {}
        for data, listeners in env.balancers:
            arn = data["LoadBalancerArn"]
            balancer = LoadBalancer(path=self.name(arn), kind=str(data.get("Type", "network")))
            balancer.groups = [self.group(g) for g in data.get("SecurityGroups") or []]
            enforce = str(data.get("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic", "on"))
            balancer.enforce_on_privatelink = enforce.lower() != "off"
            balancer.ports = {int(each["Port"]) for each in listeners if "Port" in each}
            balancers[arn] = balancer
            self.out.load_balancers.append(balancer)
        for data in env.services:
            service_id = data["ServiceId"]
            service = EndpointService(
                path=self.name(service_id),
                region=env.region,
                account=env.account,
                acceptance_required=bool(data.get("AcceptanceRequired")),
            )
            service.load_balancers = [
                balancers[arn]
                for arn in data.get("NetworkLoadBalancerArns") or []
                if arn in balancers
            ]
            self.services[str(data.get("ServiceName", service_id))] = service
            self.out.services.append(service)

    def _endpoints(self, env: _Env) -> None:
        for data in env.endpoints:
            vpc = self.vpcs.get(data.get("VpcId", ""))
            endpoint_id = data["VpcEndpointId"]
            if (vpc is None or vpc.external) and endpoint_id not in env.physical:
                continue
            name = str(data.get("ServiceName", ""))
            endpoint = Endpoint(
                path=self.name(endpoint_id),
                kind=_endpoint_kind(str(data.get("VpcEndpointType", "Gateway"))),
                vpc=vpc,
                service_name=name,
                state=str(data.get("State", "unknown")),
                ip_address_type=str(data.get("IpAddressType") or "ipv4").lower(),
            )
            endpoint.subnets = [
                self.subnets[s] for s in data.get("SubnetIds") or [] if s in self.subnets
            ]
            groups = [g.get("GroupId") for g in data.get("Groups") or []]
            endpoint.groups = [self.group(str(g)) for g in groups] if groups else None
            endpoint.service = self.services.get(name)
            if endpoint.service is None:
                endpoint.aws_service = is_aws_service(name)
                if not endpoint.aws_service:
                    endpoint.unknown = f"its service {name} is in no account and Region read"
            elif endpoint.state == "available":
                endpoint.service.accepted[endpoint] = f"{endpoint.service.path} (available)"
            for entry in data.get("DnsEntries") or []:
                if entry.get("DnsName"):
                    self.dns[dns_name(str(entry["DnsName"]))] = endpoint
            self.endpoints[endpoint_id] = endpoint
            self.out.endpoints.append(endpoint)

    # --- Route 53 ------------------------------------------------------------------------------

    def _zones(self, zones: _Zones) -> None:
        for data, vpcs, records in zones.zones:
            zone_id = str(data["Id"])
            associated = [self.vpcs.get(str(v.get("VPCId"))) for v in vpcs]
            if zone_id not in self.paths and not any(
                v is not None and not v.external for v in associated
            ):
                continue
            zone = HostedZone(path=self.name(zone_id), name=_dns(data.get("Name")))
            for each in vpcs:
                vpc = self.vpc(str(each.get("VPCId")), None, each.get("VPCRegion"))
                if vpc not in zone.vpcs:
                    zone.vpcs.append(vpc)
            for record in records:
                made = self._record(zone, zone_id, record)
                if made is not None:
                    zone.records.append(made)
            self.out.zones.append(zone)

    def _record(self, zone: HostedZone, zone_id: str, data: Json) -> Record | None:
        kind = str(data.get("Type", "")).upper()
        if kind not in ("A", "AAAA", "CNAME"):
            return None
        name = _dns(data.get("Name"))
        path = self.planned_records.get((zone.path, name, kind)) or f"{zone_id} {name} {kind}"
        record = Record(path=path, name=name, type=kind)
        alias = data.get("AliasTarget")
        if isinstance(alias, dict):
            target = _dns(alias.get("DNSName"))
            record.endpoint = self.dns.get(target) or self.dns.get(target.removeprefix("*."))
            if record.endpoint is None:
                record.unknown = f"it is an alias to {target}, which is no endpoint read"
            return record
        for value in data.get("ResourceRecords") or []:
            text = str(value.get("Value", ""))
            if kind == "CNAME":
                record.canonical = dns_name(text)
            else:
                address = try_cidr(text)
                if isinstance(address, Cidr):
                    record.addresses.append(address)
        return record


def _modelled(owners: list[tuple[Template, str, str]]) -> tuple[Template, str, str]:
    """Return the resource that names an object, of those that share its physical id.

    The one whose type is the object's: the endpoint service, not its permissions.
    """
    return next((each for each in owners if each[2] in MANAGED), None) or next(
        (each for each in owners if each[2] in MODELLED), owners[0]
    )


def _endpoint_kind(kind: str) -> str:
    return {"interface": "Interface", "gateway": "Gateway"}.get(kind.lower(), kind)


__all__ = [
    "ACTIONS",
    "CREDENTIAL_CALLS",
    "READ_PREFIXES",
    "Deployment",
    "LiveError",
    "Missing",
    "client_listeners",
    "deployment",
    "read_deployment",
]

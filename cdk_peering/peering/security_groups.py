"""Security group rules between peered VPCs: CIDR-based rules, and the inter-region check.

AWS facts this relies on (VPC peering guide, "Update your security groups to reference
peer security groups" and "VPC peering limitations"):

* a security group rule may reference a security group of a peer VPC only when both VPCs
  are in the same Region; across Regions the rule must name the peer's CIDR blocks;
* a security group rule names one CIDR, so a peer VPC with secondary blocks needs one rule
  per block.

``allow_from_peer`` writes the CIDR rules. ``InterRegionSecurityGroupCheck`` finds, at
synth time, every rule that references a security group of an inter-region peer VPC, as
``sg_a.connections.allow_from(sg_b, port)`` or
``sg_a.add_ingress_rule(ec2.Peer.security_group_id(sg_b.security_group_id), port)`` does
when ``sg_b`` is in such a VPC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from constructs import IConstruct

from .. import rule_ids
from ..cdk import params
from ..cdk.app_context import AppContext, vpc_facts
from ..cdk.late_checks import LateChecks
from ..cdk.vpcs import VpcFacts, unknown_cidr
from ..errors import ValidationError
from ..findings import Finding


def allow_from_peer(
    security_group: ec2.ISecurityGroup,
    *,
    peer_vpc: ec2.IVpc,
    port: ec2.Port,
    description: str | None = None,
    ipv6: bool = False,
) -> None:
    """Open ``port`` on ``security_group`` to every CIDR block of a peer VPC.

    The inter-region-safe alternative to referencing a security group of the peer VPC
    (``connections.allow_from(peer_security_group, port)``), which AWS refuses when the
    two VPCs are in different Regions. One ingress rule is added per IPv4 block of the
    peer VPC, primary and secondary (``ec2.CfnVPCCidrBlock`` declared before this call),
    with ``security_group.add_ingress_rule``: an ``ec2.SecurityGroup`` inlines them in its
    ``AWS::EC2::SecurityGroup``, an imported group gets ``AWS::EC2::SecurityGroupIngress``
    resources.

    Example::

        # app_sg in us-east-1, shared_vpc in eu-west-1, peered with VpcPeering
        allow_from_peer(app_sg, peer_vpc=shared_vpc, port=ec2.Port.tcp(443))

    :param security_group: the security group to open.
    :param peer_vpc: the peer VPC whose CIDR blocks may connect.
    :param port: the port (or port range and protocol) to open.
    :param description: the description of each rule. Default: - ``from peer VPC <path>``.
    :param ipv6: also open the port to the peer VPC's IPv6 blocks. Ignored when the library
        sees no IPv6 block in the peer VPC (an imported VPC's IPv6 blocks are unknown).
        Default: false.
    """
    given: params.Given = [
        ("peer_vpc", peer_vpc, params.VPC, True),
        (
            "port",
            port,
            params.instance(ec2.Port, name="an ec2.Port", example="ec2.Port.tcp(443)"),
            True,
        ),
        ("description", description, params.STRING, False),
        ("ipv6", ipv6, params.BOOLEAN, True),
    ]
    if not params.SECURITY_GROUP(security_group):
        # Without a security group, the peer VPC's path (if it is one) names the problems.
        where = vpc_facts(peer_vpc).path if params.VPC(peer_vpc) else "allow_from_peer"
        problems = params.check_parameters(
            where, [("security_group", security_group, params.SECURITY_GROUP, True), *given]
        )
        if where != "allow_from_peer":
            problems = [replace(p, message=f"allow_from_peer: {p.message}") for p in problems]
        raise ValidationError(problems)
    params.require_in(security_group, "allow_from_peer", given)
    facts = vpc_facts(peer_vpc)
    problems = unknown_cidr(
        security_group.node.path, facts, "allow_from_peer needs", param="peer_vpc"
    )
    if problems:
        raise ValidationError(problems)
    _PeerRules.watch(security_group, facts)
    _LateBlocks.watch(security_group, facts, ipv6=ipv6)
    text = description if description is not None else f"from peer VPC {facts.path}"
    for block in peer_blocks(facts, security_group, ipv6=ipv6):
        security_group.add_ingress_rule(block.peer(), port, text)
    if ipv6 and facts.ipv6_amazon_provided:
        # An Amazon-provided block is read from the VPC's Ipv6CidrBlocks, empty until the
        # block's association exists: the rules wait for it.
        security_group.node.add_dependency(*facts.ipv6_dependencies)


class _PeerRules:
    """The groups allow_from_peer opened to a peer VPC, checked at synth for a peering.

    A rule that admits a VPC no peering of the app joins to the group's VPC is a warning
    (the two may be connected elsewhere: another app, a transit gateway). Groups whose
    VPC cannot be read (imported by id) are not checked.
    """

    def __init__(self, context: AppContext) -> None:
        self._context = context
        self._rules: dict[tuple[int, str], tuple[IConstruct, str, VpcFacts]] = {}

    @staticmethod
    def watch(security_group: ec2.ISecurityGroup, peer: VpcFacts) -> None:
        """Check at synth that a peering joins ``peer`` to the group's VPC."""
        resource = security_group.node.default_child
        own_vpc_id = resource.vpc_id if isinstance(resource, ec2.CfnSecurityGroup) else None
        if own_vpc_id is None or own_vpc_id == peer.vpc_id or peer.is_lookup_placeholder:
            return
        context = AppContext.of(security_group)
        rules = context.singleton(_PeerRules, lambda: _PeerRules(context))
        rules._rules.setdefault(
            (id(security_group), peer.vpc_id), (security_group, own_vpc_id, peer)
        )
        LateChecks.of(context).add(rule_ids.ALLOW_FROM_UNPEERED_VPC, rules.check)

    def check(self, root: IConstruct) -> Iterable[tuple[IConstruct, Finding]]:
        """Warn of each group opened to a VPC that no peering joins to the group's VPC."""
        pairs = self._context.registry.pairs
        for group, own_vpc_id, peer in self._rules.values():
            if frozenset((own_vpc_id, peer.vpc_id)) in pairs:
                continue
            path = group.node.path
            yield (
                group,
                Finding(
                    path,
                    rule_ids.ALLOW_FROM_UNPEERED_VPC,
                    f"allow_from_peer opens security group {path} to VPC {peer.path}, but no "
                    "peering of this app joins that VPC to the group's: the rule admits traffic "
                    "that has no route to come by.",
                    "Peer the two VPCs (a VpcPeering, or a topology with both), or acknowledge "
                    "this warning when they are connected elsewhere (another app, a transit "
                    "gateway).",
                    error=False,
                ),
            )


class _LateBlocks:
    """The groups allow_from_peer opened to a VPC of the app, checked at synth for new blocks.

    Each rule names a block the VPC had when it was read; a block added later (or declared
    where the library does not look, in another stack) is admitted by no rule: a warning.
    """

    def __init__(self, checks: LateChecks) -> None:
        self._checks = checks
        self._groups: dict[tuple[int, str], tuple[IConstruct, VpcFacts, bool]] = {}

    @staticmethod
    def watch(security_group: ec2.ISecurityGroup, peer: VpcFacts, *, ipv6: bool) -> None:
        """Check at synth that ``peer`` got no block the group's rules miss."""
        if not peer.built_in_app:
            return  # an imported VPC's blocks are what it was imported with
        context = AppContext.of(security_group)
        checks = LateChecks.of(context)
        late = context.singleton(_LateBlocks, lambda: _LateBlocks(checks))
        key = (id(security_group), peer.vpc_id)
        known = late._groups.get(key)
        late._groups[key] = (security_group, peer, ipv6 or (known is not None and known[2]))
        checks.add(rule_ids.CIDR_BLOCK_NOT_ALLOWED, late.check)

    def check(self, root: IConstruct) -> Iterable[tuple[IConstruct, Finding]]:
        """Warn of each block of a VPC that a group's allow_from_peer rules miss."""
        blocks = self._checks.cidr_blocks()
        for group, peer, ipv6 in self._groups.values():
            for network, block in peer.blocks_added_since(blocks):
                if network.version == 6 and not ipv6:
                    continue  # IPv6 was not asked for
                path = group.node.path
                ip = "ipv6" if network.version == 6 else "ipv4"
                yield (
                    group,
                    Finding(
                        path,
                        rule_ids.CIDR_BLOCK_NOT_ALLOWED,
                        f"allow_from_peer opened security group {path} to the CIDR blocks "
                        f"{peer.path} had then; block {network} ({block}) was declared after "
                        "it (or where the library does not look: not as a child or a sibling "
                        "of the VPC), so no rule of the group admits it.",
                        f"Declare the block beside the VPC before calling allow_from_peer (its "
                        f"rules then include it), or add a rule for it (security_group."
                        f"add_ingress_rule(ec2.Peer.{ip}('{network}'), port)); acknowledge this "
                        f"warning if {network} should not connect.",
                        error=False,
                    ),
                )


@dataclass(frozen=True)
class PeerBlock:
    """One CIDR block of a peer VPC, as a rule of a security group names it."""

    cidr: str
    """The block: a literal, or a token (an Amazon-provided IPv6 block, an imported CIDR)."""
    ipv6: bool
    """Whether it is an IPv6 block."""

    def peer(self) -> ec2.IPeer:
        """Return the block as a security group rule's peer."""
        return ec2.Peer.ipv6(self.cidr) if self.ipv6 else ec2.Peer.ipv4(self.cidr)


def peer_blocks(facts: VpcFacts, security_group: IConstruct, *, ipv6: bool) -> list[PeerBlock]:
    """Return every block of a peer VPC that a rule of ``security_group`` opens to.

    Its IPv4 blocks, primary and secondary, and with ``ipv6`` its IPv6 blocks, read as the
    group's stack must read them (:meth:`VpcFacts.read_ipv6`). A rule to an
    Amazon-provided IPv6 block must wait for ``facts.ipv6_dependencies``.
    """
    blocks = [PeerBlock(cidr, ipv6=False) for cidr in facts.ipv4_cidrs]
    if ipv6 and facts.ipv6_cidrs:
        stack = cdk.Stack.of(security_group)
        blocks += [PeerBlock(facts.read_ipv6(cidr, stack), ipv6=True) for cidr in facts.ipv6_cidrs]
    return blocks


@dataclass(frozen=True)
class _Group:
    """A security group of a watched VPC."""

    vpc_id: str
    path: str


class InterRegionSecurityGroupCheck:
    """The rule: no security group rule may reference a security group of an inter-region peer.

    The peering code calls :meth:`register` for each pair of VPCs peered across Regions.
    At synth the whole app is scanned once (a late check, see
    :mod:`cdk_peering.cdk.late_checks`) and each offending rule gets an error annotation,
    written as every finding of the library:
    ``[<rule path>] ... Fix: ... (cdk_peering:interRegionSecurityGroupReference)``;
    ``cdk synth`` lists the errors and stops.

    Checked: ``AWS::EC2::SecurityGroupIngress`` and ``AWS::EC2::SecurityGroupEgress``
    resources, wherever CDK placed them (``connections.allow_from`` puts the rule of the
    other group in the caller's stack), and the inline rules of an
    ``AWS::EC2::SecurityGroup``, as an L1's lists or as an ``ec2.SecurityGroup`` renders
    them (``add_ingress_rule(ec2.Peer.security_group_id(...), port)`` and its egress
    equivalent write inline rules). A security group belongs to a VPC when its
    ``CfnSecurityGroup``'s ``vpc_id`` is that VPC's ``vpc_id``; groups imported by id have
    no VPC to read and are not checked.
    """

    @staticmethod
    def register(scope: IConstruct, vpc_a: ec2.IVpc, vpc_b: ec2.IVpc) -> None:
        """Forbid security group references between two VPCs peered across Regions.

        Registering a pair again (either way round) changes nothing.

        :param scope: any construct of the app.
        :param vpc_a: one VPC of the peering.
        :param vpc_b: the other VPC, in another Region.
        """
        InterRegionSecurityGroupCheck.register_in(AppContext.of(scope), vpc_a, vpc_b)

    @staticmethod
    def register_in(context: AppContext, vpc_a: ec2.IVpc, vpc_b: ec2.IVpc) -> None:
        """Do what :meth:`register` does, in the app whose context the caller holds.

        :param context: the app's context.
        :param vpc_a: one VPC of the peering.
        :param vpc_b: the other VPC, in another Region.
        """
        if vpc_a is vpc_b:
            return
        checks = LateChecks.of(context)
        pairs = context.singleton(_InterRegionPairs, lambda: _InterRegionPairs(checks))
        pairs.add_pair(vpc_a, vpc_b)
        checks.add(rule_ids.INTER_REGION_SECURITY_GROUP_REFERENCE, pairs.check)


class _InterRegionPairs:
    """The VPC pairs of an app peered across Regions, and the check over its rules."""

    def __init__(self, checks: LateChecks) -> None:
        self._checks = checks
        self._vpc_paths: dict[str, str] = {}
        """The path of each watched VPC, by vpc_id."""
        self._pairs: set[frozenset[str]] = set()
        """The vpc_ids of each pair peered across Regions."""

    def add_pair(self, vpc_a: ec2.IVpc, vpc_b: ec2.IVpc) -> None:
        """Watch one more pair of VPCs."""
        a, b = vpc_facts(vpc_a), vpc_facts(vpc_b)
        self._vpc_paths.setdefault(a.vpc_id, a.path)
        self._vpc_paths.setdefault(b.vpc_id, b.path)
        self._pairs.add(frozenset((a.vpc_id, b.vpc_id)))

    def check(self, root: IConstruct) -> list[tuple[IConstruct, Finding]]:
        """Return each security group rule that breaks the rule, with where to mark it."""
        groups: dict[str, _Group] = {}
        inline: list[tuple[ec2.CfnSecurityGroup, _Group]] = []
        rules: list[ec2.CfnSecurityGroupIngress | ec2.CfnSecurityGroupEgress] = []
        for construct in self._checks.constructs():
            if isinstance(construct, ec2.CfnSecurityGroup):
                vpc_id = construct.vpc_id
                if vpc_id is None or vpc_id not in self._vpc_paths:
                    continue
                group = _Group(vpc_id, _group_path(construct))
                groups[construct.attr_group_id] = group
                groups[construct.ref] = group
                inline.append((construct, group))
            elif isinstance(construct, ec2.CfnSecurityGroupIngress | ec2.CfnSecurityGroupEgress):
                rules.append(construct)
        if not groups:
            return []

        # (the construct to mark, where the rule is; its direction; its group; the id it
        # references)
        found: list[tuple[IConstruct, str, str, _Group, str | None]] = []
        for resource, group in inline:
            for direction, items, key in (
                ("Ingress", resource.security_group_ingress, "sourceSecurityGroupId"),
                ("Egress", resource.security_group_egress, "destinationSecurityGroupId"),
            ):
                if items is not None and not isinstance(items, list):
                    # An ec2.SecurityGroup's list: a token that holds the rules its
                    # add_ingress_rule and add_egress_rule calls added, as dicts.
                    items = items.resolve(_OneLevel(resource))
                for i, item in enumerate(items if isinstance(items, list) else []):
                    if isinstance(item, ec2.CfnSecurityGroup.IngressProperty):
                        referenced_id = item.source_security_group_id
                    elif isinstance(item, ec2.CfnSecurityGroup.EgressProperty):
                        referenced_id = item.destination_security_group_id
                    elif isinstance(item, dict):
                        referenced_id = item.get(key)
                    else:
                        continue
                    if isinstance(referenced_id, str) and referenced_id in groups:
                        where = f"{resource.node.path} (inline SecurityGroup{direction}[{i}])"
                        found.append((resource, where, direction.lower(), group, referenced_id))
        for rule in rules:
            own = groups.get(rule.group_id or "")
            if own is None:
                continue
            path = rule.node.path
            if isinstance(rule, ec2.CfnSecurityGroupIngress):
                found.append((rule, path, "ingress", own, rule.source_security_group_id))
            else:
                found.append((rule, path, "egress", own, rule.destination_security_group_id))
        problems: list[tuple[IConstruct, Finding]] = []
        for construct, where, direction, own, referenced_id in found:
            referenced = groups.get(referenced_id or "")
            if referenced is not None and frozenset((own.vpc_id, referenced.vpc_id)) in self._pairs:
                problems.append((construct, self._finding(where, direction, own, referenced)))
        return problems

    def _finding(self, where: str, direction: str, own: _Group, referenced: _Group) -> Finding:
        """Say which rule references which group across Regions, and how to fix it."""
        own_vpc = self._vpc_paths[own.vpc_id]
        peer_vpc = self._vpc_paths[referenced.vpc_id]
        if direction == "ingress":
            fix = (
                f"Use CIDRs: cdk_peering.allow_from_peer({own.path}, peer_vpc={peer_vpc}, "
                "port=...) opens the port to every CIDR block of the peer VPC."
            )
        else:
            fix = (
                f"Use CIDRs: add_egress_rule(ec2.Peer.ipv4(cidr), port) on {own.path} for each "
                f"CIDR block of {peer_vpc}."
            )
        return Finding(
            where,
            rule_ids.INTER_REGION_SECURITY_GROUP_REFERENCE,
            f"An {direction} rule of security group {own.path} (VPC {own_vpc}) references "
            f"security group {referenced.path} of VPC {peer_vpc}, peered with {own_vpc} across "
            "Regions; AWS rejects security group references to a peer VPC in another Region.",
            fix,
        )


@jsii.implements(cdk.IResolveContext)
class _OneLevel:
    """A context to read the value a token holds, with the tokens inside it left as they are.

    ``IResolvable.resolve(context)`` produces one level of a token; CDK's resolver then
    resolves what that holds. Read this way, an ec2.SecurityGroup's rule list keeps the id
    of each group a rule references as the token string ``attr_group_id`` or ``ref`` gave.
    """

    def __init__(self, scope: IConstruct) -> None:
        self._scope = scope

    @property
    def document_path(self) -> list[str]:
        """Return no path: the value is read, not placed in a template."""
        return []

    @property
    def preparing(self) -> bool:
        """Return false: this is not the prepare phase."""
        return False

    @property
    def scope(self) -> IConstruct:
        """Return the construct that holds the token."""
        return self._scope

    def register_post_processor(self, post_processor: cdk.IPostProcessor) -> None:
        """Ignore a post-processor: the value is read, not rendered."""

    def resolve(
        self,
        x: Any,
        *,
        allow_intrinsic_keys: bool | None = None,
        remove_empty: bool | None = None,
    ) -> Any:
        """Resolve a value fully, for a token whose producer asks to."""
        return cdk.Stack.of(self._scope).resolve(x)


def _group_path(resource: ec2.CfnSecurityGroup) -> str:
    """Return the path users know a group by: the ec2.SecurityGroup's, for its Resource."""
    return resource.node.path.removesuffix("/Resource")

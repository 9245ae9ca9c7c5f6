"""Property: over random meshes, hubs and hand-written graphs, a VPC reaches another
exactly when the two are peered directly; never through a third.

Each seed builds one app: a PeeringMesh over a random subset of a few VPCs, a HubAndSpoke
with a random hub and spokes, and a random graph of hand-written CfnVPCPeeringConnection
and CfnRoute peerings, plus maybe one hand-written peering between the groups. Every VPC
has one isolated subnet, and every peering routes both ways, so nothing is one-way.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from cdk_peering import HubAndSpoke, PeeringMesh
from cdk_peering.connectivity import Network
from tests.conftest import ENV
from tests.connectivity_apps import network_of, new_app, peer, vpc

SEEDS = [3, 5, 8]


@dataclass
class Case:
    network: Network
    vpcs: list[str]
    peered: set[frozenset[str]]


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{seed}" for seed in SEEDS])
def case(request: pytest.FixtureRequest) -> Case:
    rng = random.Random(request.param)
    app = new_app()
    stack = cdk.Stack(app, "Vpcs", env=ENV)
    made: list[ec2.Vpc] = []

    def group(name: str) -> list[ec2.Vpc]:
        start = len(made)
        made.extend(
            vpc(stack, f"{name}{i}", f"10.{start + i}.0.0/16") for i in range(rng.randint(3, 6))
        )
        return made[start:]

    peered: set[frozenset[str]] = set()

    def pair(one: ec2.Vpc, other: ec2.Vpc) -> None:
        peered.add(frozenset({f"Vpcs/{one.node.id}", f"Vpcs/{other.node.id}"}))

    meshed = rng.sample(group("Mesh"), rng.randint(2, 3))
    PeeringMesh(cdk.Stack(app, "Net", env=ENV), "Mesh", vpcs=meshed)
    for one, other in itertools.combinations(meshed, 2):
        pair(one, other)
    hub, *others = group("Hub")
    spokes = rng.sample(others, rng.randint(1, len(others)))
    HubAndSpoke(cdk.Stack(app, "Hubs", env=ENV), "Hub", hub=hub, spokes=spokes)
    for spoke in spokes:
        pair(hub, spoke)
    hand = group("Hand")
    for one, other in itertools.combinations(hand, 2):
        if rng.random() < 0.5:
            peer(stack, f"{one.node.id}To{other.node.id}", one, other)
            pair(one, other)
    if rng.random() < 0.5:
        one, other = rng.choice(meshed), rng.choice(hand)
        peer(stack, f"{one.node.id}To{other.node.id}", one, other)
        pair(one, other)
    return Case(network_of(app), [f"Vpcs/{each.node.id}" for each in made], peered)


def test_reachable_exactly_when_peered_directly(case: Case) -> None:
    wrong = [
        (one, other, answer.reason)
        for one, other in itertools.permutations(case.vpcs, 2)
        if (answer := case.network.reachability(one, other)).reachable
        != (frozenset({one, other}) in case.peered)
        or answer.unknown
    ]
    assert wrong == []


def test_nothing_is_one_way(case: Case) -> None:
    assert case.network.one_way_routes() == []
    assert case.network.unknowns == ()

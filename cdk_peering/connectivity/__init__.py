"""Check a network before it exists: an offline model of a cloud assembly.

The model holds a cloud assembly's VPCs, routes, peerings and PrivateLink endpoints, and
answers the questions users ask of them.

    from cdk_peering.connectivity import Network

    network = Network.from_assembly(app.synth())      # or Network.from_assembly("cdk.out")
    answer = network.reachability("Net/App/IsolatedSubnet1", "orders.example.internal", port=443)
    assert answer, answer.reason
    for route in network.one_way_routes():
        print(route)

It reads the assembly's JSON only (manifest, templates, tree.json, metadata): importing
it starts no Node.js process and loads no ``aws_cdk``, ``jsii`` or ``constructs``, so it
runs on any ``cdk.out``, even outside a CDK environment. ``python -m
cdk_peering.connectivity`` prints a report; ``cdk_peering.testing`` has assertions for
tests.
"""

from __future__ import annotations

from .errors import ConnectivityError, PathError
from .network import Network
from .results import Hop, OneWayRoute, Reachability

__all__ = [
    "ConnectivityError",
    "Hop",
    "Network",
    "OneWayRoute",
    "PathError",
    "Reachability",
]

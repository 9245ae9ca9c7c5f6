"""TopologyPlacement, and the stack budget a topology's layout keeps to."""

from __future__ import annotations

import enum

STACK_BUDGET = 450
"""Resources the library puts in one stack: CloudFormation allows 500, and CDK adds its
own (CDKMetadata) and may add more (reference readers), so 50 are kept free."""
OUTPUTS_LIMIT = 200
"""CloudFormation's limit on outputs per stack (and on parameters)."""


class TopologyPlacement(enum.Enum):
    """Where a topology puts its peering connections and routes."""

    STACK_PER_VPC = "STACK_PER_VPC"
    """Stacks per VPC, in its account and region: ``<VPC>Requests`` (the connections it
    requests and its routes through them) and ``<VPC>Accepts`` (its routes through the
    connections other VPCs requested), cut into parts by route table when they could
    outgrow a stack. Stable as VPCs come and go, and within every CloudFormation limit at
    any size (the default)."""
    SCOPE = "SCOPE"
    """Everything in the topology's own stack. Every VPC must be in that stack's account
    and region, and the topology must add at most 450 resources; otherwise an error."""

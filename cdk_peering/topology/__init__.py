"""Topologies: PeeringMesh and HubAndSpoke, checked as a whole and spread over stacks.

A topology plans every peering and route before it builds anything, checks them all
together (one error lists every problem), then places them so that no stack passes a
CloudFormation limit and nothing moves when VPCs are added or removed:

- **Sides and layers.** For each pair, the VPC listed first requests the connection. A
  VPC's *Requests* layer holds the connections it requests and its routes through them;
  its *Accepts* layer holds its routes through connections other VPCs requested. Both
  are deployed in the VPC's own account and region. When there is something to put in
  it, its *Options* layer holds its side's connection options (multipath resilience) and
  the tags of its view of each connection it accepted across accounts or Regions (name
  and ``Tags.of()`` tags, which CloudFormation leaves on the requester's resource only).
- **Stacks per VPC** (``TopologyPlacement.STACK_PER_VPC``, the default). Each layer of
  each VPC is a stack named after the VPC (``<stack>-<id>-<VPC>Requests``), never after
  its position or the other VPCs, and every logical id in it is made of the peer's name,
  the subnet's name and the destination. Adding or removing a VPC adds or removes that
  VPC's stacks and the resources that involve it; nothing else changes.
- **Two layers, not one stack per VPC**, so that stacks depend on each other in two
  levels only (Accepts -> Requests -> the VPCs' stacks). A stack per VPC would make each
  VPC's stack depend on every earlier one, and CDK's dependency checks take exponential
  time on such graphs (measured: 301 s of synth for a 30-VPC mesh, against 2 s).
- **Parts.** A layer whose route tables could hold more routes than a stack takes is cut
  into parts by route table (:mod:`cdk_peering.topology.layout`): a layer holds 3 route
  tables per stack (1 with IPv6), the Requests layer's first stack 2 and the connections.
- ``TopologyPlacement.SCOPE`` keeps everything in the topology's own stack, for small
  topologies in one account and region whose owners prefer fewer stacks; going over the
  stack budget is an error, not a silent move.

Across stacks, values are passed with CDK's weak references (``Fn::GetStackOutput``): no
export locks, so a VPC can leave a topology without first editing its peers' stacks.
"""

"""The network as plain data: CIDR blocks, VPCs, planned peerings and routes, quotas.

Standard library only: no aws_cdk, jsii or constructs, so the rules over this model run
(and are unit-tested) without an App, and the connectivity model can share it.
"""

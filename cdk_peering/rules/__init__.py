"""The AWS peering rules: pure checks over :mod:`cdk_peering.model`, one file per family.

Nothing here calls into jsii: the rules are cheap enough to run for every peering of a
large mesh, and their tests need no App.
"""

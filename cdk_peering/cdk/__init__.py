"""Reading CDK's construct tree: VPC readers, per-app state, weak references, annotations.

The rules and the model never call into jsii; what they need of the tree is read here
(and by the constructs themselves), once.
"""

"""AWS's peering and route quotas (VPC peering and route table quota pages).

The defaults can be raised by AWS support up to the maximum; a user declares a raised
quota with a prop or a context value.
"""

from __future__ import annotations

PEERINGS_PER_VPC_DEFAULT = 50
PEERINGS_PER_VPC_MAX = 125
ROUTES_PER_TABLE_DEFAULT = 50
ROUTES_PER_TABLE_MAX = 1000
PEERINGS_QUOTA_CONTEXT = "cdk-peering:activePeeringsPerVpcQuota"
ROUTES_QUOTA_CONTEXT = "cdk-peering:routesPerRouteTableQuota"

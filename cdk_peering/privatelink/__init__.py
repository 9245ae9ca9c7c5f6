"""PrivateLink: a service behind an endpoint service, and endpoints peered VPCs reach.

PrivateLinkService offers a service through an endpoint service; PrivateLinkEndpoint is an
interface endpoint to it that peered VPCs reach and resolve.
"""

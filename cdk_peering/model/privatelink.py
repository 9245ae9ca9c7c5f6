"""An endpoint service as the PrivateLink rules see it: where it is and whom it admits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EndpointServiceModel:
    """What an endpoint (or its acceptance) needs to know about an endpoint service."""

    name: str
    """The service's name, ``com.amazonaws.vpce.<region>.vpce-svc-...`` (may be a token)."""
    offered_ports: tuple[int, ...]
    """The ports the service says it listens on; empty for a plain name."""
    region: str | None
    """The service's Region, when its name or its stack tells it."""
    label: str = ""
    """How messages name the service: its construct path, else its name."""
    account: str | None = None
    """The service's account, when its stack tells it."""
    allowed_regions: tuple[str, ...] | None = None
    """The other Regions consumers may connect from; None when the service does not say."""
    allowed_principals: tuple[str, ...] | None = None
    """The ARNs allowed to connect; None when the service does not say."""

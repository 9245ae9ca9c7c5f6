"""TCP and UDP ports: the one range every construct (and the connectivity model) takes."""

from __future__ import annotations

PORT_MIN = 1
PORT_MAX = 65535
PORT_RANGE = f"{PORT_MIN}-{PORT_MAX}"
"""The range as messages write it."""


def is_port(value: int) -> bool:
    """Tell whether a whole number is a port a listener, endpoint or rule can name.

    Port 0 is reserved: no load balancer listener, endpoint or client connects to it.
    """
    return PORT_MIN <= value <= PORT_MAX

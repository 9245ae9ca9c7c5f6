"""PeeringSide: which side of a peering connection, and what a connection id looks like."""

from __future__ import annotations

import enum
import re

PCX_ID = re.compile(r"^pcx-[0-9a-f]{8}([0-9a-f]{9})?$")
"""A VPC peering connection id: pcx- and 8 or 17 hexadecimal digits."""


class PeeringSide(enum.Enum):
    """One side of a VPC peering connection."""

    REQUESTER = "Requester"
    """The side whose VPC requested the connection."""
    ACCEPTER = "Accepter"
    """The side whose VPC accepted the connection."""

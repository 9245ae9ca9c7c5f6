"""Putting findings on constructs: warnings as acknowledgeable annotations."""

from __future__ import annotations

from collections.abc import Iterable

import aws_cdk as cdk
from constructs import IConstruct

from ..findings import WARNED, Finding


def warn(construct: IConstruct, findings: Iterable[Finding]) -> None:
    """Add each warning to ``construct`` with its rule id, so a user can acknowledge it."""
    for finding in findings:
        cdk.Annotations.of(construct).add_warning_v2(finding.rule, finding.render(located=False))
        construct.node.add_metadata(WARNED, {"id": finding.rule})

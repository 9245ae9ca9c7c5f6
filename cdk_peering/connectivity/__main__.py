"""``python -m cdk_peering.connectivity [CDK_OUT] [--format ...] [-o FILE] [--strict]``.

Reads a cloud assembly (``cdk.out`` by default) and prints its connectivity report:
``text`` (default), ``markdown`` (a Mermaid diagram, the reachability matrices, one-way
routes and unknown values), ``mermaid``, ``dot`` or ``json``. ``-o FILE`` writes the
report there. ``--strict`` exits with status 1 when some route is one-way (for CI), after
printing those routes to standard error. Bad input exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ConnectivityError
from .network import Network
from .report import FORMATS, render


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit status.

    :param argv: the arguments. Default: - ``sys.argv[1:]``
    """
    parser = argparse.ArgumentParser(
        prog="python -m cdk_peering.connectivity",
        description="Report which VPCs, subnets and PrivateLink endpoints of a cloud "
        "assembly reach each other, before anything is deployed.",
    )
    parser.add_argument(
        "cdk_out", nargs="?", default="cdk.out", help="the cloud assembly (default: cdk.out)"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="default: text")
    parser.add_argument("-o", "--output", type=Path, help="write the report to this file")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a route is one-way"
    )
    arguments = parser.parse_args(argv)
    try:
        network = Network.from_assembly(arguments.cdk_out)
    except ConnectivityError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = render(network, arguments.format, title=f"Connectivity of {arguments.cdk_out}")
    if arguments.output is not None:
        arguments.output.parent.mkdir(parents=True, exist_ok=True)
        arguments.output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    one_way = network.one_way_routes()
    if arguments.strict and one_way:
        print(f"{len(one_way)} one-way routes:", file=sys.stderr)
        for route in one_way:
            print(f"  {route}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

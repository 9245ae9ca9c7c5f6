"""``python -m cdk_peering.connectivity [CDK_OUT] ...``: the report, or one question.

Reads a cloud assembly (``cdk.out`` by default) and prints its connectivity report:
``text`` (default), ``markdown`` (a Mermaid diagram, the reachability matrices, one-way
routes and unknown values), ``mermaid``, ``dot`` or ``json``. ``-o FILE`` writes it there.

``--from SOURCE --to DESTINATION [--port N] [--ip-version 4|6]`` asks one question instead
and prints the answer with its hops (``--format json``: as JSON): exit status 0 when
reachable, 1 when not (or unknown), 2 on bad input (a name that names nothing included).

``--strict`` exits with status 1 when some route is one-way, after printing those routes to
standard error; one-way routes whose ``cdk_peering:oneWayRoute`` warning the app
acknowledged are listed as acknowledged and do not fail. It also exits with status 1 on
every ``ReachabilityIntent`` the plan does not satisfy, listing each with its answer. Bad
input exits with status 2.

``verify CDK_OUT [--role ACCOUNT=ARN]... [--profile ACCOUNT=NAME]... [--format
text|markdown|json] [-o FILE]`` compares the plan with the deployed network (read-only
AWS calls, boto3 needed): exit status 0 when they match, 1 with differences, 2 on bad
input or when an account cannot be read (one line naming the account, Region and call).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..rule_ids import ONE_WAY_ROUTE
from ._assembly import acknowledged
from .errors import ConnectivityError
from .network import Network
from .report import FORMATS, count, render
from .results import IntentVerdict, OneWayRoute, Reachability
from .verify import FORMATS as VERIFY_FORMATS


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit status.

    :param argv: the arguments. Default: - ``sys.argv[1:]``
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["verify"]:
        return _verify(argv[1:])
    parser = _parser()
    arguments = parser.parse_args(argv)
    question = (arguments.source, arguments.destination)
    if (question[0] is None) != (question[1] is None):
        return _fail("--from and --to go together: give both, or neither for the report")
    if question[0] is None and (arguments.port is not None or arguments.ip_version is not None):
        return _fail("--port and --ip-version ask a question: give --from and --to too")
    output: Path | None = arguments.output
    if output is not None and output.is_dir():
        return _fail(f"-o {output} is a directory: give the path of a file to write")
    try:
        network = Network.from_assembly(arguments.cdk_out)
        if question[0] is not None:
            answer = network.reachability(
                arguments.source,
                arguments.destination,
                port=arguments.port,
                ip_version=arguments.ip_version,
            )
            text = _answer(answer, arguments.format)
            status = 0 if answer.reachable else 1
        else:
            text = render(network, arguments.format, title=f"Connectivity of {arguments.cdk_out}")
            status = 0
    except ConnectivityError as error:
        return _fail(str(error))
    failed = _write(text, output)
    if failed is not None:
        return failed
    if arguments.strict and question[0] is None:
        routes = _strict(network.one_way_routes(), acknowledged(arguments.cdk_out, ONE_WAY_ROUTE))
        intents = _strict_intents(network.check_intents())
        return max(routes, intents)
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cdk_peering.connectivity",
        description="Report which VPCs, subnets and PrivateLink endpoints of a cloud "
        "assembly reach each other, before anything is deployed; or ask one question.",
    )
    parser.add_argument(
        "cdk_out", nargs="?", default="cdk.out", help="the cloud assembly (default: cdk.out)"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="default: text")
    parser.add_argument("-o", "--output", type=Path, help="write the output to this file")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 when a route is one-way (acknowledged ones aside) or an "
        "intent is not satisfied",
    )
    parser.add_argument("--from", dest="source", help="ask one question: from this subnet...")
    parser.add_argument("--to", dest="destination", help="... to this destination")
    parser.add_argument("--port", type=int, help="the question's TCP port (1-65535)")
    parser.add_argument("--ip-version", type=int, choices=(4, 6), help="the question's family")
    return parser


def _answer(answer: Reachability, form: str) -> str:
    if form != "json":
        return f"{answer}\n"
    data = {
        "source": answer.source,
        "destination": answer.destination,
        "port": answer.port,
        "ip_version": answer.ip_version,
        "reachable": answer.reachable,
        "partial": answer.partial,
        "unknown": answer.unknown,
        "unreached": list(answer.unreached),
        "reason": answer.reason,
        "hops": [{"text": str(hop), "kind": hop.kind, "path": hop.path} for hop in answer.hops],
    }
    return json.dumps(data, indent=2) + "\n"


def _strict(routes: list[OneWayRoute], acknowledged_paths: set[str]) -> int:
    def owned(route: OneWayRoute) -> bool:
        return any(
            route.route == path or route.route.startswith(path + "/") for path in acknowledged_paths
        )

    accepted = [route for route in routes if owned(route)]
    failing = [route for route in routes if not owned(route)]
    if accepted:
        print(
            f"{count(len(accepted), 'one-way route')} acknowledged ({ONE_WAY_ROUTE}):",
            file=sys.stderr,
        )
        for route in accepted:
            print(f"  {route}", file=sys.stderr)
    if failing:
        print(f"{count(len(failing), 'one-way route')}:", file=sys.stderr)
        for route in failing:
            print(f"  {route}", file=sys.stderr)
        return 1
    return 0


def _strict_intents(verdicts: list[IntentVerdict]) -> int:
    failing = [verdict for verdict in verdicts if not verdict.holds]
    if failing:
        print(f"{count(len(failing), 'intent')} the plan does not satisfy:", file=sys.stderr)
        for verdict in failing:
            print(f"  {verdict}".replace("\n", "\n  "), file=sys.stderr)
        return 1
    return 0


def _verify(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cdk_peering.connectivity verify",
        description="Compare the plan (a cloud assembly) with the deployed network, using "
        "read-only AWS calls: routes, peerings, endpoints, zones, network ACLs, every pair "
        "the plan says reaches, every intent. Exit 0: they match; 1: differences; 2: bad "
        "input, or an account that cannot be read.",
    )
    parser.add_argument(
        "cdk_out", nargs="?", default="cdk.out", help="the cloud assembly (default: cdk.out)"
    )
    parser.add_argument(
        "--role", action="append", default=[], metavar="ACCOUNT=ARN", help="a role to assume"
    )
    parser.add_argument(
        "--profile", action="append", default=[], metavar="ACCOUNT=NAME", help="a profile"
    )
    parser.add_argument("--format", choices=VERIFY_FORMATS, default="text", help="default: text")
    parser.add_argument("-o", "--output", type=Path, help="write the output to this file")
    arguments = parser.parse_args(argv)
    output: Path | None = arguments.output
    if output is not None and output.is_dir():
        return _fail(f"-o {output} is a directory: give the path of a file to write")
    try:
        roles = _pairs_of(arguments.role, "--role", "ARN")
        profiles = _pairs_of(arguments.profile, "--profile", "NAME")
        from .verify import render as render_verification
        from .verify import verify

        result = verify(arguments.cdk_out, roles=roles, profiles=profiles)
    except ConnectivityError as error:
        return _fail(str(error))
    text = render_verification(
        result, arguments.format, title=f"Deployed network of {arguments.cdk_out}"
    )
    failed = _write(text, output)
    if failed is not None:
        return failed
    return 0 if result.matches else 1


def _pairs_of(values: list[str], flag: str, what: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values:
        account, sep, item = value.partition("=")
        if not sep or not (account.isdigit() and len(account) == 12) or not item:
            raise ConnectivityError(
                f"{flag} {value!r}: give ACCOUNT={what}, the account a 12-digit id"
            )
        found[account] = item
    return found


def _write(text: str, output: Path | None) -> int | None:
    """Write ``text`` to ``output`` (standard output when None); the exit status if it fails."""
    if output is None:
        sys.stdout.write(text)
        return None
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        return _fail(f"cannot write {output}: {error.strerror or error}")
    return None


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark: the connectivity model on the example app and on a 100-VPC mesh's assembly.

Two cloud assemblies, made once and cached under the system's temporary directory
(``<tmp>/cdk_peering-bench/``; ``--fresh`` remakes them):

- ``example``: the example app (app.py), synthesized with cdk.json's and
  cdk.context.json's context, as ``cdk synth`` sees it.
- ``mesh-<n>``: ``bench/topology_scale.py``'s mesh of ``n`` VPCs (default 100): VPCs in
  stacks of ten, each with two isolated subnets, and one ``cdk_peering.PeeringMesh`` with
  its default placement (stacks per VPC), synthesized with ``app.synth()``.

Each assembly is then measured ``--repeat`` times (default 3), each time in a fresh Python
process that imports ``cdk_peering.connectivity`` only (no ``aws_cdk``): the import, the
load (``Network.from_assembly``: reading the JSON and building the model),
``one_way_routes()``, the VPC and subnet-group matrices, the Markdown report, one question
(``reachability`` of a subnet pair not asked before, the median of 51 pairs, the first
questions of a loaded network), and the full subnet matrix (``reachability`` of every
ordered pair of subnets, IPv4). The medians are printed. The goals (exit status 1 when
missed): the example's model in under 1 s; the mesh loaded in at most 1 s, one question in
at most 5 ms, the full subnet matrix in at most 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from measuring import RESULT_PREFIX, medians, run_child

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "cdk_peering-bench"
GOALS = {"example_load_s": 1.0, "mesh_load_s": 1.0, "question_ms": 5.0, "subnet_matrix_s": 10.0}
"""The goals: seconds to load the example and the mesh, milliseconds for one question,
seconds for the mesh's full subnet matrix."""
STEPS = (
    "import_s",
    "load_s",
    "one_way_s",
    "matrices_s",
    "report_s",
    "load_one_way_cpu_s",
    "question_ms",
    "subnet_matrix_s",
)
QUESTIONS = 51


def _synth_example(outdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    import aws_cdk as cdk

    import app as example

    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    context.update(json.loads((ROOT / "cdk.context.json").read_text()))
    app = cdk.App(context=context, outdir=str(outdir))
    example.build(app)
    app.synth()


def _synth_mesh(outdir: Path, count: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from topology_scale import build_app, build_mesh

    app, vpcs = build_app(count, str(outdir))
    build_mesh(app, vpcs)
    app.synth()


def assembly(name: str, count: int, fresh: bool) -> Path:
    """Return the cached assembly ``name`` (``example`` or ``mesh``), made when missing."""
    target = CACHE / (name if name == "example" else f"mesh-{count}")
    if fresh or not (target / "manifest.json").is_file():
        print(f"synthesizing {target.name} (once; cached in {CACHE}) ...", flush=True)
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        command = [sys.executable, __file__, "--synth", name, "--vpcs", str(count), str(partial)]
        subprocess.run(command, check=True, env={**os.environ, "CDK_VALIDATION": "false"})
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
    return target


def measure(directory: Path) -> dict[str, Any]:
    """Time each step on ``directory`` in this process (which must not have loaded it)."""
    start = time.perf_counter()
    from cdk_peering.connectivity import Network
    from cdk_peering.connectivity.report import render

    imported, cpu = time.perf_counter(), time.process_time()
    network = Network.from_assembly(directory)
    loaded = time.perf_counter()
    one_way = network.one_way_routes()
    answered, cpu = time.perf_counter(), time.process_time() - cpu
    network.matrix()
    network.matrix(by="group")
    matrices = time.perf_counter()
    report = render(network, "markdown")
    rendered = time.perf_counter()
    question_ms, matrix_s, pairs, reached = _questions(network)
    templates = [json.loads(path.read_text()) for path in directory.rglob("*.template.json")]
    types = [r.get("Type") for t in templates for r in (t.get("Resources") or {}).values()]
    return {
        "import_s": imported - start,
        "load_s": loaded - imported,
        "one_way_s": answered - loaded,
        "matrices_s": matrices - answered,
        "report_s": rendered - matrices,
        "load_one_way_cpu_s": cpu,
        "cdk_loaded": any(name in sys.modules for name in ("aws_cdk", "jsii", "constructs")),
        "stacks": len(templates),
        "resources": len(types),
        "peerings": types.count("AWS::EC2::VPCPeeringConnection"),
        "routes": types.count("AWS::EC2::Route"),
        "vpcs": len(network.vpcs),
        "one_way_routes": len(one_way),
        "report_bytes": len(report.encode()),
        "question_ms": question_ms,
        "subnet_matrix_s": matrix_s,
        "subnet_pairs": pairs,
        "subnet_pairs_reached": reached,
    }


def _questions(network: Any) -> tuple[float, float, int, int]:
    """Time one question (median over pairs not asked before), then every subnet pair.

    Returns the median question in ms, the matrix's seconds, its pairs and how many reach.
    """
    subnets = [subnet.path for subnet in network.subnets]
    ordered = [(one, other) for one in subnets for other in subnets if one != other]
    sample = ordered[:: max(1, len(ordered) // QUESTIONS)][:QUESTIONS]
    times = []
    for one, other in sample:
        start = time.perf_counter()
        network.reachability(one, other)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    reached = sum(bool(network.reachability(one, other)) for one, other in ordered)
    matrix = time.perf_counter() - start
    return 1000 * statistics.median(times), matrix, len(ordered), reached


def measure_in_subprocess(directory: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", str(directory)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return run_child(command, f"measuring {directory}", environment)


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| assembly | stacks | resources | peerings | routes | VPCs | import s | load s "
        "| one_way_routes s | load + one_way_routes CPU s | matrices s | markdown report s "
        "| one question ms | subnet pairs | full subnet matrix s | one-way routes found |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['stacks']} | {r['resources']:,} | {r['peerings']:,} "
            f"| {r['routes']:,} | {r['vpcs']} | {r['import_s']:.3f} | {r['load_s']:.3f} "
            f"| {r['one_way_s']:.3f} | {r['load_one_way_cpu_s']:.3f} | {r['matrices_s']:.3f} "
            f"| {r['report_s']:.3f} | {r['question_ms']:.2f} | {r['subnet_pairs']:,} "
            f"| {r['subnet_matrix_s']:.2f} | {r['one_way_routes']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--vpcs", type=int, default=100, help="the mesh's VPCs (default 100)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per assembly (default 3)")
    parser.add_argument("--fresh", action="store_true", help="synthesize the assemblies again")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--synth", choices=("example", "mesh"), help=argparse.SUPPRESS)
    parser.add_argument("outdir", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is not None:
        print(RESULT_PREFIX + json.dumps(measure(args.measure)), flush=True)
        return 0
    if args.synth == "example":
        _synth_example(args.outdir)
        return 0
    if args.synth == "mesh":
        _synth_mesh(args.outdir, args.vpcs)
        return 0
    if args.repeat < 1 or not 2 <= args.vpcs <= 126:
        parser.error("--repeat must be >= 1 and --vpcs between 2 and 126")
    results: dict[str, dict[str, Any]] = {}
    for name in ("example", "mesh"):
        directory = assembly(name, args.vpcs, args.fresh)
        runs = []
        for rep in range(args.repeat):
            run = measure_in_subprocess(directory)
            runs.append(run)
            print(
                f"{directory.name}, run {rep + 1}: load {run['load_s']:.3f} s, one_way_routes "
                f"{run['one_way_s']:.3f} s, matrices {run['matrices_s']:.3f} s, report "
                f"{run['report_s']:.3f} s, one question {run['question_ms']:.2f} ms, "
                f"{run['subnet_pairs']:,} subnet pairs {run['subnet_matrix_s']:.2f} s "
                f"({run['subnet_pairs_reached']:,} reached); load average "
                f"{os.getloadavg()[0]:.1f}",
                file=sys.stderr if args.json else sys.stdout,
                flush=True,
            )
        results[directory.name] = medians(runs, STEPS)
    print(json.dumps(results, indent=2) if args.json else "\n" + table(results))
    problems = []
    example, mesh = results["example"], results[f"mesh-{args.vpcs}"]
    measured = {
        "example_load_s": example["load_s"],
        "mesh_load_s": mesh["load_s"],
        "question_ms": mesh["question_ms"],
        "subnet_matrix_s": mesh["subnet_matrix_s"],
    }
    problems += [
        f"{name} was {value:.3f} (goal at most {GOALS[name]})"
        for name, value in measured.items()
        if value > GOALS[name]
    ]
    problems += [f"{name}: aws_cdk was loaded" for name, r in results.items() if r["cdk_loaded"]]
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

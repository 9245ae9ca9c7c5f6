"""What the benchmarks share: a measured child's result, medians, rounds, ratios.

It imports neither aws_cdk nor cdk_peering, so that a measured process may import it
without loading what it measures.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

RESULT_PREFIX = "RESULT "
"""The start of the line on which a measured child process prints its result as JSON."""


def run_child(
    command: Sequence[str], what: str, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Run a measured child process; return the JSON on its last result line.

    When it fails or prints no result, write its output to stderr and raise RuntimeError
    ("<what> failed (exit status N)"). ``env`` replaces the environment when given.
    """
    done = subprocess.run(list(command), capture_output=True, text=True, check=False, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"{what} failed (exit status {done.returncode})")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
    return result


def medians(runs: Sequence[Mapping[str, Any]], measured: Iterable[str]) -> dict[str, Any]:
    """Return the first run's values, with the median of the runs for each measured field.

    A field that some run has no value for (None) keeps the first run's; a median in kB
    (a field ending ``_kb``) is rounded to a whole kB.
    """
    combined = dict(runs[0])
    for name in measured:
        samples = [run[name] for run in runs]
        if all(sample is not None for sample in samples):
            middle = statistics.median(samples)
            combined[name] = round(middle) if name.endswith("_kb") else middle
    return combined


def rounds(variants: Sequence[T], repeat: int) -> Iterator[tuple[int, Sequence[T]]]:
    """Yield each repetition's index and the order to run the variants in: reversed every
    other repetition, so that drift on a shared machine does not favour one."""
    for rep in range(repeat):
        yield rep, variants if rep % 2 == 0 else variants[::-1]


@dataclass(frozen=True)
class Ratio:
    """One variant's median times and their ratios to the baseline's."""

    wall: float
    """The median wall seconds."""
    ratio: float
    """``wall`` over the baseline's."""
    paired: float
    """The median of the per-repetition ratios (each repetition over the baseline's)."""
    cpu: float | None
    """The median CPU seconds; None when not measured."""
    cpu_ratio: float | None
    """``cpu`` over the baseline's."""


def ratios(
    walls: Mapping[str, Sequence[float]],
    baseline: str,
    cpus: Mapping[str, Sequence[float]] | None = None,
) -> dict[str, Ratio]:
    """Compare each variant's repetitions with the baseline's, repetition by repetition."""
    base_wall = statistics.median(walls[baseline])
    base_cpu = statistics.median(cpus[baseline]) if cpus is not None else None
    found: dict[str, Ratio] = {}
    for variant, times in walls.items():
        wall = statistics.median(times)
        paired = statistics.median(a / b for a, b in zip(times, walls[baseline], strict=True))
        cpu = statistics.median(cpus[variant]) if cpus is not None else None
        cpu_ratio = cpu / base_cpu if cpu is not None and base_cpu is not None else None
        found[variant] = Ratio(wall, wall / base_wall, paired, cpu, cpu_ratio)
    return found

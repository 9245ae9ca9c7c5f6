"""The model against the brute force: the same answer for every question, address by address.

For each seed of ``SEEDS``, tests/random_networks.py draws a small network (shadowing and
covering routes, prefix lists, network ACLs, IPv6, peerings never accepted or accepted
only at deploy time, stacks pinned or environment-agnostic, one stack or several) and
writes it as a cloud assembly; the model loads the directory, and each of the seed's
questions (subnet -> subnet, subnet -> VPC, VPC -> subnet, address -> block, with and
without a port, IPv4 and IPv6) must get the brute force's ``reachable``, ``partial``,
``unknown`` and ``unreached`` (tests/brute_force.py, written from SEMANTICS.md alone).

A failure names the seed and every question answered differently, with both answers; to
look at the network: ``python -m tests.random_networks SEED DIRECTORY``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cdk_peering.connectivity import Network
from tests.brute_force import Answer, BruteForce
from tests.exact_cases import REGRESSIONS, Case, acl_denies_ephemeral_replies
from tests.random_networks import (
    QUESTIONS_PER_SEED,
    SEEDS,
    Question,
    draw_questions,
    generate,
    write_assembly,
)


def ask(model: Network, question: Question) -> Any:
    """The model's ``Reachability`` for ``question``.

    Typed ``Any`` until issue 15's model lands (``ip_version``, ``partial`` and
    ``unreached`` are new): then ``Reachability`` and a plain call.
    """
    reachability: Any = model.reachability
    return reachability(
        question.source,
        question.destination,
        port=question.port,
        ip_version=question.ip_version,
    )


def observed(answer: Any) -> Answer:
    return Answer(
        reachable=answer.reachable,
        partial=answer.partial,
        unknown=answer.unknown,
        unreached=tuple(answer.unreached),
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_the_model_answers_as_the_brute_force(seed: int, tmp_path: Path) -> None:
    spec = generate(seed)
    model = Network.from_assembly(write_assembly(spec, tmp_path / "cdk.out"))
    oracle = BruteForce(spec)
    differences = []
    for question in draw_questions(spec, seed, QUESTIONS_PER_SEED):
        expected = oracle.ask(question)
        try:
            answer = ask(model, question)
            got: object = observed(answer)
        except Exception as error:  # shown with the question, as any other difference
            got = f"raised {error!r}"
        else:
            if got == expected and (answer.reason is None) != answer.reachable:
                got = f"{got}, but reason={answer.reason!r}"
        if got != expected:
            differences.append(f"{question}\n    model:       {got}\n    brute force: {expected}")
    assert not differences, (
        f"seed {seed} (python -m tests.random_networks {seed} DIRECTORY): "
        f"{len(differences)} of {QUESTIONS_PER_SEED} questions answered differently\n"
        + "\n".join(differences)
    )


@pytest.mark.parametrize("case", REGRESSIONS, ids=lambda case: case.name)
def test_regressions(case: Case, tmp_path: Path) -> None:
    model = Network.from_assembly(write_assembly(case.spec, tmp_path / "cdk.out"))
    answer = ask(model, case.question)
    assert observed(answer) == case.expected, str(answer)
    assert (answer.reason is None) == case.expected.reachable, str(answer)


def test_a_blocking_acl_is_named(tmp_path: Path) -> None:
    case = acl_denies_ephemeral_replies()
    model = Network.from_assembly(write_assembly(case.spec, tmp_path / "cdk.out"))
    answer = ask(model, case.question)
    assert "Net/AclB" in str(answer.reason), str(answer)
    assert [(hop.kind, hop.path) for hop in answer.hops if hop.kind == "network-acl"] == [
        ("network-acl", "Net/AclB")
    ], str(answer)

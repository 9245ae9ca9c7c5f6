"""Every Python block of README.md and docs/*.md runs as a reader would paste it.

A block is a whole program, or says in the paragraph before it which earlier block it
continues ("Continuing the example above:"); see tests/doc_blocks.py. The blocks run in a
Python process of their own (tests/doc_runner.py), with the context `cdk synth` gives a
reader's app.py (the README's cdk.json, the committed availability zones), and nothing
else: no name a block does not show. A failing block fails with its file and line;
tracebacks point into the Markdown file.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from tests.conftest import COMMITTED_CONTEXT, ROOT
from tests.doc_blocks import (
    DOCS,
    README,
    CodeBlock,
    ContinuationError,
    chain,
    code_blocks,
    continued,
    found,
    number,
    python_blocks,
    readme_cdk_json,
    smallest_example,
    undefined_names,
)

BLOCKS = python_blocks()
RUNNER = Path(__file__).with_name("doc_runner.py")
Results = dict[str, dict[str, Any]]


def run_blocks(blocks: list[CodeBlock], directory: Path) -> Results:
    """Run every block of ``blocks`` in its chain, in one fresh Python process started in
    ``directory``, with the context `cdk synth` passes to a reader's app.py: the README's
    cdk.json and the committed availability zones (cdk.context.json). Return each block's
    result by ``where``. A block whose chain cannot be told is not run."""
    chains: list[list[CodeBlock]] = []
    parents: set[CodeBlock] = set()
    for block in blocks:
        try:
            chains.append(chain(block))
        except ContinuationError:
            continue
        parents.update(chains[-1][:-1])
    leaves = [c for c in chains if c[-1] not in parents]  # every block is in one of these
    (directory / "chains.json").write_text(
        json.dumps(
            [
                [
                    {"where": b.where, "path": str(b.path), "line": b.line, "code": b.code}
                    for b in leaf
                ]
                for leaf in leaves
            ]
        )
    )
    context = {**json.loads(readme_cdk_json().code)["context"], **COMMITTED_CONTEXT}
    finished = subprocess.run(
        [sys.executable, str(RUNNER), "chains.json", "results.json"],
        cwd=directory,
        env={**os.environ, "CDK_CONTEXT_JSON": json.dumps(context)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stderr[-5000:]
    results: Results = json.loads((directory / "results.json").read_text())
    return results


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return run_blocks(BLOCKS, tmp_path_factory.mktemp("docs"))


def test_every_python_block_is_found() -> None:
    """A block the extractor missed (indented, in a list item) would never run."""
    assert len(DOCS) > 1, "docs/*.md not found"
    fences = []
    for path in DOCS:
        inside = {  # lines of blocks, where a fence is only text (an example of one)
            block.line + offset
            for block in code_blocks(path)
            for offset in range(block.code.count("\n"))
        }
        fences += [
            f"{path.relative_to(ROOT)}:{line_number}"
            for line_number, line in enumerate(path.read_text().splitlines(), start=1)
            if line.strip() == "```python" and line_number not in inside
        ]
    assert fences == [f"{block.path.relative_to(ROOT)}:{block.line - 1}" for block in BLOCKS]
    assert Counter(block.path.name for block in BLOCKS)["README.md"] >= 1


@pytest.mark.parametrize("block", BLOCKS, ids=[block.where for block in BLOCKS])
def test_python_block_runs(block: CodeBlock, results: Results) -> None:
    try:
        chain(block)
    except ContinuationError as error:
        pytest.fail(str(error), pytrace=False)
    result = results[block.where]
    if result["error"] is not None:
        ran = " after ".join(b.where for b in reversed(chain(block)))
        pytest.fail(f"{ran}: the block fails:\n{result['error']}", pytrace=False)


def test_every_block_is_a_program_or_continues_one() -> None:
    """A name that neither the block nor the blocks it says it continues define is one a
    reader cannot see: the block fails when pasted."""
    undefined = {}
    for block in BLOCKS:
        try:
            names = undefined_names(chain(block))
        except ContinuationError as error:
            undefined[block.where] = str(error)
            continue
        if names:
            undefined[block.where] = ", ".join(sorted(names))
    assert undefined == {}


def test_no_hidden_fixture() -> None:
    """What a block runs with is on the page: no HTML comment (unseen on GitHub) chooses
    it."""
    for path in DOCS:
        assert "<!-- fixture" not in path.read_text(), path


def test_blocks_are_real_code() -> None:
    """No `...` standing for an argument or a body, and no signature written as code."""
    placeholders = [
        f"{block.where} (+{node.lineno - 1} lines)"
        for block in BLOCKS
        for node in ast.walk(ast.parse(block.code))
        if isinstance(node, ast.Constant) and node.value is Ellipsis
    ]
    assert placeholders == []


def test_json_blocks_parse() -> None:
    for path in DOCS:
        for block in code_blocks(path, "json"):
            try:
                json.loads(block.code)
            except json.JSONDecodeError as error:
                pytest.fail(f"{block.where}: not JSON: {error}", pytrace=False)


# --- the mechanism itself, on a page written for it -------------------------------------

PAGE = """\
# A page

**The first example.** A whole program:

```python
import math

radius = 2.0
```

Continuing the example above:

```python
area = math.pi * radius**2
print(round(area, 2))
```

A second program:

```python
limit = undefined_here + 1
```

Then, continuing [the first example](#a-page), with a function:

```python
def circumference() -> float:
    return 2 * math.pi * radius


print(round(circumference(), 2), sorted(x for x in [radius, area]))
```

Continuing the missing example:

```python
print(radius)
```
"""


@pytest.fixture
def page(tmp_path: Path) -> list[CodeBlock]:
    path = tmp_path / "page.md"
    path.write_text(PAGE)
    return code_blocks(path, "python")


def test_a_block_continues_the_block_its_introduction_names(page: list[CodeBlock]) -> None:
    first, above, program, named, missing = page
    assert [continued(block) for block in (first, above, program, named)] == [
        None,
        first,
        None,
        first,
    ]
    assert chain(above) == [first, above]
    with pytest.raises(ContinuationError, match="'the missing example'"):
        continued(missing)


def test_the_name_check_reports_a_name_no_block_of_the_chain_defines(
    page: list[CodeBlock],
) -> None:
    first, above, program, named, _ = page
    assert undefined_names([first]) == set()
    assert undefined_names([above]) == {"math", "radius"}  # pasted alone
    assert undefined_names(chain(above)) == set()
    assert undefined_names([program]) == {"undefined_here"}
    # Inside a function or a generator, a name of the chain is found; `area` is not (the
    # block continues the first example, not the one that defines it).
    assert undefined_names(chain(named)) == {"area"}


def test_the_runner_runs_each_chain_in_a_namespace_of_its_own(
    page: list[CodeBlock], tmp_path: Path
) -> None:
    first, above, program, named, missing = page
    ran = run_blocks(page, tmp_path)
    assert ran[first.where] == {"error": None, "stdout": "", "outdir": None}
    assert ran[above.where] == {"error": None, "stdout": "12.57\n", "outdir": None}
    assert "NameError: name 'undefined_here' is not defined" in ran[program.where]["error"]
    assert f'File "{program.path}", line {program.line}' in ran[program.where]["error"]
    # Run after the first example alone: `area` of the other chain is not there.
    assert "NameError: name 'area' is not defined" in ran[named.where]["error"]
    assert missing.where not in ran


def test_a_readme_block_may_continue_the_smallest_example(tmp_path: Path) -> None:
    """A block anywhere later in the README that says "Continuing the smallest example"
    runs after it, with its names, past the README's other blocks."""
    readme = tmp_path / "README.md"
    later = (
        "In a test, continuing the smallest example:\n\n```python\n"
        "from cdk_peering.testing import assert_reachable\n\n"
        'assert_reachable(app.synth(), "Network/Workload", "Network/Shared")\n```\n'
    )
    readme.write_text(README.read_text() + "\n" + later)
    *earlier, block = code_blocks(readme, "python")
    assert len(earlier) > 2
    assert [b.code for b in chain(block)] == [smallest_example().code, block.code]
    assert undefined_names(chain(block)) == set()


# --- the README's smallest example, and its cdk.json --------------------------------------


def _template(assembly: cdk.cx_api.CloudAssembly, stack_name: str) -> dict[str, Any]:
    template: dict[str, Any] = assembly.get_stack_by_name(stack_name).template
    return template


def test_smallest_example_synthesizes_a_peering_and_its_routes(results: Results) -> None:
    """The README's first block is a whole app: one connection, a route per table and
    destination on both sides (as many as the README says), and nothing that costs money
    by the hour. Read from the assembly its run wrote."""
    block = smallest_example()
    assert continued(block) is None
    assert undefined_names([block]) == set()
    result = results[block.where]
    assert result["error"] is None
    assembly = cdk.cx_api.CloudAssembly(result["outdir"])
    [stack] = assembly.stacks
    resources = _template(assembly, stack.stack_name)["Resources"].values()
    types = Counter(resource["Type"] for resource in resources)
    assert types["AWS::EC2::VPCPeeringConnection"] == 1
    # Two VPCs of two isolated subnets each: one route table per subnet, one route each.
    assert types["AWS::EC2::RouteTable"] == 4
    assert types["AWS::EC2::Route"] == 4
    routes = found("README.md", r"through the connection: (\w+) routes here\.").group(1)
    assert number(routes) == types["AWS::EC2::Route"], "README.md: the smallest example's routes"
    assert types["AWS::EC2::NatGateway"] == types["AWS::EC2::EIP"] == 0
    assert [message.entry.data for message in stack.messages] == []


def test_readme_cdk_json_is_this_repositorys_own() -> None:
    """The flag the README recommends, with the value this repository's apps run with."""
    context = json.loads(readme_cdk_json().code)["context"]
    assert context["@aws-cdk/core:defaultCrossStackReferences"] == "weak"
    repo_context = json.loads((ROOT / "cdk.json").read_text())["context"]
    assert {key: repo_context.get(key) for key in context} == context, (
        "the README recommends flags this repository's own cdk.json does not set"
    )

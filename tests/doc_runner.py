"""Run chains of the docs' Python blocks, as a reader's app.py runs: a program of its own.

    python tests/doc_runner.py CHAINS.json RESULTS.json

tests/test_docs.py starts this script once, in a directory of its own, with the context
`cdk synth` would give an app of this checkout in ``CDK_CONTEXT_JSON`` (cdk.json's flags
and the committed availability zones). CHAINS.json is a list of chains, each a list of
blocks (``where``, ``path``, ``line``, ``code``): every chain runs in a fresh namespace, its
blocks in order, as one ``__main__`` module. RESULTS.json gets, for each block (by
``where``), ``error`` (the traceback, whose lines are the Markdown file's, or None),
``stdout`` (what it printed) and ``outdir`` (a copy of the JSON files of the assembly
that the App the block leaves as ``app`` wrote, in the working directory, or None). A
block of several chains runs in each; the first result is kept. A block after a failed
one in its chain is reported as not run.

Nothing here is imported from the tests: a block sees the installed cdk_peering and its
own imports, and nothing else.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
import traceback
from typing import Any


def run_chain(chain: list[dict[str, Any]], results: dict[str, dict[str, Any]]) -> None:
    """Run one chain's blocks in order in a fresh namespace; record each block's result."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    failed = None
    for block in chain:
        if failed is not None:
            results.setdefault(
                block["where"],
                {
                    "error": f"not run: {failed}, which it continues, failed",
                    "stdout": "",
                    "outdir": None,
                },
            )
            continue
        # Padded so that tracebacks name the Markdown file's own line numbers.
        padded = "\n" * (block["line"] - 1) + block["code"]
        code = compile(padded, block["path"], "exec", dont_inherit=True)
        printed = io.StringIO()
        error = None
        try:
            with contextlib.redirect_stdout(printed):
                exec(code, namespace)
        except BaseException:
            error = traceback.format_exc()
            failed = block["where"]
        results.setdefault(
            block["where"],
            {
                "error": error,
                "stdout": printed.getvalue(),
                "outdir": None if error else keep_assembly(namespace.get("app"), block),
            },
        )


def keep_assembly(app: object, block: dict[str, Any]) -> str | None:
    """Copy the JSON files of the assembly ``app`` wrote (if it synthesized) to a directory
    of this process's working directory, which outlives it (aws-cdk-lib removes an App's
    temporary output directory when the process exits); return that directory."""
    outdir = getattr(app, "outdir", None)
    if not isinstance(outdir, str) or not os.path.isfile(os.path.join(outdir, "manifest.json")):
        return None
    kept = os.path.abspath(f"assembly-{block['line']}-{os.path.basename(block['path'])}")
    shutil.copytree(
        outdir,
        kept,
        ignore=lambda _, names: [n for n in names if not n.endswith(".json")],
        dirs_exist_ok=True,
    )
    return kept


def main(chains_file: str, results_file: str) -> None:
    """Run every chain of ``chains_file``; write the results to ``results_file``."""
    del sys.path[0]  # this script's directory: the tests are no part of a reader's app
    with open(chains_file) as chains_json:
        chains = json.load(chains_json)
    results: dict[str, dict[str, Any]] = {}
    for chain in chains:
        run_chain(chain, results)
    with open(results_file, "w") as results_json:
        json.dump(results, results_json)


if __name__ == "__main__":
    main(*sys.argv[1:])

"""docs/rules.md shows annotations as the pinned CLI (2.1148) prints them.

The page's app (an error found at synth and a warning) runs here with the App `cdk synth`
would give it, with each cdk.json the docs speak of; the CLI's listing is then rebuilt from
what aws-cdk-lib wrote (its validation report, or the cloud assembly's metadata) the way
the CLI formats it (its ValidationReportFormatter, read in node_modules/aws-cdk and
checked against `cdk synth`'s own output), and compared with the page's. Running the CLI
itself here would take about 8 s.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from tests.conftest import CDK_JSON_CONTEXT, COMMITTED_CONTEXT, ROOT
from tests.doc_blocks import CodeBlock, code_blocks, continued, readme_cdk_json

RULES = ROOT / "docs" / "rules.md"
SOURCE_LOCATION = re.compile(r"^\S*program\.js:\d+:\d+$")
"""The line the CLI starts an annotation with when it read a stack trace with it: for a
Python app, a line of jsii's runtime in a temporary directory."""
SEVERITY_ORDER = ["fatal", "error", "warning", "info"]


def cli_entry(
    severity: str, description: str, rule: str, source: str, construct: dict[str, Any]
) -> str:
    """One annotation as CLI 2.1148 prints it (its ValidationReportFormatter), uncolored:
    the severity and the message, the construct, the rule or how to acknowledge it."""
    namespace, _, _ = rule.rpartition("::")
    acknowledgement = rule if namespace else f"Annotation::{rule}"
    resource = construct.get("cloudFormationResource", {}).get("logicalId")
    where = [
        construct["constructPath"],
        f"({resource})" if resource else "",
        construct.get("constructFqn", ""),
    ]
    last = (
        f"Rule {acknowledgement}"
        if severity == "error"  # an error annotation cannot be acknowledged
        else f"Acknowledge with '{acknowledgement}'"
    )
    return "\n".join(
        [
            f"{severity.upper()} {description} ({namespace.replace('-', ' ') or source})",
            "   " + " ".join(part for part in where if part),
            f"   {last}",
        ]
    )


def cli_output(entries: list[tuple[str, str]]) -> str:
    """The CLI's listing: entries (severity, text) by severity, then its last line."""
    ordered = sorted(entries, key=lambda entry: SEVERITY_ORDER.index(entry[0]))
    return "\n\n".join(text for _, text in ordered) + "\nSynthesis finished with errors"


def from_validation_report(directory: Path) -> str:
    """What the CLI prints from aws-cdk-lib's validation report (with the flag
    `@aws-cdk/core:annotationsInValidationReport`)."""
    report = json.loads((directory / "validation-report.json").read_text())
    return cli_output(
        [
            (
                violation["severity"],
                cli_entry(
                    violation["severity"],
                    violation["description"],
                    violation["ruleName"],
                    plugin["pluginName"],
                    construct,
                ),
            )
            for plugin in report["pluginReports"]
            for violation in plugin["violations"]
            for construct in violation["violatingConstructs"]
        ]
    )


def from_manifest(directory: Path) -> str:
    """What the CLI prints from the cloud assembly's metadata (without the flag): one entry
    per message, `[ack: id]` taken out of the message as its rule."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for stack in cdk.cx_api.CloudAssembly(str(directory)).stacks:
        for message in stack.messages:
            text = str(message.entry.data)
            acknowledged = re.search(r"\[ack: ([^\]]+)\]", text)
            level = str(message.level.value).lower()
            rule = acknowledged.group(1) if acknowledged else f"{level}-annotation"
            description = text.replace(acknowledged.group(0), "").strip() if acknowledged else text
            key = (rule, level, description)
            grouped.setdefault(key, []).append(message.id.removeprefix("/"))
    return cli_output(
        [
            (
                level,
                cli_entry(
                    level, description, rule, "Construct Annotations", {"constructPath": path}
                ),
            )
            for (rule, level, description), paths in grouped.items()
            for path in paths
        ]
    )


ORIGINAL_APP = cdk.App


def synthesize_as_the_cli(
    block: CodeBlock, context: dict[str, Any], outdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run a whole-program block with the App `cdk synth` would give it: ``context``, and
    the assembly written to ``outdir``."""

    class CliApp(ORIGINAL_APP):
        def __init__(self, **props: Any) -> None:
            super().__init__(**{**props, "context": context, "outdir": str(outdir)})

    monkeypatch.setattr(cdk, "App", CliApp)
    exec(compile(block.code, str(block.path), "exec", dont_inherit=True), {"__name__": "__main__"})


def test_rules_page_shows_annotations_as_the_cli_prints_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/rules.md's app, and the two listings of its annotations it shows: with cdk
    init's flags (this repository's cdk.json), from aws-cdk-lib's validation report; with
    the README's cdk.json, from the assembly's metadata (each entry after the line where
    Node.js saw it made)."""
    [program] = [
        block
        for block in code_blocks(RULES, "python")
        if "an app with an error and a warning" in block.introduction.lower()
    ]
    assert continued(program) is None
    with_flags, without = [
        block for block in code_blocks(RULES, "text") if "Synthesis finished" in block.code
    ]
    flagged = tmp_path / "with-flags"
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synthesize_as_the_cli(
            program, {**CDK_JSON_CONTEXT, **COMMITTED_CONTEXT}, flagged, monkeypatch
        )
    assert with_flags.code.strip() == from_validation_report(flagged)

    readme = tmp_path / "readme"
    readme_context = json.loads(readme_cdk_json().code)["context"]
    synthesize_as_the_cli(program, {**readme_context, **COMMITTED_CONTEXT}, readme, monkeypatch)
    lines = without.code.strip().splitlines()
    entries = [i for i, line in enumerate(lines) if line.startswith(("ERROR ", "WARNING "))]
    assert all(SOURCE_LOCATION.match(lines[i - 1]) for i in entries), "a location line each"
    listed = "\n".join(line for line in lines if not SOURCE_LOCATION.match(line))
    assert listed == from_manifest(readme)

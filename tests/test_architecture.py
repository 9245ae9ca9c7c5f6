"""The package's shape: import direction, no private names across modules, rule ids in one
place (see ../shared/reference/architecture.md)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from cdk_peering import rule_ids
from tests.conftest import ROOT

PACKAGE = ROOT / "cdk_peering"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_imports_run_one_way() -> None:
    # .importlinter: topology | privatelink -> peering -> cdk -> rules -> model -> errors ->
    # findings | rule_ids; model, rules and findings are plain Python; connectivity reads
    # JSON only.
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "lint-imports"),
            "--config",
            str(ROOT / ".importlinter"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_imports_a_private_name_of_another() -> None:
    found: list[str] = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level == 0 and not (node.module or "").startswith("cdk_peering"):
                continue
            found.extend(
                f"{path.relative_to(ROOT)}:{node.lineno} imports {alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            )
    assert found == []


def test_rule_ids_are_written_only_in_rule_ids_py() -> None:
    literal = re.compile(r"cdk_peering:[A-Za-z]+")
    found: list[str] = []
    for path in _modules():
        if path.name == "rule_ids.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and literal.fullmatch(node.value)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value}")
    assert found == []


def test_every_rule_id_is_used() -> None:
    names = {
        name
        for name, value in vars(rule_ids).items()
        if isinstance(value, str) and value in rule_ids.CATALOGUE
    }
    assert len(names) == len(rule_ids.CATALOGUE)
    used: set[str] = set()
    for path in _modules():
        if path.name != "rule_ids.py":
            used.update(re.findall(r"rule_ids\.([A-Z0-9_]+)", path.read_text()))
    assert sorted(names - used) == []


def _docs_rules() -> list[tuple[str, str]]:
    """Return (rule id, kind) for every id in docs/rules.md's table, in its order."""
    rows: list[tuple[str, str]] = []
    for line in (ROOT / "docs" / "rules.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`cdk_peering:"):
            continue
        ids = re.findall(r"`(cdk_peering:[A-Za-z0-9]+)`", cells[0])
        rows.extend((rule_id, cells[-1]) for rule_id in ids)
    return rows


def test_the_docs_rules_table_is_the_catalogue() -> None:
    documented = _docs_rules()
    assert [rule_id for rule_id, _ in documented] == list(rule_ids.CATALOGUE)
    assert {rule_id: kind for rule_id, kind in documented} == {
        rule_id: info.kind for rule_id, info in rule_ids.CATALOGUE.items()
    }

"""The code blocks of README.md and docs/*.md, and which earlier block each Python block
continues.

A Python block runs as a reader would paste it. It is a whole program (its imports and
every name it uses are in it), or the paragraph right before it says, in words the reader
sees, which earlier block of the same file it continues, with a phrase starting with
"Continuing":

- ``Continuing the example above`` continues the previous Python block of the file;
- ``Continuing <words>`` continues the nearest earlier Python block of the file whose own
  introduction (the paragraph right before it) contains ``<words>``, outside a phrase of
  its own starting with "Continuing": "Continuing the smallest example:" continues the
  README block introduced as "**app.py: the smallest example.**".

The phrase ends at the first ``:``, ``,``, ``.``, ``;`` or parenthesis. A continuing block
runs in the namespace left by the blocks it continues, run in order (its chain).
"""

from __future__ import annotations

import builtins
import re
import symtable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
"""Every file whose Python blocks must run."""

_FENCE = re.compile(r"^(`{3,})([^`\s]*)\s*$")
_CONTINUING = re.compile(r"\bcontinuing\s+(?P<reference>[^:,.;()]+)", re.IGNORECASE)
_ABOVE = "the example above"
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class CodeBlock:
    """One fenced code block: where it is, its language, its text, and the paragraph that
    introduces it."""

    path: Path
    line: int
    """The line of the block's first line of code (1-based)."""
    language: str
    code: str
    introduction: str = field(default="", compare=False)
    """The paragraph right before the block's fence, as plain words (no Markdown marks)."""

    @property
    def where(self) -> str:
        """``README.md:42``: the file, relative to the checkout, and the first code line."""
        name = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{name}:{self.line}"


def _plain(text: str) -> str:
    """Markdown as the reader reads it: link text without its target, no emphasis marks,
    one space between words."""
    text = _LINK.sub(r"\1", text).replace("**", "").replace("`", "")
    return " ".join(text.split())


def _introduction(lines: list[str], fence: int) -> str:
    """The paragraph that ends right before line ``fence``: the non-blank lines above it,
    back to a blank line, a heading or another block's closing fence."""
    end = fence
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0:
        line = lines[start - 1].strip()
        if not line or line.startswith(("#", "```")) or _FENCE.match(line):
            break
        start -= 1
    return _plain(" ".join(lines[start:end]))


def code_blocks(path: Path, language: str | None = None) -> list[CodeBlock]:
    """Return the fenced blocks of a Markdown file, of one language or all of them."""
    blocks: list[CodeBlock] = []
    lines = path.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence = opening.group(1)  # a block closes with a fence at least as long
        end = next(
            (
                i
                for i in range(index + 1, len(lines))
                if lines[i].strip().startswith(fence) and set(lines[i].strip()) == {"`"}
            ),
            len(lines),
        )
        blocks.append(
            CodeBlock(
                path=path,
                line=index + 2,
                language=opening.group(2),
                code="\n".join(lines[index + 1 : end]) + "\n",
                introduction=_introduction(lines, index),
            )
        )
        index = end + 1
    return [block for block in blocks if language is None or block.language == language]


def python_blocks() -> list[CodeBlock]:
    """Every Python block of README.md and docs/*.md."""
    return [block for path in DOCS for block in code_blocks(path, "python")]


def smallest_example() -> CodeBlock:
    """The README's first Python block: the smallest app, a whole program."""
    return code_blocks(README, "python")[0]


def readme_cdk_json() -> CodeBlock:
    """The README's cdk.json for a user's app: its first JSON block naming an ``app``."""
    return next(block for block in code_blocks(README, "json") if '"app"' in block.code)


# --- which block a block continues ------------------------------------------------------


class ContinuationError(ValueError):
    """A block says it continues an earlier block that the file does not have."""


def reference(block: CodeBlock) -> str | None:
    """The words after "Continuing" in the block's introduction, or None (a whole
    program)."""
    found = _CONTINUING.search(block.introduction)
    return " ".join(found.group("reference").lower().split()) if found else None


def continued(block: CodeBlock) -> CodeBlock | None:
    """The earlier block of the same file that ``block`` continues, or None."""
    words = reference(block)
    if words is None:
        return None
    earlier = [b for b in code_blocks(block.path, "python") if b.line < block.line]
    if words == _ABOVE:
        if not earlier:
            raise ContinuationError(f"{block.where}: continues {_ABOVE!r}, but none is above")
        return earlier[-1]
    words = words.removesuffix(" above")
    for candidate in reversed(earlier):
        # Its introduction names it; "Continuing <words>" there names another block.
        if words in _CONTINUING.sub("", candidate.introduction).lower():
            return candidate
    raise ContinuationError(
        f"{block.where}: continues {words!r}, but no earlier Python block of "
        f"{block.path.name} is introduced with those words"
    )


def chain(block: CodeBlock) -> list[CodeBlock]:
    """The blocks to run, in order, for ``block``: those it continues, then itself."""
    parent = continued(block)
    return [*(chain(parent) if parent else []), block]


# --- the names a block uses and defines --------------------------------------------------

_ALWAYS_DEFINED = set(dir(builtins)) | {"__name__", "__file__"}


def _tables(table: symtable.SymbolTable) -> list[symtable.SymbolTable]:
    return [table, *(t for child in table.get_children() for t in _tables(child))]


def defined_names(code: str) -> set[str]:
    """The names a block binds at its top level (assignments, imports, defs, classes)."""
    table = symtable.symtable(code, "<block>", "exec")
    return {
        symbol.get_name()
        for symbol in table.get_symbols()
        if symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace()
    }


def used_names(code: str) -> set[str]:
    """The global names a block reads: at its top level, or inside its functions, classes
    and comprehensions."""
    top = symtable.symtable(code, "<block>", "exec")
    used = {symbol.get_name() for symbol in top.get_symbols() if symbol.is_referenced()}
    for table in _tables(top)[1:]:
        used |= {
            symbol.get_name()
            for symbol in table.get_symbols()
            if symbol.is_referenced() and symbol.is_global()
        }
    return used


def undefined_names(blocks: list[CodeBlock]) -> set[str]:
    """The names the last of ``blocks`` uses that none of ``blocks`` defines."""
    defined = set().union(*(defined_names(block.code) for block in blocks))
    return used_names(blocks[-1].code) - defined - _ALWAYS_DEFINED


# --- figures written in the pages -----------------------------------------------------------

_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
NUMBER_WORDS = {word: value for value, word in enumerate(_WORDS.split())}


def number(written: str) -> int:
    """A figure as a page writes it: ``13``, ``1,234`` or ``thirteen``."""
    text = written.strip().lower().replace(",", "")
    return NUMBER_WORDS[text] if text in NUMBER_WORDS else int(text)


def found(page: str, pattern: str) -> re.Match[str]:
    """The first match of ``pattern`` in a page (relative to the checkout), read with each
    run of whitespace (line breaks included) as one space; a failed test if none."""
    match = re.search(pattern, " ".join((ROOT / page).read_text().split()))
    if match is None:
        pytest.fail(f"{page}: no longer says /{pattern}/: update the page or the test")
    return match

"""Read a cloud assembly's JSON: every stack template, and the path of each resource.

Nested assemblies (stages) and nested stacks are read too, with each stack's environment.

Cloud assembly facts used here (aws-cdk-lib 2.x, manifest schema 55):

- ``manifest.json``: ``artifacts`` by id; a stack has ``type`` ``aws:cloudformation:stack``,
  ``environment`` ``aws://account/region`` (``unknown-account``/``unknown-region`` when
  environment-agnostic), ``properties.templateFile`` and ``properties.stackName`` (when it
  differs from the id), ``displayName`` (its construct path), and its metadata inline
  (``metadata``) or in ``additionalMetadataFile``. A Stage is a ``cdk:cloud-assembly``
  artifact with ``properties.directoryName``; the tree is a ``cdk:tree`` artifact.
- Metadata maps a construct path (``/Stack/Vpc/Resource``) to entries; ``aws:cdk:logicalId``
  gives an element's logical id, ``aws:cdk:templateFile`` a (nested) stack's template.
- ``tree.json``: nodes with ``id``, ``path``, ``children``, ``constructInfo.fqn`` and, for
  generated L1 classes, ``attributes`` ``aws:cdk:cloudformation:type`` and
  ``aws:cdk:cloudformation:logicalId``. Large trees are split: a child then holds
  ``fileName`` and ``treeId`` of a ``forest`` file.
- Templates written by the CLI carry ``Metadata.aws:cdk:path`` per resource; templates of
  ``app.synth()`` usually do not, which is why the metadata and the tree are read too.
- A nested stack is an ``AWS::CloudFormation::Stack`` whose ``TemplateURL`` names an asset
  of the parent's asset manifest (``<id>.assets.json``, ``files[hash].source.path``), or
  whose ``Metadata.aws:asset:path`` names the file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import INTENT, WARNED
from .errors import ConnectivityError
from .results import Intent

STACK = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"
TREE = "cdk:tree"
NESTED_STACK = "AWS::CloudFormation::Stack"

Json = dict[str, Any]


@dataclass(eq=False)
class Template:
    """One CloudFormation template of the assembly, with where and as what it deploys."""

    key: str
    """Unique in the assembly: the artifact id (with its nested assembly's directory), and
    for a nested stack its parent's key and the logical id of its stack resource."""
    path: str
    """The stack's construct path: ``Teams/Mesh/TeamARequests``."""
    name: str
    """The CloudFormation stack name (what ``Fn::GetStackOutput`` names)."""
    account: str | None
    region: str | None
    body: Json
    parent: Template | None = None
    parent_resource: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    """Logical id -> construct path of the element (``Stack/Vpc/Resource``)."""

    @property
    def resources(self) -> dict[str, Json]:
        """Return the template's resources by logical id."""
        resources: dict[str, Json] = self.body.get("Resources") or {}
        return resources


@dataclass
class Assembly:
    """Every template of one cloud assembly, in manifest order (parents before nested)."""

    directory: Path
    templates: list[Template]


def assembly_directory(source: object) -> Path:
    """Return the directory of ``source``: a ``cx_api.CloudAssembly`` or a path.

    :raises ConnectivityError: when it is no cloud assembly directory.
    """
    directory = getattr(source, "directory", source)
    if not isinstance(directory, str | os.PathLike):
        raise ConnectivityError(
            f"expected a cloud assembly (what app.synth() returns) or the path of one "
            f"(cdk.out), got {type(source).__name__}"
        )
    path = Path(directory)
    if not path.exists():
        raise ConnectivityError(
            f"{path} does not exist: synthesize the app first (cdk synth), or give the "
            f"directory cdk synth wrote (-o)"
        )
    if not (path / "manifest.json").is_file():
        raise ConnectivityError(
            f"{path} is not a cloud assembly: it has no manifest.json (give the directory "
            f"that cdk synth writes, cdk.out by default)"
        )
    return path


def read_assembly(source: object) -> Assembly:
    """Read every stack template of a cloud assembly and name its resources.

    :param source: a ``cx_api.CloudAssembly`` (anything with ``.directory``) or a path.
    :raises ConnectivityError: when ``source`` is no readable cloud assembly.
    """
    directory = assembly_directory(source)
    reader = _Reader(directory)
    reader.read(directory, "")
    reader.name_everything()
    return Assembly(directory, reader.templates)


_ACK = re.compile(r"\[ack: ([^\]]+)\]")


def acknowledged(source: object, rule: str) -> set[str]:
    """Return the construct paths whose ``rule`` warning the app acknowledged.

    The library records each warning it gives in the construct's metadata; aws-cdk-lib's
    ``acknowledge_warning`` removes the warning and keeps that record: a record without
    its warning is an acknowledgement.
    """
    directory = assembly_directory(source)
    warned: set[str] = set()
    standing: set[str] = set()
    for metadata in _metadata(directory):
        for raw, entries in metadata.items():
            path = raw.strip("/")
            for entry in entries:
                data, kind = entry.get("data"), entry.get("type")
                if kind == WARNED and isinstance(data, dict) and data.get("id") == rule:
                    warned.add(path)
                elif kind == "aws:cdk:warning" and rule in _ACK.findall(str(data)):
                    standing.add(path)
    return warned - standing


def intents(source: object) -> list[Intent]:
    """Return every ``ReachabilityIntent`` the app declared, in manifest order.

    Each is a metadata entry of type ``cdk-peering:intent`` on the intent's construct path.
    """
    directory = assembly_directory(source)
    found: list[Intent] = []
    for metadata in _metadata(directory):
        for raw, entries in metadata.items():
            for entry in entries:
                data = entry.get("data")
                if entry.get("type") != INTENT or not isinstance(data, dict):
                    continue
                port, version = data.get("port"), data.get("ipVersion")
                found.append(
                    Intent(
                        path=raw.strip("/"),
                        source=str(data.get("source", "")),
                        destination=str(data.get("destination", "")),
                        port=port if isinstance(port, int) else None,
                        ip_version=version if isinstance(version, int) else None,
                        reachable=data.get("reachable") is not False,
                    )
                )
    return found


def _metadata(directory: Path) -> Iterator[dict[str, list[Json]]]:
    """Yield every stack artifact's metadata, nested assemblies' too."""
    manifest = _load(directory / "manifest.json")
    for artifact in (manifest.get("artifacts") or {}).values():
        properties = artifact.get("properties") or {}
        if artifact.get("type") == NESTED_ASSEMBLY and isinstance(
            properties.get("directoryName"), str
        ):
            yield from _metadata(directory / properties["directoryName"])
        elif artifact.get("type") == STACK:
            yield dict(artifact.get("metadata") or {})
            extra = artifact.get("additionalMetadataFile")
            if isinstance(extra, str) and (directory / extra).is_file():
                yield _load(directory / extra)


def _load(path: Path) -> Json:
    try:
        with path.open(encoding="utf-8") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError) as error:
        raise ConnectivityError(f"cannot read {path}: {error}") from error
    if not isinstance(loaded, dict):
        raise ConnectivityError(f"{path} holds no JSON object")
    return loaded


def _environment(text: object) -> tuple[str | None, str | None]:
    if not isinstance(text, str) or not text.startswith("aws://"):
        return None, None
    account, _, region = text[len("aws://") :].partition("/")
    return (
        None if account in ("", "unknown-account") else account,
        None if region in ("", "unknown-region") else region,
    )


class _Names:
    """Construct paths by logical id, as one source gives them (metadata, tree.json).

    With the stack paths the source itself shows; which stack owns a path is decided at
    lookup, when every stack's path is known.
    """

    def __init__(self) -> None:
        self.paths: dict[str, list[str]] = {}
        """Logical id -> construct paths, in reading order."""
        self.stacks: set[str] = set()
        """Construct paths of the stacks the source itself shows (nested ones too)."""
        self.files: dict[str, str] = {}
        """Template file -> the construct path of its stack (``aws:cdk:templateFile``)."""

    def add(self, logical_id: str, path: str) -> None:
        self.paths.setdefault(logical_id, []).append(path)
        stack = _nested_stack_path(path)
        if stack is not None:
            self.stacks.add(stack)

    def find(self, stack: str, logical_id: str, stacks: set[str]) -> str | None:
        """Return the path of ``logical_id`` in ``stack`` (the last read, if several)."""
        for path in reversed(self.paths.get(logical_id, ())):
            if _owner(path, stacks, self.stacks) == stack:
                return path
        return None


@dataclass
class _Artifact:
    """What the names need of a stack artifact: its metadata and assets, read on first use."""

    directory: Path
    body: Json
    _names: _Names | None = None
    _assets: dict[str, str] | None = None

    def names(self) -> _Names:
        """Return the names its metadata gives (``aws:cdk:logicalId``, ``templateFile``)."""
        if self._names is None:
            metadata: dict[str, list[Json]] = dict(self.body.get("metadata") or {})
            extra = self.body.get("additionalMetadataFile")
            if isinstance(extra, str) and (self.directory / extra).is_file():
                metadata.update(_load(self.directory / extra))
            self._names = _Names()
            for raw, entries in metadata.items():
                path = raw.strip("/")
                for entry in entries:
                    data, kind = entry.get("data"), entry.get("type")
                    if isinstance(data, str) and kind == "aws:cdk:logicalId":
                        self._names.add(data, path)
                    elif isinstance(data, str) and kind == "aws:cdk:templateFile":
                        self._names.files.setdefault(data, path)
                        self._names.stacks.add(path)
        return self._names

    def assets(self) -> dict[str, str]:
        """Return asset hash -> source file of this stack's asset manifest."""
        if self._assets is None:
            self._assets = {}
            for name in self.body.get("dependencies") or []:
                path = self.directory / f"{name}.json"
                if not (isinstance(name, str) and name.endswith(".assets") and path.is_file()):
                    continue
                for digest, asset in (_load(path).get("files") or {}).items():
                    source = (asset.get("source") or {}).get("path")
                    if isinstance(source, str):
                        self._assets[digest] = source
        return self._assets


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.templates: list[Template] = []
        self.artifacts: dict[str, _Artifact] = {}  # template key -> its top-level artifact
        self.files: dict[str, str] = {}  # a nested template's key -> its template file
        self.tree_file: Path | None = None
        self._tree: _Names | None = None

    def read(self, directory: Path, prefix: str) -> None:
        manifest = _load(directory / "manifest.json")
        artifacts = manifest.get("artifacts")
        if not isinstance(artifacts, dict):
            if "version" in manifest:
                return  # an empty app: no artifacts at all
            raise ConnectivityError(f"{directory / 'manifest.json'} has no artifacts")
        for artifact_id, artifact in artifacts.items():
            kind = artifact.get("type")
            properties = artifact.get("properties") or {}
            if kind == TREE and not prefix and isinstance(properties.get("file"), str):
                self.tree_file = directory / properties["file"]
            elif kind == NESTED_ASSEMBLY and isinstance(properties.get("directoryName"), str):
                name = properties["directoryName"]
                self.read(directory / name, f"{prefix}{name}/")
            elif kind == STACK and isinstance(properties.get("templateFile"), str):
                self._stack(directory, prefix, artifact_id, artifact)

    def _stack(self, directory: Path, prefix: str, artifact_id: str, artifact: Json) -> None:
        properties = artifact["properties"]
        account, region = _environment(artifact.get("environment"))
        template = Template(
            key=prefix + artifact_id,
            path=str(artifact.get("displayName") or artifact_id),
            name=str(properties.get("stackName") or artifact_id),
            account=account,
            region=region,
            body=_load(directory / properties["templateFile"]),
        )
        holder = _Artifact(directory, artifact)
        self._add(template, holder)

    def _add(self, template: Template, holder: _Artifact) -> None:
        self.templates.append(template)
        self.artifacts[template.key] = holder
        for logical_id, resource in template.resources.items():
            path = (resource.get("Metadata") or {}).get("aws:cdk:path")
            if isinstance(path, str):
                template.names[logical_id] = path.strip("/")
        for logical_id, resource in template.resources.items():
            if resource.get("Type") == NESTED_STACK:
                self._nested(template, holder, logical_id, resource)

    def _nested(self, parent: Template, holder: _Artifact, logical_id: str, resource: Json) -> None:
        file = (resource.get("Metadata") or {}).get("aws:asset:path")
        if not isinstance(file, str):
            url = json.dumps((resource.get("Properties") or {}).get("TemplateURL"))
            file = next(
                (source for digest, source in holder.assets().items() if digest in url), None
            )
        if not isinstance(file, str) or not (holder.directory / file).is_file():
            return  # a stack from a URL outside the assembly: nothing to read
        template = Template(
            key=f"{parent.key}/{logical_id}",
            path="",  # decided by name_everything, once its parent's names are known
            name=f"{parent.name}-{logical_id}",
            account=parent.account,
            region=parent.region,
            body=_load(holder.directory / file),
            parent=parent,
            parent_resource=logical_id,
        )
        self.files[template.key] = file
        self._add(template, holder)

    # --- names ---------------------------------------------------------------------------

    def name_everything(self) -> None:
        """Give every nested stack its construct path, and every resource its own.

        Parents come first: a nested stack's path may come from its parent's names. A
        resource's name comes from the template's metadata, else the artifact's metadata,
        else tree.json.
        """
        stacks = {template.path for template in self.templates if template.parent is None}
        for template in self.templates:
            if template.parent is not None:
                template.path = self._nested_path(template)
                stacks.add(template.path)
            if len(template.names) == len(template.resources):
                continue
            self._fill(template, self.artifacts[template.key].names(), stacks)
            if len(template.names) < len(template.resources) and self.tree_file is not None:
                self._fill(template, self._tree_names(), stacks)

    def _nested_path(self, template: Template) -> str:
        """Return a nested stack's construct path.

        The path the metadata gives its template file, else the one its stack resource's
        name implies, else ``parent/logicalId``.
        """
        parent, logical_id = template.parent, template.parent_resource
        assert parent is not None
        assert logical_id is not None
        declared = self.artifacts[template.key].names().files.get(self.files[template.key])
        derived = _nested_stack_path(parent.names.get(logical_id))
        return declared or derived or f"{parent.path}/{logical_id}"

    @staticmethod
    def _fill(template: Template, names: _Names, stacks: set[str]) -> None:
        for logical_id in template.resources:
            if logical_id not in template.names:
                path = names.find(template.path, logical_id, stacks)
                if path is not None:
                    template.names[logical_id] = path

    def _tree_names(self) -> _Names:
        if self._tree is not None:
            return self._tree
        self._tree = found = _Names()
        if self.tree_file is None or not self.tree_file.is_file():
            return found
        forests: dict[str, Json] = {}
        pending: list[Json] = [_load(self.tree_file).get("tree") or {}]
        while pending:
            node = pending.pop()
            path = str(node.get("path") or "")
            fqn = str((node.get("constructInfo") or {}).get("fqn") or "")
            if fqn in ("aws-cdk-lib.Stack", "aws-cdk-lib.NestedStack"):
                found.stacks.add(path)
            logical_id = (node.get("attributes") or {}).get("aws:cdk:cloudformation:logicalId")
            if isinstance(logical_id, str):
                found.add(logical_id, path)
            pending.extend(_children(node, self.tree_file.parent, forests))
        return found


def _owner(path: str, *stacks: set[str]) -> str | None:
    """Return the innermost stack (of any of ``stacks``) whose construct path holds ``path``."""
    cut = path.rfind("/")
    while cut > 0:
        if any(path[:cut] in each for each in stacks):
            return path[:cut]
        cut = path.rfind("/", 0, cut)
    return None


def _nested_stack_path(resource_path: str | None) -> str | None:
    """Return ``Stack/Inner`` for ``Stack/Inner.NestedStack/Inner.NestedStackResource``."""
    suffix = ".NestedStackResource"
    if not resource_path or not resource_path.endswith(suffix):
        return None
    scope, _, _ = resource_path.rpartition("/")
    owner, _, _ = scope.rpartition("/")
    name = resource_path.rsplit("/", 1)[1][: -len(suffix)]
    return f"{owner}/{name}" if owner else name


def _children(node: Json, directory: Path, forests: dict[str, Json]) -> Iterator[Json]:
    for child in (node.get("children") or {}).values():
        file, tree_id = child.get("fileName"), child.get("treeId")
        if isinstance(file, str) and isinstance(tree_id, str) and "children" not in child:
            if file not in forests:
                forests[file] = _load(directory / file).get("forest") or {}
            child = forests[file].get(tree_id) or child
        yield child

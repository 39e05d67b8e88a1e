"""The house plan holds: the rooms of flowgen/, their public names, their arrows.

docs/architecture.md describes the same rooms; a change that moves one
updates both, and these tests say where they disagree.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "flowgen"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# Each subpackage's public names, as its __init__ lists them in __all__.
SURFACES: dict[str, list[str]] = {
    "flowgen.changes": [
        "Change", "Severity", "as_json", "as_markdown", "as_text", "diff_flows",
        "has_breaking", "pull_changes", "summary_line", "text_lines",
    ],
    "flowgen.cli": ["main", "run"],
    "flowgen.generate": [
        "FlowSource", "Generated", "PackagePlan", "RenderedPackage", "generate",
        "render_package",
    ],
    "flowgen.model": [
        "INVOCABLE_PROCESS_TYPES", "ActionKind", "ActionSelection", "ApexMember",
        "ApexType", "FieldKind", "FieldType",
        "FlowOutline", "FlowSpec", "Param", "RecordField", "RecordType",
        "apex_type_candidates", "is_invocable", "parse_type", "usable_field_name",
    ],
    "flowgen.output": [
        "StagedWrite", "WriteReport", "diff_package", "existing_files",
        "last_run_if_current", "remember", "replace_directory", "staging_path",
        "write_package",
    ],
    "flowgen.sources": [
        "FlowFile", "Snapshot", "SnapshotIndex", "TypeFile", "checked_out",
        "duplicate_flows", "is_git_spec", "open_snapshot", "parse_describe",
        "read_manifest", "read_snapshot", "snapshot_files", "write_snapshot",
    ],
    "flowgen.sources.org": [
        "Credential", "OrgSession", "Pulled", "choose", "describe_actions",
        "describe_flows",
        "flow_versions", "list_flows", "pull",
    ],
    "flowgen.sources.sfdx": ["SfdxProject", "open_project", "project_files"],
    "flowgen.runtime": [
        "ApiLimitError", "AsyncFlowClient", "AsyncTokenProvider", "DEFAULT_API_VERSION",
        "FlowClient", "FlowConfigError", "FlowError", "FlowHTTPError",
        "FlowInterviewError", "FlowResponseError", "FlowResult", "FlowTransportError",
        "SalesforceError", "SessionExpiredError", "TokenProvider", "UNSET", "Unset",
    ],
    "flowgen.testing": [
        "Fault", "FakeOrg", "FlowFault", "FlowHandler", "RecordedRequest",
    ],
}  # fmt: skip


def _subpackages() -> list[str]:
    return sorted(
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in PACKAGE.rglob("__init__.py")
        if init.parent != PACKAGE and "__pycache__" not in init.parts
    )


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_subpackage_has_its_surface_pinned() -> None:
    assert sorted(SURFACES) == _subpackages()


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_public_names(name: str) -> None:
    package = importlib.import_module(name)
    assert sorted(package.__all__) == sorted(SURFACES[name])
    for public in package.__all__:
        assert getattr(package, public) is not None, f"{name}.{public}"


def test_few_modules_at_the_top_and_none_too_long() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 6, top
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(
        ".__init__"
    )


def _top_level_imports(path: Path, known: set[str]) -> set[str]:
    """The flowgen modules a module imports when it is imported (not those
    imported inside functions or only for type checkers)."""
    name = _module_name(path)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            for alias in node.names:
                if f"{module}.{alias.name}" in known:
                    found.add(f"{module}.{alias.name}")
                elif module in known:
                    found.add(module)
    return found - {name}


def test_no_module_level_import_cycle() -> None:
    paths = {_module_name(p): p for p in _modules()}
    known = set(paths)
    graph = {name: _top_level_imports(path, known) for name, path in paths.items()}
    # A package's __init__ importing its own modules is how packages work,
    # not a cycle: only arrows out of a module's own package count back.
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if node.startswith(target + ".") or target.startswith(node + "."):
                continue  # a module and its own package
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


def test_the_architecture_names_every_room_and_only_rooms_that_exist() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    named = set(re.findall(r"`(flowgen/[\w/]+(?:\.py)?)`", text))
    assert named, "docs/architecture.md names no rooms"
    missing = sorted(room for room in named if not (ROOT / room.rstrip("/")).exists())
    assert missing == []
    for package in _subpackages():
        room = package.replace(".", "/") + "/"
        assert f"`{room}`" in text, f"docs/architecture.md does not name {room}"

"""Rendering from specs: hostile metadata, determinism, names."""

import ast
import dataclasses
import importlib
import json
import subprocess
import sys
from pathlib import Path

import black
import pytest

from flowgen.generate import layout, plan, render, views
from flowgen.output.write import write_package
from flowgen.sources.snapshot import read_snapshot
from tests.conftest import (
    GENERATED_EXAMPLE,
    HOSTILE_TEXTS,
    describe,
    param,
    write_hostile_snapshot,
    write_snapshot,
)

MODE = black.Mode(line_length=layout.LINE_LENGTH)


def _render(root: Path, package: str = "pkg") -> plan.RenderedPackage:
    snap = read_snapshot(root)
    return plan.render_package(
        snap.flows, package=package, api_version=snap.api_version
    )


def test_hostile_metadata_compiles_is_black_stable_and_runs_nothing(
    tmp_path: Path,
) -> None:
    rendered = _render(write_hostile_snapshot(tmp_path / "snap"), "hostile_flows")
    assert rendered.skipped_flows == {}
    python_files = {
        path: data for path, data in rendered.files.items() if path.endswith(".py")
    }
    assert len(python_files) > 15
    for path, data in python_files.items():
        source = data.decode("utf-8")
        compile(source, path, "exec")
        assert black.format_str(source, mode=MODE) == source, path
        names = {
            node.id
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Name)
        }
        assert "__import__" not in names  # the payload is only ever text, never code

    out = tmp_path / "out" / "hostile_flows"
    write_package(rendered.files, out)
    script = (
        "import importlib, pkgutil, hostile_flows, hostile_flows.flows\n"
        "for m in pkgutil.iter_modules(hostile_flows.flows.__path__):\n"
        "    importlib.import_module('hostile_flows.flows.' + m.name)\n"
        "for name in hostile_flows.__all__:\n"
        "    getattr(hostile_flows, name)\n"
        "print(len(hostile_flows.__all__))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "out"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 50
    assert not (tmp_path / "CANARY").exists()


@pytest.mark.parametrize(
    "process_types",
    [None, {"Screen": "Flow", "Builder": "Workflow"}],
    ids=["no flows", "only flows REST cannot run"],
)
def test_a_package_without_flows_is_black_stable_and_imports(
    tmp_path: Path, process_types: dict[str, str] | None
) -> None:
    describes = [describe(name) for name in process_types or {}]
    root = write_snapshot(tmp_path / "snap", describes, process_types=process_types)
    rendered = _render(root, "empty_flows")
    assert sorted(rendered.skipped_flows) == sorted(process_types or {})
    sources = {
        path: data.decode("utf-8")
        for path, data in rendered.files.items()
        if path.endswith((".py", ".pyi"))
    }
    assert {"__init__.py", "__init__.pyi", "flows/__init__.py"} <= set(sources)
    assert {"records.py", "apex_types.py"} <= set(sources)
    assert not any(p.startswith("flows/") for p in sources if p != "flows/__init__.py")
    for path, source in sources.items():
        pyi = path.endswith(".pyi")
        mode = black.Mode(line_length=layout.LINE_LENGTH, is_pyi=pyi)
        assert black.format_str(source, mode=mode) == source, path
        ast.parse(source, path)
    assert "_FLOWS: tuple[tuple[str, str], ...] = ()\n" in sources["__init__.py"]

    write_package(rendered.files, tmp_path / "out" / "empty_flows")
    script = (
        "import empty_flows\n"
        "assert 'FlowClient' in empty_flows.__all__, empty_flows.__all__\n"
        "assert 'AsyncFlowClient' in dir(empty_flows)\n"
        "assert empty_flows.AsyncFlowClient.__name__ == 'AsyncFlowClient'\n"
        "assert not hasattr(empty_flows, 'screen')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "out"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_hostile_wire_names_are_kept_exactly_as_data(tmp_path: Path) -> None:
    rendered = _render(write_hostile_snapshot(tmp_path / "snap"))
    module = rendered.files["flows/hostile_0.py"].decode()
    tree = ast.parse(module)
    strings = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    text = '"""\n__import__(\'pathlib\').Path(\'CANARY\').touch()\n"""'
    assert text in strings  # the wire name, verbatim, as a string constant
    assert "Hostile_0" in strings


def test_hostile_input_names_reach_the_request_body_exactly(
    tmp_path: Path,
    import_package,  # type: ignore[no-untyped-def]
) -> None:
    # Each input's key is JSON-escaped when the module is generated: the
    # text a flow module writes must parse back to the org's own names.
    rendered = _render(write_hostile_snapshot(tmp_path / "snap"), "hostile_keys")
    write_package(rendered.files, tmp_path / "out" / "hostile_keys")
    import_package(tmp_path / "out", "hostile_keys")
    for index, text in enumerate(HOSTILE_TEXTS):
        module = importlib.import_module(f"hostile_keys.flows.hostile_{index}")
        fields = dataclasses.fields(module.__dict__[f"Hostile{index}Input"])
        values = {field.name: f"{text} value" for field in fields[:2]}
        body = module._FLOW.to_json(module.__dict__[f"Hostile{index}Input"](**values))
        assert body.isascii()
        assert json.loads(body) == {text: f"{text} value", f"{text} 2": f"{text} value"}
    assert not (tmp_path / "CANARY").exists()


def test_function_names_avoid_package_modules_and_bulk_suffix(tmp_path: Path) -> None:
    rendered = _render(write_hostile_snapshot(tmp_path / "snap"))
    modules = {path for path in rendered.files if path.startswith("flows/")}
    assert "flows/flows.py" not in modules
    assert "flows/flows_.py" in modules
    assert "flows/class_.py" in modules
    # Create_Case_Many would be create_case's bulk function; it moves aside.
    assert "flows/create_case.py" in modules
    assert "flows/create_case_many.py" not in modules
    assert "flows/create_case_many_.py" in modules


def test_reserved_parameter_names_do_not_shadow(tmp_path: Path) -> None:
    rendered = _render(write_hostile_snapshot(tmp_path / "snap"))
    evil = next(
        data.decode() for path, data in rendered.files.items() if "/evil" in path
    )
    assert "    client_: str | None | _rt.Unset = _rt.UNSET" in evil
    klass = rendered.files["flows/class_.py"].decode()
    assert "interview_status_: str | None = None" in klass


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    root = write_hostile_snapshot(tmp_path / "snap")
    assert _render(root).files == _render(root).files


def test_screen_flows_are_skipped_with_the_reason(tmp_path: Path) -> None:
    root = write_snapshot(
        tmp_path,
        [describe("Auto"), describe("Screen")],
        process_types={"Screen": "Flow"},
    )
    rendered = _render(root)
    assert "flows/auto.py" in rendered.files and "flows/screen.py" not in rendered.files
    assert "'Flow'" in rendered.skipped_flows["Screen"]


def test_long_names_fall_back_to_black_and_stay_stable(tmp_path: Path) -> None:
    long_name = "a" * 70 + "Variable"
    root = write_snapshot(
        tmp_path,
        [
            describe(
                "Long",
                inputs=[param(long_name, "DATETIME", maxOccurs=2000, sobjectType=None)],
            )
        ],
    )
    source = _render(root).files["flows/long.py"].decode()
    assert max(len(line) for line in source.splitlines()) > 88 or "(\n" in source
    assert black.format_str(source, mode=MODE) == source


def test_outputs_named_like_tuple_methods_keep_their_names(
    tmp_path: Path, import_package
) -> None:  # type: ignore[no-untyped-def]
    # Outputs are dataclasses: an output called index or count is just that.
    root = write_snapshot(
        tmp_path / "snap",
        [describe("Tally", [], [param("index", "INT"), param("Count", "INT")])],
    )
    write_package(_render(root, "tally_pkg").files, tmp_path / "out" / "tally_pkg")
    package = import_package(tmp_path / "out", "tally_pkg")
    binding = importlib.import_module("tally_pkg.flows.tally")._FLOW
    output = binding.output({"index": 3, "Count": 4})
    assert (output.index, output.count) == (3, 4)
    assert output == package.TallyOutput(index=3, count=4)


def test_package_init_is_lazy(tmp_path: Path, import_package) -> None:  # type: ignore[no-untyped-def]
    root = write_snapshot(
        tmp_path / "snap", [describe("One", [param("x")]), describe("Two")]
    )
    write_package(_render(root, "lazy_pkg").files, tmp_path / "out" / "lazy_pkg")
    package = import_package(tmp_path / "out", "lazy_pkg")
    assert "lazy_pkg.flows.one" not in sys.modules
    assert package.one.__module__ == "lazy_pkg.flows.one"
    assert "lazy_pkg.flows.two" not in sys.modules
    assert sorted(package.__all__) == package.__all__
    assert "two_many" in dir(package)


def test_package_reexports_only_what_the_runtime_exports() -> None:
    from flowgen import runtime

    assert sorted(render.runtime_exports()) == sorted(
        set(runtime.__all__) - {"DEFAULT_API_VERSION"}
    )
    assert "FlowClient" in render.runtime_exports()
    assert runtime.__all__ == sorted(runtime.__all__)


def test_no_flow_takes_another_flows_async_function_names() -> None:
    names = plan.function_names(
        ["Create_Case", "Create_Case_Async", "Create_Case_Many_Async", "Sync"]
    )
    assert names["Create_Case"] == "create_case"
    taken = {
        f"{name}{suffix}"
        for name in names.values()
        for suffix in ("", *views.FUNCTION_SUFFIXES)
    }
    # Every function of every flow is distinct: 4 flows x 4 functions.
    assert len(taken) == 16
    assert names["Create_Case_Async"] == "create_case_async_"
    assert names["Create_Case_Many_Async"] == "create_case_many_async_"


@pytest.mark.parametrize("length", range(20, 50, 3))
def test_long_fields_are_laid_out_as_black_would(tmp_path: Path, length: int) -> None:
    # Around 88 columns black splits a field's right-hand side when the rest
    # fits, and its annotation otherwise; every width in between is covered.
    name = "x" * length
    root = write_snapshot(
        tmp_path / "snap",
        [
            describe(
                "Wide",
                [
                    param(
                        name, "SOBJECT", sobjectType="AccountTeamMember", maxOccurs=2000
                    )
                ],
                [
                    param(
                        name, "SOBJECT", sobjectType="AccountTeamMember", maxOccurs=2000
                    )
                ],
            )
        ],
    )
    source = _render(root).files["flows/wide.py"].decode()
    assert black.format_str(source, mode=black.Mode()) == source


def test_each_module_imports_each_module_once(tmp_path: Path) -> None:
    # Types that need typing.Any, datetime and decimal together in one flow.
    root = write_snapshot(
        tmp_path / "snap",
        [
            describe(
                "Mixed",
                [param("blob", "WEIRD"), param("day", "DATE")],
                [param("amount", "CURRENCY"), param("anything", "WEIRD")],
            )
        ],
    )
    for path, data in _render(root).files.items():
        imports = [
            line
            for line in data.decode().splitlines()
            if line.startswith(("import ", "from "))
        ]
        assert len(imports) == len(set(imports)), path
    mixed = _render(root).files["flows/mixed.py"].decode()
    assert "import typing as _typing" in mixed and "_typing.Any" in mixed


def test_docstring_args_follow_the_signature() -> None:
    # Required inputs come first in a signature; the Args section says them
    # in that order too, whatever order the org lists them in.
    checked = 0
    for module in sorted((GENERATED_EXAMPLE / "acme_flows" / "flows").glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if node.name.startswith("_") or node.name.endswith(
                ("_many", "_many_async")
            ):
                continue
            signature = [arg.arg for arg in node.args.kwonlyargs]
            doc = ast.get_docstring(node) or ""
            section = doc.split("Args:\n", 1)[1].split("\n\n", 1)[0]
            documented = [
                line.strip().split(":", 1)[0]
                for line in section.splitlines()
                if line.startswith("    ") and not line.startswith("        ")
            ]
            assert documented == ["client", *signature], module.name
            checked += 1
    assert checked >= 20

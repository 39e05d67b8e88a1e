"""records.py is kept between runs by what it is made of: a run with the same
describes takes it from the cache, any change to them makes it again."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from flowgen.generate import pipeline, typed_cache
from flowgen.generate import records as record_schema
from flowgen.sources import snapshot
from flowgen.sources.snapshot import open_snapshot
from tests.conftest import EXAMPLE_SNAPSHOT


def _records(root: Path) -> tuple[bytes, tuple[str, ...]]:
    generated = pipeline.generate(
        open_snapshot(root), package="acme_flows", emit=lambda path, data: (path, data)
    )
    return dict(generated.results)["records.py"], generated.warnings


def test_records_come_from_the_cache_until_a_describe_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "snap"
    shutil.copytree(EXAMPLE_SNAPSHOT, root)
    (root / "sobjects" / "Case.json").write_text("{broken")
    made, warnings = _records(root)
    assert b"class Account(" in made and b"class Case(" not in made
    assert any("Case.json" in w for w in warnings)

    def unread(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the describes should not be read again")

    with monkeypatch.context() as patch:
        patch.setattr(snapshot.SnapshotIndex, "record_types", unread)
        again, warnings_again = _records(root)
    assert again == made
    assert any("Case.json" in w for w in warnings_again)  # replayed

    account = json.loads((root / "sobjects" / "Account.json").read_text())
    account["fields"].append({**account["fields"][0], "name": "Added__c"})
    (root / "sobjects" / "Account.json").write_text(json.dumps(account))
    changed, _ = _records(root)
    assert b"    Added__c: " in changed and changed != made


def test_keys_change_with_the_installed_datamodel_code_generator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A records.py made by one release of the tool is not one made by the next.
    def keys() -> tuple[str, Path]:
        typed_cache.made_by.cache_clear()
        return (
            typed_cache.key({"Account": "Account"}, {"Account": b"describe"}),
            record_schema._cache_path("schema"),
        )

    before = keys()
    installed = tmp_path / "datamodel_code_generator" / "__init__.py"
    installed.parent.mkdir()
    installed.write_text("# another release\n")
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name: importlib.machinery.ModuleSpec(name, None, origin=str(installed)),
    )
    after = keys()
    monkeypatch.undo()
    assert keys() == before
    assert after[0] != before[0] and after[1] != before[1]


def test_each_kind_keeps_only_its_newest_entries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(typed_cache, "cache_root", lambda: tmp_path)
    monkeypatch.setattr(typed_cache, "KEPT_PER_KIND", 3)
    for number in range(5):
        path = typed_cache.cache_file("modules", f"k{number}")
        typed_cache.write_json(path, {"n": number})
        os.utime(path, ns=(number, number))  # one step older each
    typed_cache.write_json(typed_cache.cache_file("records", "other"), {})
    kept = sorted(p.name for p in (tmp_path / "modules").iterdir())
    assert kept == ["k2.json", "k3.json", "k4.json"]
    assert (tmp_path / "records" / "other.json").is_file()

"""[tool.flowgen]: every setting's valid and invalid forms, and how flags override them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowgen import config
from flowgen.cli.org import api_version_for
from flowgen.errors import ConfigError
from tests.conftest import run_flowgen


def write(directory: Path, body: str) -> Path:
    (directory / "pyproject.toml").write_text(
        f'[project]\nname = "app"\n\n[tool.flowgen]\n{body}\n', encoding="utf-8"
    )
    return directory


def resolve(directory: Path, **flags: Any) -> config.Settings:
    arguments: dict[str, Any] = {"snapshot": None, "out": None, "package": None}
    return config.resolve(cwd=directory, **{**arguments, **flags})


VALID = [
    ('snapshot = "flowgen-snapshot"', "snapshot", "flowgen-snapshot"),
    ('project = "."', "project", "."),
    ('snapshot = "s"\nproject = "p"\nsource = "project"', "source", "project"),
    ('snapshot = "s"\nproject = "p"\nsource = "snapshot"', "source", "snapshot"),
    ('out = "src/acme_flows"', "out", "src/acme_flows"),
    ('package = "acme_flows"', "package", "acme_flows"),
    ("include_inactive = true", "include_inactive", True),
    ("include_inactive = false", "include_inactive", False),
    ('target_org = "dev"', "target_org", "dev"),
    (
        'instance_url = "https://a.my.salesforce.com"',
        "instance_url",
        "https://a.my.salesforce.com",
    ),
    ('client_id = "3MVG9abc"', "client_id", "3MVG9abc"),
    ('username = "ci@acme.com"', "username", "ci@acme.com"),
    ('jwt_key_file = "keys/server.key"', "jwt_key_file", "keys/server.key"),
    ('login_url = "test"', "login_url", "test"),
    ('api_version = "62.0"', "api_version", "62.0"),
    ('api_version = "9.10"', "api_version", "9.10"),
    ('include = ["Acme_*", "Sync"]', "include", ["Acme_*", "Sync"]),
    ("exclude = []", "exclude", []),
    ('include = ["apex:Acme*", "prompt:*"]', "include", ["apex:Acme*", "prompt:*"]),
    ('actions = ["flow"]', "actions", ["flow"]),
    (
        'actions = ["apex", "prompt", "standard:emailSimple"]',
        "actions",
        ["apex", "prompt", "standard:emailSimple"],
    ),
]


@pytest.mark.parametrize(("body", "key", "value"), VALID)
def test_every_setting_reads_in_its_valid_forms(
    tmp_path: Path, body: str, key: str, value: Any
) -> None:
    table, base = config.load_table(write(tmp_path, body))
    assert table[key] == value and base == tmp_path


def test_the_valid_forms_cover_every_setting() -> None:
    assert {key for _, key, _ in VALID} == set(config.SETTINGS)


INVALID = [
    ('include = ["bogus:X"]', "include is not valid: pattern 'bogus:X': a kind prefix"),
    ('exclude = ["flow:X"]', "exclude is not valid: pattern 'flow:X': a kind prefix"),
    ('actions = "apex"', "actions must be a list of non-empty strings"),
    ('actions = ["Apex"]', "actions is not valid: actions entry 'Apex' is none of"),
    ('actions = ["standard"]', "actions is not valid: actions entry 'standard' is"),
    ("snapshot = 5", "snapshot must be a non-empty string"),
    ('snapshot = ""', "snapshot must be a non-empty string"),
    ('project = ["."]', "project must be a non-empty string"),
    ('snapshot = "s"\nsource = "org"', 'source must be "snapshot" or "project"'),
    ('project = "p"\nsource = "Project"', 'source must be "snapshot" or "project"'),
    ('snapshot = "s"\nsource = "project"', 'source is "project", but project is not'),
    ("out = true", "out must be a non-empty string"),
    ('package = "class"', "package is not valid: package name 'class'"),
    (
        'package = "acme-flows"',
        "not a valid Python import name; did you mean acme_flows?",
    ),
    ('package = "flöws"', "not a valid Python import name; did you mean flows?"),
    (
        'package = "json"',
        "package is not valid: package name 'json' is a standard-library",
    ),
    (
        'package = "httpx"',
        "package is not valid: package name 'httpx' is an installed module",
    ),
    ('include_inactive = "true"', "include_inactive must be true or false"),
    ("include_inactive = 1", "include_inactive must be true or false"),
    ("target_org = 1", "target_org must be a non-empty string"),
    ('instance_url = ""', "instance_url must be a non-empty string"),
    ("client_id = []", "client_id must be a non-empty string"),
    ("username = 3", "username must be a non-empty string"),
    ("jwt_key_file = false", "jwt_key_file must be a non-empty string"),
    ("login_url = {host = 'test'}", "login_url must be a non-empty string"),
    ('api_version = "62"', "api_version is not valid: API version '62' is not like"),
    ('api_version = "v62.0"', "is not like"),
    ('api_version = "62.0.1"', "is not like"),
    ('api_version = "\uff16\uff12.0"', "is not like"),  # fullwidth digits
    ("api_version = 62.0", "api_version must be a non-empty string"),
    ('include = "Acme_*"', "include must be a list of non-empty strings"),
    ("include = [1]", "include must be a list of non-empty strings"),
    ('exclude = [""]', "exclude must be a list of non-empty strings"),
]


@pytest.mark.parametrize(("body", "message"), INVALID)
def test_every_setting_refuses_its_invalid_forms(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        config.load_table(write(tmp_path, body))
    text = str(caught.value)
    assert message in text
    assert text.startswith(f"{tmp_path / 'pyproject.toml'}: [tool.flowgen] ")


def test_the_invalid_forms_cover_every_setting() -> None:
    named = {key for key in config.SETTINGS for _, m in INVALID if m.startswith(key)}
    assert named == set(config.SETTINGS)


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        config.load_table(write(tmp_path, 'out = 1\ninclude_inactive = "yes"'))
    assert "out must be" in str(caught.value)
    assert "include_inactive must be" in str(caught.value)


def test_an_unknown_setting_is_named_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        config.load_table(write(tmp_path, 'snapshot = "s"\nsnapshoot = "x"'))
    text = str(caught.value)
    assert "unknown setting(s) in [tool.flowgen]: snapshoot " in text
    assert "known: snapshot, project, source" in text and "jwt_key_file" in text


@pytest.mark.parametrize("secret", ["access_token", "client_secret", "auth_url"])
def test_secrets_are_not_settings(tmp_path: Path, secret: str) -> None:
    with pytest.raises(ConfigError, match=f"unknown setting.*{secret}"):
        config.load_table(write(tmp_path, f'{secret} = "x"'))


def test_a_missing_file_or_table_is_no_settings(tmp_path: Path) -> None:
    assert config.load_table(tmp_path) == ({}, tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    assert config.load_table(tmp_path) == ({}, tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.flowgen\n", "not valid TOML"),
        ("[tool]\nflowgen = 1\n", "[tool.flowgen] must be a table"),
    ],
)
def test_a_broken_file_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        config.load_table(tmp_path)


def test_paths_are_relative_to_the_pyproject_directory(tmp_path: Path) -> None:
    write(tmp_path, 'snapshot = "data/snap"\nout = "src/pkg"\npackage = "pkg"')
    settings = resolve(tmp_path)
    assert settings.snapshot == tmp_path / "data" / "snap"
    assert settings.out == tmp_path / "src" / "pkg"
    write(tmp_path, 'project = "force"')
    assert resolve(tmp_path).project == tmp_path / "force"
    table, base = config.load_table(write(tmp_path, 'jwt_key_file = "k/server.key"'))
    assert config.setting_path(table, base, "jwt_key_file") == tmp_path / "k/server.key"
    assert config.setting_path(table, base, "snapshot") is None


def test_an_absolute_path_stays_as_it_is(tmp_path: Path) -> None:
    elsewhere = tmp_path.parent / "elsewhere"
    write(tmp_path, f"snapshot = {str(elsewhere)!r}")
    assert resolve(tmp_path).snapshot == elsewhere


def test_defaults(tmp_path: Path) -> None:
    settings = resolve(tmp_path)
    assert (settings.snapshot, settings.project) == (None, None)
    assert settings.package == "salesforce_flows"
    assert settings.out == tmp_path / "salesforce_flows"
    assert settings.include_inactive is False
    write(tmp_path, 'package = "acme"')
    assert resolve(tmp_path).out == tmp_path / "acme"  # out follows the package


def test_source_chooses_between_snapshot_and_project(tmp_path: Path) -> None:
    write(tmp_path, 'snapshot = "snap"\nproject = "proj"')
    with pytest.raises(ConfigError, match='sets both snapshot and project.*source = "'):
        resolve(tmp_path)
    write(tmp_path, 'snapshot = "snap"\nproject = "proj"\nsource = "project"')
    chosen = resolve(tmp_path)
    assert (chosen.snapshot, chosen.project) == (None, tmp_path / "proj")
    write(tmp_path, 'snapshot = "snap"\nproject = "proj"\nsource = "snapshot"')
    chosen = resolve(tmp_path)
    assert (chosen.snapshot, chosen.project) == (tmp_path / "snap", None)


def test_one_source_setting_needs_no_source(tmp_path: Path) -> None:
    write(tmp_path, 'project = "proj"')
    assert resolve(tmp_path).project == tmp_path / "proj"
    write(tmp_path, 'snapshot = "snap"')
    assert resolve(tmp_path).snapshot == tmp_path / "snap"
    write(tmp_path, 'project = "proj"\nsource = "project"')
    assert resolve(tmp_path).project == tmp_path / "proj"


def test_a_source_flag_overrides_source_and_both_paths(tmp_path: Path) -> None:
    write(tmp_path, 'snapshot = "snap"\nproject = "proj"\nsource = "project"')
    by_flag = resolve(tmp_path, snapshot="other")
    assert (by_flag.snapshot, by_flag.project) == (Path("other"), None)
    write(tmp_path, 'snapshot = "snap"\nproject = "proj"')  # no source: no error
    by_flag = resolve(tmp_path, project="p2")
    assert (by_flag.snapshot, by_flag.project) == (None, Path("p2"))
    with pytest.raises(ConfigError, match="not both"):
        resolve(tmp_path, snapshot="a", project="b")


def test_flags_override_settings(tmp_path: Path) -> None:
    write(
        tmp_path,
        'snapshot = "snap"\nout = "src/pkg"\npackage = "pkg"\ninclude_inactive = true',
    )
    settings = resolve(tmp_path, out="o/flows", package="flows", include_inactive=False)
    assert settings.out == Path("o/flows") and settings.package == "flows"
    assert settings.include_inactive is False
    assert resolve(tmp_path).include_inactive is True
    with pytest.raises(ConfigError, match="'class' is not a valid Python"):
        resolve(tmp_path, package="class")


def test_include_inactive_from_settings_or_flag(tmp_path: Path) -> None:
    write(tmp_path, "include_inactive = false")
    assert resolve(tmp_path).include_inactive is False
    assert resolve(tmp_path, include_inactive=True).include_inactive is True


def test_api_version_flag_is_checked_like_the_setting(tmp_path: Path) -> None:
    assert api_version_for({}, {}) == "62.0"
    assert api_version_for({"api_version": "61.0"}, {}) == "61.0"
    assert api_version_for({"api_version": "61.0"}, {"api_version": "63.0"}) == "63.0"
    with pytest.raises(ConfigError, match="'63' is not like \"62.0\""):
        api_version_for({"api_version": "61.0"}, {"api_version": "63"})


def test_include_inactive_setting_reaches_generate_and_its_cache(
    tmp_path: Path,
) -> None:
    flows = tmp_path / "force-app" / "main" / "default" / "flows"
    flows.mkdir(parents=True)
    (flows / "Draft_Ping.flow-meta.xml").write_text(
        '<Flow xmlns="http://soap.sforce.com/2006/04/metadata"><label>Ping</label>'
        "<processType>AutoLaunchedFlow</processType><status>Draft</status></Flow>"
    )
    module = tmp_path / "pings" / "flows" / "draft_ping.py"
    settings = 'project = "."\npackage = "pings"\nsource = "project"\n'
    write(tmp_path, settings)
    done = run_flowgen("generate", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "status is Draft" in done.stderr and not module.exists()

    write(tmp_path, settings + "include_inactive = true")
    done = run_flowgen("generate", cwd=tmp_path)
    assert done.returncode == 0 and "up to date" not in done.stderr, done.stderr
    assert module.is_file()
    assert run_flowgen("check", cwd=tmp_path).returncode == 0
    assert run_flowgen("check", "--no-include-inactive", cwd=tmp_path).returncode == 1

    write(tmp_path, settings + 'include_inactive = "yes"')
    bad = run_flowgen("generate", cwd=tmp_path)
    assert (
        bad.returncode == 2 and "include_inactive must be true or false" in bad.stderr
    )


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("my-flows", "my_flows"),
        ("Acme.Flows", "acme_flows"),
        ("acme flows!", "acme_flows"),
        ("flöws", "flows"),
        ("class", "class_"),
        ("3m-flows", "_3m_flows"),
        ("json-", "json_flows"),  # the plain suggestion would shadow json
        ("---", None),
    ],
)
def test_a_name_that_is_no_identifier_gets_a_suggestion(
    name: str, suggestion: str | None
) -> None:
    assert config.suggest_package(name) == suggestion
    with pytest.raises(ConfigError) as caught:
        config.check_package(name)
    hint = f"; did you mean {suggestion}?" if suggestion else ""
    assert str(caught.value) == (
        f"package name {name!r} is not a valid Python import name{hint}"
    )


@pytest.mark.parametrize("name", ["json", "email", "types", "site"])
def test_a_standard_library_name_is_refused(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.check_package(name)
    assert str(caught.value) == (
        f"package name {name!r} is a standard-library module: the generated package "
        f"would hide it, or be hidden by it; choose another name, like {name}_flows"
    )


def test_an_installed_module_is_refused_with_where_it_is() -> None:
    with pytest.raises(ConfigError) as caught:
        config.check_package("httpx")  # flowgen's own dependency: always installed
    message = str(caught.value)
    assert message.startswith("package name 'httpx' is an installed module (")
    assert "site-packages" in message and message.endswith("like httpx_flows")


def test_the_package_being_generated_is_no_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Generated before and importable from the working directory: not installed.
    (tmp_path / "work" / "acme_flows").mkdir(parents=True)
    (tmp_path / "work" / "acme_flows" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "work"))
    assert config.check_package("acme_flows") == "acme_flows"
    # Installed with the user's project (pip install .): a package flowgen
    # generated is no conflict; anything else by that name is.
    site = tmp_path / "site-packages"
    (site / "acme_flows").mkdir(parents=True)
    (site / "acme_flows" / "__init__.py").write_bytes(
        b"# Generated by flowgen from Salesforce flow metadata. DO NOT EDIT.\n"
    )
    (site / "other_flows").mkdir()
    (site / "other_flows" / "__init__.py").write_text('"""Hand-written."""\n')
    (site / "single.py").write_text("")
    monkeypatch.setattr(config, "_site_directories", lambda: [str(site)])
    assert config.check_package("acme_flows") == "acme_flows"
    for taken, where in [
        ("other_flows", site / "other_flows"),
        ("single", site / "single.py"),
    ]:
        with pytest.raises(ConfigError, match="is an installed module") as caught:
            config.check_package(taken)
        assert f"({where})" in str(caught.value)


def test_a_bad_package_flag_exits_2_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.flowgen]\nsnapshot = "s"\n')
    dashed = run_flowgen("generate", "--package", "my-flows", cwd=tmp_path)
    assert (dashed.returncode, dashed.stderr) == (
        2,
        "flowgen: error: package name 'my-flows' is not a valid Python import "
        "name; did you mean my_flows?\n",
    )
    shadowing = run_flowgen("generate", "--package", "json", cwd=tmp_path)
    assert (shadowing.returncode, shadowing.stderr) == (
        2,
        "flowgen: error: package name 'json' is a standard-library module: the "
        "generated package would hide it, or be hidden by it; choose another "
        "name, like json_flows\n",
    )
    (tmp_path / "fresh").mkdir()
    initialised = run_flowgen("init", "--package", "json", cwd=tmp_path / "fresh")
    assert initialised.returncode == 2 and "standard-library" in initialised.stderr

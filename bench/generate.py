"""Benchmark: wall time of ``flowgen generate`` on a large synthetic snapshot.

What is measured, each but io as the wall time of a whole process
(``time.perf_counter`` around ``subprocess.run``), so interpreter start-up and
imports count:

* baseline -- ``python -c pass``: the fixed cost of starting an interpreter,
  which no generator can beat; shown so the other figures can be read against it.
* cold     -- ``python -m flowgen generate ... -q`` into an output directory
  that does not exist yet (a fresh one for every repetition).
* warm     -- the same command again on the output of the last cold run, with
  nothing changed; every file's ``st_mtime_ns`` and ``st_ino`` are compared
  before and after, since a no-op run must not rewrite anything.
* io       -- writing the generated package's bytes (same files, same sizes)
  into a fresh directory from this script, no flowgen: the disk's share of a
  cold run. Disk speed on shared machines drifts by a factor of ten within
  minutes, so read the cold figure against this one from the same run.
* openapi-python-client -- the peer: ``openapi-python-client generate --path
  openapi.json --meta none --output-path <fresh dir> --fail-on-warning`` on
  the OpenAPI document that says what the snapshot says (``bench/openapi_peer.py``:
  one ``POST .../actions/custom/flow/<Flow>`` a flow, an Input and an Output
  schema a flow, shared schemas for sObject records and Apex types). The
  whole process as a user runs it by default, so its post hooks count: ``ruff
  check --fix-only --extend-select=I`` and ``ruff format`` over its output
  (about a third of its time). ``--meta none`` because flowgen too writes a
  bare package, no project around it (the default, poetry, puts the same
  package in a project with a pyproject.toml, a README and a .gitignore, and
  has ruff lay it out at 120 columns rather than 88);
  ``--fail-on-warning`` changes only the exit status, so that a schema it
  skipped, or a post hook it skipped for want of ``ruff`` on ``PATH``, fails
  the benchmark. It runs in a venv of its own (``--peer-venv``), made on first
  use with the pinned version; its install is not timed, and compiles its
  bytecode, so it needs no untimed first run as flowgen does. It is slow, so it
  gets ``--peer-repeat`` runs (default 3) rather than ``--repeat``; 0 skips it,
  and so does a failed install (no network), with a message.

The snapshot is synthesised (deterministically, seeded) in a scratch
directory (``--workdir``, default the system's temporary directory) that is
deleted afterwards. It holds N AutoLaunchedFlows with 10 inputs and 5
outputs each, cycling through every describe type (scalars, collections,
picklists, sObjects, Apex-defined types). One untimed run first makes sure the
bytecode caches of flowgen and its dependencies exist, so "cold" means a cold
*output*, not a cold ``__pycache__``.

Targets, for 1,000 flows on a 2-core machine, judged on the medians: cold
<= 0.075 x openapi-python-client's time from the same run (a ratio, so that
the machine's speed of the moment cancels out), warm <= 0.3 s. The exit
status is 0 whether or not a target is met; it is 1 only when a generator
fails or its output is wrong.

Run from the repository root with flowgen installed (about two minutes, most
of it openapi-python-client; its first install adds a quarter of a minute)::

    .venv/bin/python bench/generate.py [--flows 1000] [--repeat 5] [--peer-repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# bench/ is first on sys.path when a script in it runs (pull.py loads this one).
from openapi_peer import PEER, PEER_VERSION, openapi_document, peer_env, peer_venv

PACKAGE = "bench_flows"
TARGET_RATIO = 0.075  # flowgen cold / openapi-python-client, same run
TARGET_WARM_S = 0.3
TARGET_FLOWS = 1000
SEED = 20240601

# (describe type, word used in names/labels); SOBJECT and Apex are special-cased.
TYPES: list[tuple[str, str]] = [
    ("STRING", "Reference"),
    ("ID", "Record Id"),
    ("TEXTAREA", "Notes"),
    ("EMAIL", "Contact Email"),
    ("PICKLIST", "Priority"),
    ("MULTIPICKLIST", "Regions"),
    ("BOOLEAN", "Dry Run"),
    ("INTEGER", "Retry Count"),
    ("LONG", "Sequence Number"),
    ("DOUBLE", "Weight"),
    ("PERCENT", "Discount"),
    ("CURRENCY", "Amount"),
    ("DECIMAL", "Tax Rate"),
    ("DATE", "Due Date"),
    ("DATETIME", "Scheduled At"),
    ("TIME", "Preferred Time"),
    ("SOBJECT", "Record"),
    ("APEX", "Quote"),
]
SOBJECTS = ["Account", "Contact", "Case", "Invoice__c"]
APEX_CLASSES = ["Shipping$Quote", "Shipping$Parcel", "Billing$LineItem"]
VERBS = ["Update", "Create", "Sync", "Close", "Escalate", "Recalculate", "Notify"]
PICKLIST = ["Low", "Medium", "High", "Critical"]
SENTENCES = [
    "Set by the calling integration before the flow starts.",
    "Leave empty to let the flow fall back to the org-wide default.",
    "Validated against the active business rules; invalid values fail the interview.",
    "Returned unchanged when the flow decides there is nothing to do.",
    "Used by downstream reporting, so keep it consistent across calls.",
]


def _camel(words: str) -> str:
    parts = words.replace("_", " ").split()
    return parts[0].lower() + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _param(rng: random.Random, slot: int, offset: int, sobject: str) -> dict[str, Any]:
    type_name, word = TYPES[(slot + offset) % len(TYPES)]
    apex_class: str | None = None
    sobject_type: str | None = None
    if type_name == "SOBJECT":
        sobject_type = sobject
        word = f"{sobject.removesuffix('__c')} {word}"
    elif type_name == "APEX":
        apex_class = rng.choice(APEX_CLASSES)
        word = apex_class.split("$")[1]
    label = f"{word} {slot + 1}"
    picklist = None
    if type_name in ("PICKLIST", "MULTIPICKLIST"):
        picklist = [
            {
                "active": True,
                "defaultValue": i == 0,
                "label": v,
                "validFor": None,
                "value": v,
            }
            for i, v in enumerate(PICKLIST)
        ]
    return {
        "apexClass": apex_class,
        "byteLength": 0,
        "description": f"The {label.lower()} for this run. " + rng.choice(SENTENCES),
        "label": label,
        "maxOccurs": 2000 if rng.random() < 0.25 else 1,
        "name": _camel(label),
        "picklistValues": picklist,
        "required": rng.random() < 0.3,
        "sobjectType": sobject_type,
        "type": None if apex_class else type_name,
    }


# Field types of the synthetic sObject describes, cycled through.
FIELD_TYPES = (
    "id string textarea picklist multipicklist email phone url boolean int "
    "double percent currency date datetime time reference address"
).split()


def _sobject(name: str, fields: int) -> dict[str, Any]:
    """A trimmed sObject describe of ``fields`` fields, as ``flowgen pull`` keeps it."""
    described = []
    for n in range(fields):
        kind = FIELD_TYPES[n % len(FIELD_TYPES)]
        field_name = "Id" if n == 0 else f"Field_{n:03d}_{kind.title()}__c"
        described.append(
            {
                "label": f"Field {n} ({kind})",
                "length": 255 if kind in ("string", "picklist") else 0,
                "name": field_name,
                "nillable": n % 5 != 0,
                "picklistValues": PICKLIST if kind.endswith("picklist") else [],
                "precision": 18 if kind in ("double", "currency", "percent") else 0,
                "referenceTo": ["Account"] if kind == "reference" else [],
                "relationshipName": (
                    field_name.replace("__c", "__r") if kind == "reference" else None
                ),
                "scale": 2 if kind in ("currency", "percent") else 0,
                "type": "id" if n == 0 else kind,
            }
        )
    described.sort(key=lambda field: field["name"])
    return {"fields": described, "label": name.replace("_", " "), "name": name}


def write_snapshot(root: Path, flows: int, objects: int = 0, fields: int = 400) -> None:
    """A format-1 snapshot of ``flows`` synthetic AutoLaunchedFlows under
    ``root``; with ``objects``, their records are of that many custom objects
    of ``fields`` fields each, whose describes the snapshot holds."""
    rng = random.Random(SEED)
    (root / "flows").mkdir(parents=True)
    sobjects = [f"Object_{i:02d}__c" for i in range(objects)] or SOBJECTS
    if objects:
        (root / "sobjects").mkdir()
        for name in sobjects:
            text = json.dumps(_sobject(name, fields), indent=2, sort_keys=True)
            (root / "sobjects" / f"{name}.json").write_text(text + "\n", "utf-8")
    manifest: dict[str, Any] = {"format": 1, "api_version": "62.0", "flows": {}}
    for index in range(1, flows + 1):
        verb, sobject = VERBS[index % len(VERBS)], sobjects[index % len(sobjects)]
        name = f"Flow_{index:04d}_{verb}_{sobject.removesuffix('__c')}"
        label = f"{verb} {sobject.removesuffix('__c')} #{index}"
        describe = {
            "category": None,
            "description": f"{verb}s the given {sobject} and related records. "
            + rng.choice(SENTENCES),
            "durableId": None,
            "iconName": "slds:standard:flow",
            "iconUrl": None,
            "inputs": [_param(rng, slot, index, sobject) for slot in range(10)],
            "label": label,
            "name": name,
            "outputs": [_param(rng, slot, index, sobject) for slot in range(10, 15)],
            "standardData": None,
            "targetEntityName": None,
            "type": "FLOW",
        }
        text = json.dumps(describe, indent=2, sort_keys=True) + "\n"
        (root / "flows" / f"{name}.json").write_text(text, encoding="utf-8")
        manifest["flows"][name] = {"process_type": "AutoLaunchedFlow"}
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (root / "flowgen-snapshot.json").write_text(text, encoding="utf-8")


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Wall seconds of ``command``; exits 1 with its output if it fails."""
    _settle()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(
            f"FAILED (exit {result.returncode}): {' '.join(command)}\n"
            f"{result.stdout}{result.stderr}"
        )
    return elapsed


def generated_files(out: Path) -> dict[str, Path]:
    return {
        p.relative_to(out).as_posix(): p
        for p in sorted(out.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def check_output(out: Path, flows: int) -> None:
    modules = [p for p in (out / "flows").glob("*.py") if p.name != "__init__.py"]
    if len(modules) != flows:
        sys.exit(f"FAILED: {out}/flows holds {len(modules)} modules, expected {flows}")


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {
        rel: (p.stat().st_mtime_ns, p.stat().st_ino)
        for rel, p in generated_files(out).items()
    }


def verdict(value: float, target: float, unit: str = " s") -> str:
    if value <= target:
        return "meets"
    return f"misses by {value - target:.3f}{unit} ({value / target:.1f}x)"


def _settle() -> None:
    # Flush what earlier steps wrote or deleted, so that their write-back (and
    # on file systems mounted with ``discard``, their deletions' TRIMs) is not
    # billed to the next timed step.
    if hasattr(os, "sync"):
        os.sync()


def write_copy(files: dict[str, Path], target: Path) -> float:
    """Seconds to write the same files' bytes under ``target`` (the I/O floor)."""
    contents = {rel: path.read_bytes() for rel, path in files.items()}
    _settle()
    start = time.perf_counter()
    for rel, data in contents.items():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return time.perf_counter() - start


def time_peer(
    bin_dir: Path, document: Path, work: Path, runs: int, flows: int
) -> tuple[list[float], Path]:
    """Wall seconds of ``runs`` openapi-python-client runs on ``document``,
    each into a fresh directory, and the last one's output; exits 1 if a
    run fails or its package lacks an endpoint module per flow."""
    env = peer_env(bin_dir)
    times: list[float] = []
    out = work / "peer-0"
    for i in range(runs):
        out = work / f"peer-{i}"
        command = [
            str(bin_dir / PEER),
            "generate",
            "--path",
            str(document),
            "--meta",
            "none",
            "--output-path",
            str(out),
            "--fail-on-warning",
        ]
        times.append(timed(command, work, env=env))
        modules = [
            p for p in (out / "api" / "flows").glob("*.py") if p.stem != "__init__"
        ]
        if not (out / "client.py").is_file() or len(modules) != flows:
            sys.exit(
                f"FAILED: {out} holds {len(modules)} flow modules, expected {flows}"
            )
    return times, out


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=1000, help="flows in the snapshot")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each kind")
    parser.add_argument(
        "--peer-repeat",
        type=int,
        default=3,
        help=f"timed {PEER} runs (default 3; 0 skips the peer)",
    )
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser.add_argument(
        "--peer-venv",
        type=Path,
        default=cache / "flowgen-bench",
        help=f"where the {PEER} venv is made and kept (default: %(default)s)",
    )
    parser.add_argument(
        "--objects",
        type=int,
        default=0,
        help="custom objects the flows pass records of, described in the snapshot "
        "(default: none; the issue-6 figure uses 50)",
    )
    parser.add_argument(
        "--fields", type=int, default=400, help="fields per described object"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="where the scratch directory goes (default: the system temp directory)",
    )
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    n, repeat = args.flows, args.repeat

    # Before anything is timed: the install takes a while and may fail, and
    # then the peer's rows are skipped rather than the whole benchmark.
    peer_bin = peer_venv(args.peer_venv) if args.peer_repeat > 0 else None

    work = Path(tempfile.mkdtemp(prefix=".flowgen-bench-", dir=args.workdir))
    try:
        snap = work / "snapshot"
        write_snapshot(snap, n, args.objects, args.fields)

        def generate(out: Path) -> list[str]:
            return [
                sys.executable,
                "-m",
                "flowgen",
                "generate",
                "--snapshot",
                str(snap),
                "--out",
                str(out),
                "--package",
                PACKAGE,
                "-q",
            ]

        baseline = [timed([sys.executable, "-c", "pass"], work) for _ in range(repeat)]

        # Untimed: fills the bytecode caches, as installing flowgen would, even
        # where PYTHONDONTWRITEBYTECODE is set for this shell. With described
        # objects, first in an empty cache home: a machine's first run, when
        # datamodel-code-generator types every field.
        writing = {
            k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"
        }
        first: list[float] = []
        if args.objects:
            fresh = {**writing, "XDG_CACHE_HOME": str(work / "fresh-cache")}
            first.append(timed(generate(work / "first"), work, env=fresh))
        timed(generate(work / "prime"), work, env=writing)

        # Earlier outputs are deleted only at the end: a deletion's cost belongs
        # to no run.
        cold: list[float] = []
        out = work / "out-0"
        for i in range(repeat):
            out = work / f"out-{i}"
            assert not out.exists()
            cold.append(timed(generate(out), work))
            check_output(out, n)

        before = stamps(out)
        warm: list[float] = []
        for _ in range(repeat):
            warm.append(timed(generate(out), work))
            check_output(out, n)
        after = stamps(out)
        rewritten = sorted(
            rel
            for rel in before.keys() | after.keys()
            if before.get(rel) != after.get(rel)
        )

        files = generated_files(out)
        lines = sum(p.read_bytes().count(b"\n") for p in files.values())
        records = files["records.py"].read_bytes().count(b"\n")
        io = [write_copy(files, work / f"io-{i}") for i in range(repeat)]

        peer: list[float] = []
        peer_files: dict[str, Path] = {}
        peer_lines = 0
        if peer_bin is not None:
            document = work / "openapi.json"
            document.write_text(json.dumps(openapi_document(snap)), "utf-8")
            peer, peer_out = time_peer(peer_bin, document, work, args.peer_repeat, n)
            peer_files = {
                rel: p
                for rel, p in generated_files(peer_out).items()
                if p.suffix == ".py"
            }
            peer_lines = sum(p.read_bytes().count(b"\n") for p in peer_files.values())
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def row(label: str, times: list[float], target: float | None = None) -> str:
        med = statistics.median(times)
        text = f"{label:<21} median {med:7.3f} s   min {min(times):7.3f} s"
        if target is not None:
            text += f"   target <= {target:.2f} s: {verdict(med, target)}"
        return text

    print(
        f"flowgen generate benchmark: {n} flows, {repeat} runs each"
        + (f" ({len(peer)} of {PEER})" if peer else "")
        + f", {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}"
    )
    print(f"flowgen generated {len(files)} files, {lines} lines")
    if peer:
        print(
            f"{PEER} {PEER_VERSION} generated {len(peer_files)} .py files, "
            f"{peer_lines} lines (--meta none, ruff post hooks included)"
        )
    print(row("baseline", baseline))
    print(row("io", io))
    if args.objects:
        print(
            f"{args.objects} described objects of {args.fields} fields: records.py "
            f"has {records} lines"
        )
        print(row("first", first) + "   (a machine's first run: no caches)")
    print(row("flowgen cold", cold))
    print(row("flowgen warm", warm, TARGET_WARM_S))
    if peer:
        print(row(PEER, peer))
        ratio = statistics.median(cold) / statistics.median(peer)
        print(
            f"{'ratio cold / peer':<21} {ratio:9.4f}     flowgen cold / {PEER}, "
            f"target <= {TARGET_RATIO}: {verdict(ratio, TARGET_RATIO, unit='')}"
        )
    else:
        why = (
            "--peer-repeat 0" if args.peer_repeat <= 0 else "it could not be installed"
        )
        print(f"{PEER} not measured ({why}): the cold ratio target is not judged")
    print(
        f"warm runs rewrote {len(rewritten)} of {len(before)} files"
        + (": " + ", ".join(rewritten[:5]) if rewritten else " (none, as intended)")
    )
    if n != TARGET_FLOWS:
        print(
            f"note: the targets are defined for {TARGET_FLOWS} flows, this run used {n}"
        )
    if rewritten:
        print("FAILED: a run with nothing changed rewrote files", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

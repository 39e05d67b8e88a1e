"""Benchmark: what importing a generated package costs beyond ``import httpx``.

For a package of 100 and one of 1,000 flows (synthetic snapshots from
``bench/generate.py``'s ``write_snapshot``, generated with ``flowgen
generate`` into a scratch directory), each in fresh interpreters with the
bytecode already cached (one untimed run first writes it):

* in the child -- ``import time, httpx`` and then ``time.perf_counter()``
  around ``import bench_flows; bench_flows.<function>``: the package's own
  cost, with httpx (which any client pays for) already loaded;
* wall clock -- the same child's wall time against that of a child running
  only ``import time, httpx``; the two run alternately (which goes first
  alternates too); the median of each pair's difference is a second
  estimate that also counts what the first misses (e.g. unloading at exit),
  and the difference of the two minimums a third, less hit by other load.

Targets: <= 10 ms beyond httpx for each size, and <= 3 ms more for 1,000
flows than for 100 (importing one flow must not pay for the others); the
verdicts use the in-child medians. Then one ``-X importtime`` child per
size lists the modules the package loads beyond httpx (the stdlib ones by
name: e.g. asyncio loaded eagerly) and those over 1 ms cumulative.

The exit status is 0 whether or not a target is met; 1 only when generation
or a child fails.

Run from the repository root with flowgen installed::

    .venv/bin/python bench/imports.py [--runs 15]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PACKAGE = "bench_flows"
SIZES = (100, 1000)
TARGET_MS = 10.0
TARGET_GROWTH_MS = 3.0
HEAVY_MS = 1.0
BASE = "import time, httpx"


def _load_generate() -> Any:
    # bench/ is not a package: load generate.py by path for write_snapshot.
    spec = importlib.util.spec_from_file_location(
        "bench_generate", HERE / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env() -> dict[str, str]:
    # Bytecode must be written on the priming run and read afterwards, even
    # where this shell sets PYTHONDONTWRITEBYTECODE.
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, env=_env()
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"FAILED (exit {result.returncode}): python {' '.join(args)}\n"
            f"{result.stdout}{result.stderr}"
        )
    return result


def _build(generate: Any, work: Path, flows: int) -> tuple[Path, str]:
    """Generate a package of ``flows`` flows; its directory and one function name."""
    snapshot, where = work / f"snapshot-{flows}", work / f"pkg-{flows}"
    generate.write_snapshot(snapshot, flows)
    _run(
        ["-m", "flowgen", "generate", "--snapshot", str(snapshot)]
        + ["--out", str(where / PACKAGE), "--package", PACKAGE, "-q"],
        work,
    )
    # A flow module is named after its function; take the middle one.
    modules = sorted(
        p.stem for p in (where / PACKAGE / "flows").glob("*.py") if p.stem != "__init__"
    )
    if len(modules) != flows:
        raise RuntimeError(f"{where} holds {len(modules)} flow modules, not {flows}")
    return where, modules[len(modules) // 2]


def _child(function: str) -> str:
    return (
        f"{BASE}\nstart = time.perf_counter()\nimport {PACKAGE}\n"
        f"{PACKAGE}.{function}\nprint(time.perf_counter() - start)"
    )


def _timed(args: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = _run(args, cwd)
    return time.perf_counter() - start, result.stdout


def _measure(
    where: Path, function: str, runs: int
) -> tuple[list[float], list[float], list[float]]:
    """(in-child seconds, wall seconds of the child, wall of the httpx-only one)."""
    code = _child(function)
    _run(["-c", code], where)  # untimed: writes the bytecode
    inside: list[float] = []
    wall: list[float] = []
    base: list[float] = []
    for run in range(runs + 1):  # the first pair warms the disk cache
        order = [BASE, code] if run % 2 == 0 else [code, BASE]
        timed = {c: _timed(["-c", c], where) for c in order}
        if run == 0:
            continue
        wall.append(timed[code][0])
        base.append(timed[BASE][0])
        inside.append(float(timed[code][1]))
    return inside, wall, base


def _kind(name: str) -> str:
    top = name.split(".")[0]
    if top == PACKAGE:
        return "the package"
    return "stdlib" if top in sys.stdlib_module_names else "third-party"


def _loaded(where: Path, function: str) -> None:
    """Print what the package loads beyond httpx, and the modules over HEAVY_MS."""
    # The child lists what sys.modules gained: -X importtime logs only the
    # import statement's path, not importlib.import_module, which the
    # package's lazy __getattr__ uses, so its report alone would miss those.
    code = (
        f"{BASE}, sys\nbefore = set(sys.modules)\nimport {PACKAGE}\n"
        f"{PACKAGE}.{function}\nprint(*sorted(set(sys.modules) - before))"
    )
    result = _run(["-X", "importtime", "-c", code], where)
    cumulative: dict[str, int] = {}
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            _self, micros, name = line.removeprefix("import time:").split("|")
            cumulative[name.strip()] = int(micros)
    new = result.stdout.split()
    stdlib = [name for name in new if _kind(name) == "stdlib"]
    print(
        f"  loaded beyond httpx: {len(new)} modules; stdlib ones: "
        + (", ".join(stdlib) or "none")
    )
    heavy = sorted(
        (name for name in new if cumulative.get(name, 0) >= HEAVY_MS * 1000),
        key=lambda name: -cumulative[name],
    )
    print(f"  over {HEAVY_MS:.0f} ms cumulative (-X importtime):")
    for name in heavy:
        print(f"    {name:<40} {cumulative[name] / 1000:6.2f} ms  {_kind(name)}")
    untimed = [name for name in new if name not in cumulative]
    if untimed:
        print("  not in its report (imported via importlib): " + ", ".join(untimed))


def _verdict(value: float, target: float) -> str:
    return "meets" if value <= target else f"misses by {value - target:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=15, help="timed children of each kind (>= 7)"
    )
    args = parser.parse_args()
    if args.runs < 7:
        parser.error("--runs must be at least 7")
    generate = _load_generate()
    work = Path(tempfile.mkdtemp(prefix="flowgen-bench-imports-"))
    inside: dict[int, float] = {}
    wall: dict[int, float] = {}
    try:
        print(
            f"import cost beyond httpx: {args.runs} runs of each child, "
            f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}"
        )
        for flows in SIZES:
            where, function = _build(generate, work, flows)
            times, walls, bases = _measure(where, function, args.runs)
            inside[flows] = statistics.median(times) * 1000
            extra = [w - b for w, b in zip(walls, bases, strict=True)]
            wall[flows] = statistics.median(extra) * 1000
            print(f"{flows} flows: import {PACKAGE}; {PACKAGE}.{function}")
            print(
                f"  in the child  median {inside[flows]:6.2f} ms   "
                f"min {min(times) * 1000:6.2f} ms   "
                f"target <= {TARGET_MS:.0f} ms: {_verdict(inside[flows], TARGET_MS)}"
            )
            print(
                f"  wall clock    median {wall[flows]:6.2f} ms   "
                f"min - min {(min(walls) - min(bases)) * 1000:6.2f} ms   "
                f"(child {statistics.median(walls) * 1000:.1f} ms, "
                f"'{BASE}' alone {statistics.median(bases) * 1000:.1f} ms)"
            )
            _loaded(where, function)
        small, large = SIZES
        growth = inside[large] - inside[small]
        print(
            f"{large} - {small} flows: in the child {growth:+.2f} ms, "
            f"wall clock {wall[large] - wall[small]:+.2f} ms   "
            f"target <= {TARGET_GROWTH_MS:.0f} ms: {_verdict(growth, TARGET_GROWTH_MS)}"
        )
        print("(-X importtime inflates what it times; read those figures by rank)")
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: ``flowgen pull`` of a large org over a slow network.

A fake org (``flowgen.testing.FakeOrg``, real HTTP on 127.0.0.1) serves N
synthetic flows (the same ones ``bench/generate.py`` makes) and sleeps
``--latency`` seconds before answering each request, as a distant org would.
Measured, each as the wall time of a whole ``flowgen pull`` process with the
org's request count:

* baseline -- the one-request-per-flow way: sequential ``GET`` describes of
  a sample of flows, timed and scaled to N (sent from this process).
* first    -- a pull into an empty snapshot directory.
* again    -- a second pull after 3 flows changed in the org (one edited in
  place, one with a new describe, one added) and one was deleted.

Targets, for 1,000 flows and 50 ms per request: first pull <= ceil(N/25) + 5
requests and <= 3 s; second pull <= 4 requests. The exit status is 1 only
when a pull fails or its snapshot is wrong, not when a target is missed.

Run from the repository root with flowgen installed::

    .venv/bin/python bench/pull.py [--flows 1000] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from flowgen.testing import FakeOrg

TARGET_FIRST_S = 3.0
SAMPLE = 20  # flows described one by one for the baseline


def _synthetic_describes(flows: int) -> list[dict[str, Any]]:
    # Reuse bench/generate.py's synthetic org: same shapes, same seed.
    spec = importlib.util.spec_from_file_location(
        "bench_generate", Path(__file__).with_name("generate.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "snap"
        module.write_snapshot(root, flows)
        return [
            json.loads(path.read_text())
            for path in sorted((root / "flows").glob("*.json"))
        ]


def _pull(org: FakeOrg, snapshot: Path) -> tuple[float, int]:
    """Wall seconds of a `flowgen pull` process, and the requests it made."""
    env = {
        **os.environ,
        "SF_ACCESS_TOKEN": org.access_token,
    }
    before = org.request_count()
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "flowgen",
            "pull",
            "--snapshot",
            str(snapshot),
            "--instance-url",
            org.instance_url,
            "--quiet",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"FAILED: flowgen pull exited {done.returncode}\n{done.stderr}")
    return elapsed, org.request_count() - before


def _baseline(org: FakeOrg, names: list[str], flows: int) -> float:
    """Seconds the one-request-per-flow way would take for ``flows`` flows."""
    headers = {"Authorization": f"Bearer {org.access_token}"}
    with httpx.Client(base_url=org.instance_url, headers=headers, timeout=30) as http:
        start = time.perf_counter()
        for name in names[:SAMPLE]:
            http.get(
                f"/services/data/v62.0/actions/custom/flow/{name}"
            ).raise_for_status()
        per_flow = (time.perf_counter() - start) / min(SAMPLE, len(names))
    return per_flow * flows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds per request"
    )
    args = parser.parse_args()
    describes = _synthetic_describes(args.flows)
    names = [body["name"] for body in describes]

    org = FakeOrg()
    for body in describes:
        org.add_flow(body)
    with org, tempfile.TemporaryDirectory(prefix="flowgen-pull-") as scratch:
        org.latency = args.latency
        baseline = _baseline(org, names, args.flows)
        snapshot = Path(scratch) / "snapshot"
        first_s, first_n = _pull(org, snapshot)
        files = len(list((snapshot / "flows").glob("*.json")))
        if files != args.flows:
            sys.exit(
                f"FAILED: the first pull wrote {files} flow files, not {args.flows}"
            )

        org.touch_flow(names[0])
        changed = dict(describes[1], description="Edited by an admin.")
        org.add_flow(changed)
        org.add_flow(dict(describes[2], name="Brand_New_Flow", label="Brand New"))
        org.remove_flow(names[3])
        again_s, again_n = _pull(org, snapshot)
        manifest = json.loads((snapshot / "flowgen-snapshot.json").read_text())
        if "Brand_New_Flow" not in manifest["flows"] or names[3] in manifest["flows"]:
            sys.exit("FAILED: the second pull did not apply the org's changes")

    limit = math.ceil(args.flows / 25) + 5
    print(
        f"flowgen pull benchmark: {args.flows} flows, {args.latency * 1000:.0f} ms "
        f"per request, {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}"
    )
    print(f"baseline  one GET per flow (from {SAMPLE}, scaled)  {baseline:7.2f} s")
    print(
        f"first     {first_s:7.2f} s  {first_n:4d} requests   target <= {TARGET_FIRST_S} s: "
        f"{'meets' if first_s <= TARGET_FIRST_S else 'misses'}; <= {limit} requests: "
        f"{'meets' if first_n <= limit else 'misses'}"
    )
    print(
        f"again     {again_s:7.2f} s  {again_n:4d} requests   3 changed or new, 1 deleted; "
        f"target <= 4 requests: {'meets' if again_n <= 4 else 'misses'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

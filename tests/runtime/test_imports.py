"""Apps that only make synchronous calls never pay for importing asyncio."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

_REPORT = """
import json, sys
import httpx
by_httpx = "asyncio" in sys.modules
import flowgen.runtime, flowgen.runtime.bindings
report = {
    "by_httpx": by_httpx,
    "asyncio": "asyncio" in sys.modules,
    "async_client": "flowgen.runtime._async_client" in sys.modules,
}
# Asked for by name, the async client is there all the same.
report["lazy_class"] = flowgen.runtime.AsyncFlowClient.__name__
report["lazy_binding"] = flowgen.runtime.bindings.AsyncFlowClient.__name__
print(json.dumps(report))
"""


def _report() -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _REPORT],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_importing_the_runtime_does_not_import_asyncio() -> None:
    report = _report()
    assert report["async_client"] is False
    # httpx alone does not import asyncio (checked first, in the same process);
    # if a later httpx did, only the check above would still say anything.
    if report["by_httpx"] is False:
        assert report["asyncio"] is False


def test_the_async_client_is_imported_on_first_use() -> None:
    report = _report()
    assert report["lazy_class"] == "AsyncFlowClient"
    assert report["lazy_binding"] == "AsyncFlowClient"

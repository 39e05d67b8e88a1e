"""Describes in composite batches: 25 GETs to a request, several in flight.

Shared by every reading of an org that describes many things at once: flows,
the org's other invocable actions, sObject types. A subrequest that fails is
tried again in a later round; one the org says does not exist (404) is left
out; one that keeps failing stops the pull with its name and what the org said.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flowgen.errors import OrgError
from flowgen.sources.org.http import ATTEMPTS, OrgSession

BATCH_SIZE = 25  # the most subrequests a composite batch takes
BATCHES_IN_FLIGHT = 6

Progress = Callable[[int, int], None]  # (described so far, to describe)


async def describe_all(
    org: OrgSession,
    names: Sequence[str],
    *,
    url_of: Callable[[str], str],
    noun: str,
    progress: Progress | None = None,
    batches_in_flight: int = BATCHES_IN_FLIGHT,
    on_arrival: Callable[[str, Mapping[str, Any]], None] | None = None,
) -> dict[str, Any]:
    described: dict[str, Any] = {}
    failures: dict[str, str] = {}
    pending = list(names)
    gate = asyncio.Semaphore(max(1, batches_in_flight))
    completed = 0

    async def one_batch(batch: Sequence[str]) -> None:
        nonlocal completed
        async with gate:
            results = await _batch(org, [url_of(name) for name in batch])
        done = 0
        for name, (status, result) in zip(batch, results, strict=True):
            if status == 200 and isinstance(result, Mapping):
                described[name] = result
                if on_arrival is not None:
                    on_arrival(name, result)
                failures.pop(name, None)
                done += 1
            elif status == 404:
                failures.pop(name, None)
                done += 1
            else:
                failures[name] = _subrequest_problem(status, result)
        completed += done
        if progress is not None and done:
            progress(completed, len(names))

    for _ in range(ATTEMPTS):
        batches = [
            pending[i : i + BATCH_SIZE] for i in range(0, len(pending), BATCH_SIZE)
        ]
        await asyncio.gather(*(one_batch(batch) for batch in batches))
        pending = sorted(failures)
        if not pending:
            return described
        if any("REQUEST_LIMIT_EXCEEDED" in problem for problem in failures.values()):
            break
        await asyncio.sleep(0.5)
    shown = "; ".join(f"{name}: {failures[name]}" for name in sorted(failures)[:10])
    more = f" (and {len(failures) - 10} more)" if len(failures) > 10 else ""
    raise OrgError(
        f"could not describe {len(failures)} {noun}(s): {shown}{more}; "
        "nothing was written"
    )


async def _batch(org: OrgSession, paths: Sequence[str]) -> list[tuple[int, Any]]:
    requests = [
        {"method": "GET", "url": f"v{org.api_version}/{path}"} for path in paths
    ]
    body = await org.post_read(
        org.data_path("composite/batch"),
        {"batchRequests": requests, "haltOnError": False},
    )
    results = body.get("results") if isinstance(body, Mapping) else None
    if not isinstance(results, list) or len(results) != len(paths):
        raise OrgError(
            "a composite batch answer does not hold one result per describe asked for"
        )
    answers: list[tuple[int, Any]] = []
    for item in results:
        status = item.get("statusCode") if isinstance(item, Mapping) else None
        result = item.get("result") if isinstance(item, Mapping) else None
        answers.append((status if isinstance(status, int) else 0, result))
    return answers


def _subrequest_problem(status: int, result: Any) -> str:
    error = result[0] if isinstance(result, list) and result else result
    if isinstance(error, Mapping) and error.get("errorCode"):
        return f"HTTP {status} {error.get('errorCode')}: {error.get('message', '')}"
    return f"HTTP {status}"

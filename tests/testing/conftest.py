"""Fixtures for the fake org's tests: a running org and clients for it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from flowgen.testing import FakeOrg

DATA = "/services/data/v62.0"
FLOWS = f"{DATA}/actions/custom/flow"
# Every call in these tests is bounded: a hung server fails a test quickly.
TIMEOUT = httpx.Timeout(5.0)


def flow(name: str, label: str | None = None) -> dict[str, object]:
    """A minimal describe body."""
    return {"name": name, "label": label or name.replace("_", " "), "inputs": []}


def http_client(org: FakeOrg, *, token: str | None = None) -> httpx.Client:
    """A client for ``org``; with its access token unless ``token`` says otherwise."""
    # verify=False skips loading the CA bundle; the fake org is plain HTTP.
    return httpx.Client(
        base_url=org.instance_url,
        headers={"Authorization": f"Bearer {token or org.access_token}"},
        timeout=TIMEOUT,
        verify=False,
    )


@pytest.fixture
def fake_org() -> Iterator[FakeOrg]:
    with FakeOrg() as running:
        yield running


@pytest.fixture
def api(fake_org: FakeOrg) -> Iterator[httpx.Client]:
    with http_client(fake_org) as client:
        yield client

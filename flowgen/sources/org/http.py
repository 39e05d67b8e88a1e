"""Careful reads from an org's REST API: timeouts, retries, one session refresh.

Only reads go through here (GETs, and composite batches of GETs), so a
request that may have reached the org is safe to send again: dropped
connections, timeouts, 5xx and 429 are retried with exponential backoff and
jitter. A host that does not resolve, a refused connection or a certificate
that does not verify stops at once, naming the host and the cause: no retry
would fare better. A 401 ``INVALID_SESSION_ID`` renews a refreshable
credential once; 403 ``REQUEST_LIMIT_EXCEEDED`` stops at once, since retrying
would only spend more of the org's daily allowance.
"""

from __future__ import annotations

import asyncio
import random
import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx

from flowgen.errors import AuthError, OrgError
from flowgen.sources.org.auth import AccessToken, Credential, Session
from flowgen.sources.org.network import network_problem

ATTEMPTS = 5
BACKOFF_BASE = 0.25  # seconds before the first retry; doubles each time
BACKOFF_CAP = 8.0
TIMEOUT = httpx.Timeout(60.0, connect=15.0)


class OrgSession:
    """An authenticated, retrying reader of one org; counts the requests it sends."""

    def __init__(
        self,
        credential: Credential,
        *,
        api_version: str,
        max_connections: int = 8,
        backoff_base: float = BACKOFF_BASE,
    ) -> None:
        self.credential = credential
        self.api_version = api_version
        self.requests = 0
        self._backoff_base = backoff_base
        self._session: Session | None = None
        self._refreshed = False
        self._lock = asyncio.Lock()
        # One TLS context for both clients: loading the CA bundle is slow.
        self._tls = httpx.create_ssl_context()
        self._login_http: httpx.Client | None = None  # made when a login needs it
        self._http = httpx.AsyncClient(
            timeout=TIMEOUT,
            limits=httpx.Limits(max_connections=max_connections),
            follow_redirects=False,
            verify=self._tls,
        )

    async def __aenter__(self) -> OrgSession:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._login_http is not None:
            self._login_http.close()

    def data_path(self, rest: str) -> str:
        """``/services/data/vXX.X/<rest>``."""
        return f"/services/data/v{self.api_version}/{rest.lstrip('/')}"

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """The decoded JSON body of ``GET path`` (a path under the instance URL)."""
        return await self._read("GET", path, params=params)

    async def post_read(self, path: str, body: Any) -> Any:
        """A POST that only reads (a composite batch of GETs): retried like a GET."""
        return await self._read("POST", path, json_body=body)

    async def _current(self) -> Session:
        async with self._lock:
            if self._session is None:
                self._session = await asyncio.to_thread(self._login)
            return self._session

    async def _renew(self, refused: Session) -> None:
        async with self._lock:
            if self._session is not refused:
                return  # another request renewed it meanwhile
            if not self.credential.refreshable or self._refreshed:
                raise AuthError(
                    f"the org refused the session from {self.credential.description} "
                    f"(INVALID_SESSION_ID). {self.credential.relogin_hint}"
                )
            self._refreshed = True
            self._session = await asyncio.to_thread(self._login)

    def _login(self) -> Session:
        if self._login_http is None:
            self._login_http = httpx.Client(timeout=TIMEOUT, verify=self._tls)
        return self.credential.login(self._login_http)

    async def _read(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Any:
        last = "no answer"
        attempt = 0
        while attempt < ATTEMPTS:
            session = await self._current()
            self.requests += 1
            try:
                response = await self._http.request(
                    method,
                    session.instance_url + path,
                    params=params,
                    json=json_body,
                    headers={
                        "Authorization": f"Bearer {session.access_token}",
                        "Accept": "application/json",
                    },
                )
            except httpx.TransportError as exc:
                problem = network_problem(
                    exc, session.instance_url, self._instance_url_source()
                )
                if problem.lasting:  # five tries would fail five times alike
                    raise OrgError(
                        f"cannot reach the org: {problem.text}; nothing was written"
                    ) from None
                last = problem.text
                attempt += 1
                await self._pause(attempt, None)
                continue
            try:
                body: Any = response.json()  # read once, errors included
                readable = True
            except ValueError:
                body, readable = None, False
            status = response.status_code
            code = _first_error(body).get("errorCode") if status >= 400 else None
            if status == 401 and code in (None, "INVALID_SESSION_ID"):
                await self._renew(session)  # raises when it cannot
                continue  # a refused session is not an attempt
            if status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
                raise OrgError(
                    "the org's API request limit is used up (REQUEST_LIMIT_EXCEEDED); "
                    "nothing was written. Try again once the org's 24-hour allowance "
                    "frees requests (Setup > Company Information shows its use)"
                )
            if status == 429 or status >= 500:
                last = f"HTTP {status}" + (f" {code}" if code else "")
                attempt += 1
                await self._pause(attempt, response.headers.get("Retry-After"))
                continue
            if status >= 400:
                raise OrgError(
                    f"{method} {path} failed: HTTP {status}"
                    + (f" {code}: {_error_message(body)}" if code else "")
                )
            if not readable:  # a 2xx cut short or garbled on the way: read again
                last = f"HTTP {status} with a body that is not JSON"
                attempt += 1
                await self._pause(attempt, None)
                continue
            return body
        host = urllib.parse.urlsplit(session.instance_url).netloc
        raise OrgError(
            f"{method} {path} at {host} failed {ATTEMPTS} times (last: {last}); "
            "nothing was written. The org or the network may be struggling: try "
            "again later"
        )

    def _instance_url_source(self) -> str:
        # Where the instance URL came from: the user, or the login's answer.
        if isinstance(self.credential, AccessToken):
            return (
                "the instance URL (--instance-url, instance_url in [tool.flowgen], "
                "or SF_INSTANCE_URL)"
            )
        return f"the instance URL that {self.credential.description} gave"

    async def _pause(self, attempt: int, retry_after: str | None) -> None:
        if attempt >= ATTEMPTS:
            return
        delay = min(BACKOFF_CAP, self._backoff_base * 2 ** (attempt - 1))
        delay *= random.uniform(0.5, 1.0)  # jitter: concurrent retries spread out
        if retry_after is not None:
            try:
                delay = min(BACKOFF_CAP, max(delay, float(retry_after)))
            except ValueError:
                pass
        await asyncio.sleep(delay)


def _error_message(body: Any) -> str:
    return str(_first_error(body).get("message") or "")


def _first_error(body: Any) -> dict[str, Any]:
    # Salesforce errors are a list of {"errorCode", "message"}; be lenient.
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return body[0]
    if isinstance(body, dict):
        return body
    return {}


async def query_records(
    org: OrgSession, path: str, soql: str
) -> list[Mapping[str, Any]]:
    """Every record a SOQL query at ``path`` (``.../query``, ``.../tooling/query``)
    answers, page after page; :class:`OrgError` for an answer that is not a
    query result, or a next page outside the API."""
    rows: list[Mapping[str, Any]] = []
    body = await org.get(path, params={"q": soql})
    while True:
        records = body.get("records") if isinstance(body, Mapping) else None
        if not isinstance(records, list):
            raise OrgError("the query's answer has no 'records' list")
        rows += [record for record in records if isinstance(record, Mapping)]
        next_url = body.get("nextRecordsUrl")
        if not isinstance(next_url, str) or body.get("done") is True:
            return rows
        if not next_url.startswith("/services/data/"):
            raise OrgError(
                f"the query's nextRecordsUrl {next_url!r} is not an API path"
            )
        body = await org.get(next_url)

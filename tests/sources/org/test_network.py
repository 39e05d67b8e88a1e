"""What a request that got no answer says: the host, the cause, whether to retry."""

from __future__ import annotations

import socket

import httpx

from flowgen.sources.org.network import network_problem


def _connect_error(cause: OSError) -> httpx.ConnectError:
    # The chain httpx raises: its error from httpcore's, from the socket's.
    try:
        try:
            raise cause
        except OSError as exc:
            raise httpx.ConnectError(str(exc)) from exc
    except httpx.ConnectError as error:
        return error


def test_a_temporary_dns_failure_is_worth_a_retry() -> None:
    temporary = socket.gaierror(socket.EAI_AGAIN, "Temporary failure")
    problem = network_problem(
        _connect_error(temporary), "https://acme.my.salesforce.com", "the URL"
    )
    assert not problem.lasting
    assert problem.text == (
        "could not resolve host acme.my.salesforce.com (a temporary DNS failure): "
        "check the network connection"
    )
    unknown = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    lasting = network_problem(
        _connect_error(unknown), "https://acme.my.salesforce.com", "the URL"
    )
    assert lasting.lasting and lasting.text == (
        "could not resolve host acme.my.salesforce.com (Name or service not "
        "known): check the URL"
    )


def test_a_dropped_connection_names_the_host() -> None:
    dropped = httpx.RemoteProtocolError("Server disconnected without a response")
    problem = network_problem(dropped, "https://acme.my.salesforce.com", "the URL")
    assert not problem.lasting
    assert problem.text == (
        "the connection to acme.my.salesforce.com broke off (RemoteProtocolError: "
        "Server disconnected without a response)"
    )


def test_a_connect_timeout_and_an_unreachable_network_are_worth_a_retry() -> None:
    url = "https://acme.my.salesforce.com"
    slow = network_problem(httpx.ConnectTimeout("timed out"), url, "the URL")
    assert slow == (
        "acme.my.salesforce.com:443 did not accept a connection in time: check the "
        "URL, and the network (a firewall or proxy?)",
        False,
    )
    unreachable = OSError(101, "Network is unreachable")
    assert network_problem(_connect_error(unreachable), url, "the URL") == (
        "cannot reach acme.my.salesforce.com:443 (Network is unreachable)",
        False,
    )

"""The HTTP layer: a quiet, keep-alive, stoppable server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import _wire

# How often serve_forever checks for shutdown; small so stop() is quick.
_POLL_SECONDS = 0.01


@dataclass(frozen=True)
class Request:
    """What the server hands to its responder."""

    method: str
    path: str
    header_pairs: list[tuple[str, str]]
    authorizations: list[str]  # every Authorization header sent, unredacted
    body: bytes
    query: str = ""  # the raw query string, without "?"
    content_type: str = ""


@dataclass(frozen=True)
class Reply:
    """What the responder answers: JSON, raw bytes, or (``drop``) nothing at all."""

    status: int = 200
    payload: object = None
    raw: bytes | None = None  # sent as is instead of the encoded payload
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False  # close the connection without a response


Responder = Callable[[Request], Reply]


class Server(ThreadingHTTPServer):
    """Serves a responder on an ephemeral port until ``stop``."""

    daemon_threads = True

    def __init__(self, responder: Responder) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.responder = responder
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name=f"flowgen-fake-org-{self.server_port}",
            daemon=True,
        )
        # Open keep-alive connections: their threads idle in readline() and
        # would keep answering after stop() unless their sockets are shut.
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, drop open connections, release the port."""
        self.shutdown()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with suppress(OSError):  # the client may have gone already
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()
        self._thread.join()

    def process_request(
        self,
        request: socket.socket | tuple[bytes, socket.socket],
        client_address: object,
    ) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(
        self, request: socket.socket | tuple[bytes, socket.socket]
    ) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up mid-request is routine in tests; socketserver
        # would print a traceback to stderr for it.
        pass


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 plus an exact Content-Length lets clients reuse connections.
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle on, the second waits
    # for the client's delayed ACK, costing ~40 ms per request.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        # Test output should hold test failures, not an access log.
        pass

    def _dispatch(self) -> None:
        server = self.server
        assert isinstance(server, Server)
        try:
            body = self._read_body()
        except ValueError:
            # Unknown framing: nothing after it on this connection can be trusted.
            self.close_connection = True
            self._send(
                400,
                _wire.encode(_wire.error(_wire.JSON_PARSER_ERROR, "Bad body framing")),
            )
            return
        target = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=target.path,
            header_pairs=list(self.headers.items()),
            authorizations=self.headers.get_all("Authorization") or [],
            body=body,
            query=target.query,
            content_type=self.headers.get("Content-Type", ""),
        )
        try:
            reply = server.responder(request)
            encoded = (
                reply.raw if reply.raw is not None else _wire.encode(reply.payload)
            )
        except Exception as exc:  # a bug in the org or a bad handler output
            reply, encoded = Reply(500), _wire.encode(_wire.unexpected(exc))
        if reply.drop:
            # Nothing written; handle() returns and the socket is closed.
            self.close_connection = True
            return
        self._send(reply.status, encoded, reply.headers)

    def _send(
        self, status: int, body: bytes, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.send_response(status)
        if not any(name.lower() == "content-type" for name, _ in headers):
            self.send_header("Content-Type", _wire.CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline(1024).split(b";", 1)[0].strip(), 16)
            if size == 0:
                break
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF closing each chunk
        while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
            pass  # trailer fields, unused
        return b"".join(chunks)

    # Every method goes through one router, which answers 404 for what the
    # org does not serve.
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

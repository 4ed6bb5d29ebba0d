"""A fault-injecting HTTP/1.1 proxy on 127.0.0.1, to put between an S3 client and the S3 server.

It forwards requests unchanged (the Host header too, so SigV4 signatures stay valid), one upstream
connection per request, and on a seeded random share of the requests injects one fault:

- `slowdown`: answer 503 SlowDown itself (the request never reaches the server);
- `delay`: hold the server's response back for a while before forwarding it;
- `reset`: reset the client connection (TCP RST), either before the request reaches the server or
  after the server has handled it (the client never learns that its write succeeded);
- `truncate`: forward the response head with its Content-Length but cut the body short (or the
  head itself when there is no body) and close the connection.

Bounded and stoppable: at most `max_connections` client connections are served at a time, every
socket has a timeout, delays are interrupted by `stop()`, and `stop()` closes every socket and
joins every thread. `stats` counts requests and faults; `force()` scripts the faults of the next
requests, for deterministic tests; `enabled = False` stops the random faults.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
from collections import Counter, deque
from collections.abc import Mapping
from types import TracebackType

FAULTS = ("slowdown", "delay", "reset", "truncate")
DEFAULT_RATES: Mapping[str, float] = {fault: 0.05 for fault in FAULTS}  # 20% of requests in all
SLOWDOWN_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate (injected by the fault proxy).</Message></Error>"
)
_MAX_HEAD = 64 * 1024
_CHUNK = 64 * 1024


class _Closed(Exception):
    """The peer closed the connection or the head was malformed: stop serving this connection."""


class _Stream:
    """Buffered reads from a socket: heads up to a blank line, exact byte counts, lines."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()

    def _fill(self) -> bool:
        data = self.sock.recv(_CHUNK)
        if not data:
            return False
        self.buffer += data
        return True

    def head(self) -> bytes | None:
        """Bytes up to and including the blank line; None at a clean end of stream."""
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self.buffer[: end + 4])
                del self.buffer[: end + 4]
                return head
            if len(self.buffer) > _MAX_HEAD:
                raise _Closed("head too large")
            if not self._fill():
                if self.buffer:
                    raise _Closed("connection closed inside a head")
                return None

    def line(self) -> bytes:
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buffer[: end + 2])
                del self.buffer[: end + 2]
                return line
            if not self._fill():
                raise _Closed("connection closed inside a line")

    def chunks(self, count: int | None) -> _Iter:
        """`count` bytes (None: until the peer closes) as an iterator of pieces."""
        return _Iter(self, count)


class _Iter:
    def __init__(self, stream: _Stream, count: int | None) -> None:
        self.stream = stream
        self.remaining = count

    def __iter__(self) -> _Iter:
        return self

    def __next__(self) -> bytes:
        if self.remaining == 0:
            raise StopIteration
        if not self.stream.buffer and not self.stream._fill():
            if self.remaining is None:
                raise StopIteration
            raise _Closed("connection closed inside a body")
        take = len(self.stream.buffer) if self.remaining is None else min(self.remaining, len(self.stream.buffer))
        piece = bytes(self.stream.buffer[:take])
        del self.stream.buffer[:take]
        if self.remaining is not None:
            self.remaining -= take
        return piece


def _parse_head(head: bytes) -> tuple[str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return lines[0], headers


def _without_header(head: bytes, name: str) -> bytes:
    lines = head.split(b"\r\n")
    kept = [line for line in lines if not line.lower().startswith(name.encode() + b":")]
    return b"\r\n".join(kept)


def _chunked_body(stream: _Stream) -> list[bytes]:
    """The raw bytes of a chunked body (framing included), read to its end."""
    raw: list[bytes] = []
    while True:
        line = stream.line()
        raw.append(line)
        size = int(line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while True:  # trailers up to the blank line
                trailer = stream.line()
                raw.append(trailer)
                if trailer == b"\r\n":
                    return raw
        raw.extend(stream.chunks(size + 2))


class FaultProxy:
    """Proxy on 127.0.0.1 to `upstream` (host, port) injecting faults; use as a context manager."""

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        seed: int,
        rates: Mapping[str, float] | None = None,
        delay: tuple[float, float] = (0.2, 1.5),
        max_connections: int = 32,
        io_timeout: float = 30.0,
    ) -> None:
        self.upstream = upstream
        self.rates = dict(DEFAULT_RATES if rates is None else rates)
        unknown = set(self.rates) - set(FAULTS)
        if unknown or sum(self.rates.values()) > 1:
            raise ValueError(f"rates must be for {FAULTS} and add up to at most 1: {self.rates}")
        self.delay = delay
        self.io_timeout = io_timeout
        self.enabled = True
        self.stats: Counter[str] = Counter()
        self._forced: deque[str | None] = deque()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._acceptor = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def faults_injected(self) -> int:
        with self._lock:
            return sum(self.stats[f] for f in FAULTS)

    def force(self, *faults: str | None) -> None:
        """Give the next requests these faults (None: no fault), before the random ones resume."""
        unknown = {f for f in faults if f is not None} - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {unknown}")
        with self._lock:
            self._forced.extend(faults)

    def start(self) -> FaultProxy:
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._acceptor.join(timeout=5)
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
        for thread in threads:
            thread.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # --- serving ------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            while not self._slots.acquire(timeout=0.2):  # bounded: wait for a free slot
                if self._stopping.is_set():
                    client.close()
                    return
            thread = threading.Thread(target=self._serve, args=(client,), name="fault-proxy-conn", daemon=True)
            with self._lock:
                self._threads.add(thread)
            thread.start()

    def _track(self, sock: socket.socket) -> socket.socket:
        sock.settimeout(self.io_timeout)
        with self._lock:
            self._sockets.add(sock)
        return sock

    def _release(self, sock: socket.socket, *, reset: bool = False) -> None:
        if reset:  # SO_LINGER 0: close sends RST instead of FIN
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            sock.close()
        with self._lock:
            self._sockets.discard(sock)

    def _choose(self) -> tuple[str | None, float, bool]:
        """The fault for the next request (or None), a delay/cut fraction, and reset-after-forwarding."""
        with self._lock:
            self.stats["requests"] += 1
            draw, fraction, after = self._random.random(), self._random.random(), self._random.random() < 0.5
            if self._forced:
                forced = self._forced.popleft()
                if forced is not None:
                    self.stats[forced] += 1
                return forced, fraction, after
            if not self.enabled:
                return None, fraction, after
            threshold = 0.0
            for fault in FAULTS:
                threshold += self.rates.get(fault, 0.0)
                if draw < threshold:
                    self.stats[fault] += 1
                    return fault, fraction, after
            return None, fraction, after

    def _serve(self, client: socket.socket) -> None:
        self._track(client)
        outcome = "close"
        try:
            stream = _Stream(client)
            while not self._stopping.is_set():
                head = stream.head()
                if head is None:
                    return
                outcome = self._exchange(client, stream, head)
                if outcome != "keep":
                    return
        except (_Closed, OSError, ValueError):
            return
        finally:
            self._release(client, reset=outcome == "reset")
            with self._lock:
                self._threads.discard(threading.current_thread())
            self._slots.release()

    def _exchange(self, client: socket.socket, stream: _Stream, head: bytes) -> str:
        """Serve one request: "keep" the client connection, "close" it, or "reset" it."""
        request_line, headers = _parse_head(head)
        method = request_line.split(" ", 1)[0].upper()
        length = int(headers.get("content-length", "0") or 0)
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        expects = headers.get("expect", "").lower() == "100-continue"
        fault, fraction, reset_after = self._choose()

        if fault == "slowdown":
            if not expects and not chunked:
                for _ in stream.chunks(length):
                    pass
            client.sendall(
                b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
                + f"Content-Length: {len(SLOWDOWN_BODY)}\r\n".encode()
                + b"Connection: close\r\n\r\n"
                + SLOWDOWN_BODY
            )
            return "close"
        if fault == "reset" and not reset_after:
            return "reset"

        upstream = self._track(socket.create_connection(self.upstream, timeout=self.io_timeout))
        try:
            if expects:
                head = _without_header(head, "expect")
                client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            upstream.sendall(head)
            request_body = _chunked_body(stream) if chunked else stream.chunks(length)
            for piece in request_body:
                upstream.sendall(piece)

            reply = _Stream(upstream)
            response_head = reply.head()
            while response_head is not None and response_head.startswith(b"HTTP/1.1 1"):
                response_head = reply.head()  # an interim 1xx: the client did not ask for it
            if response_head is None:
                raise _Closed("the server closed the connection without answering")
            status_line, response_headers = _parse_head(response_head)
            status = int(status_line.split(" ")[1])
            body: list[bytes] | _Iter
            if method == "HEAD" or status in (204, 304):
                body, body_length, framed = [], 0, True
            elif "chunked" in response_headers.get("transfer-encoding", "").lower():
                body, body_length, framed = _chunked_body(reply), None, True
            elif "content-length" in response_headers:
                body_length = int(response_headers["content-length"])
                body, framed = reply.chunks(body_length), True
            else:
                body, body_length, framed = reply.chunks(None), None, False

            if fault == "reset":  # the server has handled it; the client never hears back
                for _ in body:
                    pass
                return "reset"
            if fault == "delay":
                self._stopping.wait(self.delay[0] + fraction * (self.delay[1] - self.delay[0]))
            if fault == "truncate":
                self._truncate(client, response_head, body, body_length, fraction)
                return "close"
            client.sendall(response_head)
            for piece in body:
                client.sendall(piece)
            closing = "close" in (headers.get("connection", "") + response_headers.get("connection", "")).lower()
            return "keep" if framed and not closing else "close"
        finally:
            self._release(upstream)

    @staticmethod
    def _truncate(
        client: socket.socket, head: bytes, body: list[bytes] | _Iter, length: int | None, fraction: float
    ) -> None:
        """Send the head and part of the body (streamed, never all of it), or part of the head."""
        if length == 0:
            client.sendall(head[: max(1, int(len(head) * fraction))])
            return
        client.sendall(head)
        cut = int(length * fraction) if length is not None else None
        sent = 0
        for piece in body:
            if cut is None:  # unknown length: a part of the first piece
                client.sendall(piece[: int(len(piece) * fraction)])
                return
            take = min(len(piece), cut - sent)
            if take <= 0:
                return
            client.sendall(piece[:take])
            sent += take

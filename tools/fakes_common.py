"""Shared plumbing for the local API fakes (fake_amocrm.py, fake_telegram.py).

Both fakes are test doubles for LeadLedger's end-to-end and chaos tests. They share:
  * the CLI conventions (`--host`, `--port 0`, `--port-file`, one `listening on HOST:PORT` line on stdout);
  * an HTTP/1.1 keep-alive server whose handler can also *misbehave* on purpose: drop the connection with a
    TCP RST, or hang without answering;
  * the fault-mode switch and the bounded request log behind the `/_fake/*` control API.

A fake is a `FakeApp` subclass: it turns a `Request` into a `Reply`, or into `None` meaning "close the connection
without answering". All app state is guarded by one lock (`FakeApp.cond`, a re-entrant condition).
Standard library only, so CI needs nothing extra.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

CONTROL_PREFIX = "/_fake/"
REQUEST_LOG_CAP = 10_000
HANG_CAP_S = 600.0
IDLE_KEEPALIVE_TIMEOUT_S = 300.0
LINGER_ZERO = struct.pack("ii", 1, 0)


@dataclass
class Request:
    """One parsed HTTP request, independent of the socket it came from."""

    method: str
    target: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes

    def query_value(self, name: str) -> Optional[str]:
        """First value of a query parameter, or None."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Reply:
    """A response to send; a 204 gets no body and no Content-Length, as RFC 9110 requires."""

    status: int
    body: bytes = b""
    content_type: Optional[str] = None
    headers: dict[str, str] = field(default_factory=dict)


# None: close the connection without sending anything (what a crashed proxy or a lost reply looks like).
Outcome = Optional[Reply]


class BadRequest(Exception):
    """Raised by request parsing helpers; each fake renders it in its own error format."""


def json_reply(status: int, payload: Any, content_type: str = "application/json", **headers: str) -> Reply:
    """Serialise payload as UTF-8 JSON (non-ASCII kept readable, as the real APIs do)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Reply(status, body, content_type, dict(headers))


def nginx_page(status: int, reason: str) -> Reply:
    """The HTML error page nginx serves in front of both real APIs, so clients must cope with non-JSON errors."""
    title = f"{status} {reason}"
    html = (
        f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center>"
        "<hr><center>nginx</center></body></html>"
    )
    return Reply(status, html.encode("ascii"), "text/html")


def parse_json_body(request: Request) -> Any:
    """Decode the body as JSON, raising BadRequest with a readable reason."""
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest(f"body is not valid JSON: {error}") from None


def whole_seconds(value: float) -> int:
    """Retry-After style delays are whole seconds; round up so a client never retries early."""
    return math.ceil(value)


def now_ms() -> int:
    """Wall-clock milliseconds, the unit the state snapshots use so tests can compare with their own clock."""
    return int(time.time() * 1000)


@dataclass
class Fault:
    """The fault chosen for one request; `label` is what the request log shows (e.g. "mix:500")."""

    name: str
    params: dict[str, Any]
    label: str


class FaultModes:
    """The current fault mode, with an optional expiry, and a way to hang until it changes.

    Every `set` bumps a generation counter and wakes waiting threads, so a request stuck in `hang` ends as soon as a
    test switches the mode back, instead of tying up a thread for minutes.
    """

    def __init__(self, cond: threading.Condition) -> None:
        self._cond = cond
        self._name = "ok"
        self._params: dict[str, Any] = {}
        self._until: Optional[float] = None
        self._generation = 0
        self._stopping = False

    def set(self, name: str, params: dict[str, Any], seconds: Optional[float]) -> None:
        """Switch mode; with `seconds` it falls back to "ok" after that long."""
        with self._cond:
            self._name, self._params = name, params
            self._until = time.monotonic() + seconds if seconds is not None else None
            self._generation += 1
            self._cond.notify_all()

    def current(self) -> tuple[str, dict[str, Any]]:
        """The mode in force now, expiring a timed mode lazily."""
        with self._cond:
            if self._until is not None and time.monotonic() >= self._until:
                self.set("ok", {}, None)
            return self._name, dict(self._params)

    def hang(self, cap_s: float) -> None:
        """Block until the mode changes or expires, the server stops, or cap_s passes."""
        deadline = time.monotonic() + cap_s
        with self._cond:
            generation = self._generation
            while not self._stopping and generation == self._generation:
                end = deadline if self._until is None else min(deadline, self._until)
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return
                self._cond.wait(remaining)

    def stop(self) -> None:
        """Release every hanging request so shutdown is not held up by them."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()


class RequestLog:
    """Bounded log of non-control requests, plus the busiest 1-second window seen.

    The window count lets a test assert that the client kept under a rate limit (AmoCRM: 7 req/s) across retries.
    """

    def __init__(self, cond: threading.Condition, cap: int = REQUEST_LOG_CAP) -> None:
        self._cond = cond
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=cap)
        self._window: collections.deque[float] = collections.deque()
        self.max_in_1s = 0
        self.total = 0

    def open(self, request: Request, mode_label: str) -> dict[str, Any]:
        """Record a request on arrival; its status stays None until `close` (and forever if no reply is sent)."""
        with self._cond:
            arrived = time.monotonic()
            while self._window and self._window[0] <= arrived - 1.0:
                self._window.popleft()
            self._window.append(arrived)
            self.max_in_1s = max(self.max_in_1s, len(self._window))
            entry = {"t_ms": now_ms(), "method": request.method, "path": request.target, "status": None,
                     "mode": mode_label}
            self._entries.append(entry)
            self.total += 1
            return entry

    def close(self, entry: dict[str, Any], outcome: Outcome) -> None:
        """Store the status actually sent (None when the connection was dropped)."""
        with self._cond:
            entry["status"] = outcome.status if outcome is not None else None

    def snapshot(self) -> list[dict[str, Any]]:
        with self._cond:
            return [dict(entry) for entry in self._entries]

    def clear(self) -> None:
        with self._cond:
            self._entries.clear()
            self._window.clear()
            self.max_in_1s = 0
            self.total = 0


class FakeApp:
    """Base of a fake: the `/_fake/` control API, fault modes and request log; subclasses implement the real API.

    Subclasses set MODES and MODE_PARAMS (numeric mode parameters they understand) and implement `handle_api`,
    `data_state`, `data_summary` and `reset_data` (called with the lock held).
    """

    MODES: frozenset[str] = frozenset({"ok"})
    MODE_PARAMS: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.modes = FaultModes(self.cond)
        self.log = RequestLog(self.cond)

    def handle(self, request: Request) -> Outcome:
        """Entry point from the HTTP handler."""
        if request.path.startswith(CONTROL_PREFIX):
            return self.handle_control(request)
        fault = self.pick_fault()
        entry = self.log.open(request, fault.label)
        outcome = self.handle_api(request, fault)
        self.log.close(entry, outcome)
        return outcome

    def pick_fault(self) -> Fault:
        """The fault for the next request; AmoCRM overrides this to resolve "mix" per request."""
        name, params = self.modes.current()
        return Fault(name, params, name)

    def handle_api(self, request: Request, fault: Fault) -> Outcome:
        raise NotImplementedError

    def clock_skew_s(self) -> float:
        """Seconds the fake's `Date` header runs ahead of the real clock; a fake whose service keeps its own time
        overrides it."""
        return 0.0

    def data_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def data_summary(self) -> dict[str, Any]:
        """The counters of `data_state` without its lists: what a poller needs every second, cheap to build."""
        raise NotImplementedError

    def reset_data(self) -> None:
        raise NotImplementedError

    def control_routes(self) -> dict[tuple[str, str], Callable[[Request], Reply]]:
        """Routes under /_fake/; subclasses may add their own."""
        return {
            ("POST", "/_fake/mode"): self.set_mode,
            ("GET", "/_fake/state"): self.state,
            ("POST", "/_fake/reset"): self.reset,
        }

    def handle_control(self, request: Request) -> Reply:
        route = self.control_routes().get((request.method, request.path))
        if route is None:
            return json_reply(404, {"error": f"no control route {request.method} {request.path}"})
        try:
            return route(request)
        except BadRequest as error:
            return json_reply(400, {"error": str(error)})

    def set_mode(self, request: Request) -> Reply:
        body = parse_json_body(request)
        if not isinstance(body, dict):
            raise BadRequest("mode body must be a JSON object")
        name = body.get("mode")
        if name not in self.MODES:
            raise BadRequest(f"unknown mode {name!r}; known: {sorted(self.MODES)}")
        seconds = body.get("seconds")
        if seconds is not None:
            seconds = non_negative_number(seconds, "seconds")
        params = {key: non_negative_number(value, key) for key, value in body.items()
                  if key not in ("mode", "seconds")}
        unknown = set(params) - self.MODE_PARAMS
        if unknown:
            raise BadRequest(f"unknown mode parameters {sorted(unknown)}; known: {sorted(self.MODE_PARAMS)}")
        self.modes.set(name, params, seconds)
        return json_reply(200, {"mode": name, "seconds": seconds, **params})

    def state(self, request: Request) -> Reply:
        """The full snapshot, or with `?summary=1` only the counters.

        The full one is built under the lock that also stamps arrivals for the rate limiter, so serialising tens of
        thousands of leads every second stalls the fake and bunches the calls it counts; pollers ask for the summary.
        """
        summary = request.query_value("summary") == "1"
        with self.cond:
            if summary:
                data = {**self.data_summary(), "requests_total": self.log.total}
            else:
                data = {**self.data_state(), "requests": self.log.snapshot()}
            return json_reply(200, {**data, "mode": self.modes.current()[0]})

    def reset(self, _request: Request) -> Reply:
        with self.cond:
            self.reset_data()
            self.log.clear()
            self.modes.set("ok", {}, None)
        return json_reply(200, {"reset": True})


def non_negative_number(value: Any, name: str) -> float:
    """Validate a numeric control parameter (bools are rejected although Python counts them as ints)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise BadRequest(f"{name} must be a non-negative number, got {value!r}")
    return value


class FakeServer(ThreadingHTTPServer):
    """Threaded server that can end a connection with a real TCP RST and keeps client disconnects out of stderr."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: FakeApp) -> None:
        super().__init__(address, FakeHandler)
        self.app = app

    def shutdown_request(self, request: socket.socket) -> None:
        """Skip the polite FIN (shutdown(SHUT_WR)) for sockets a handler armed for reset with SO_LINGER 0."""
        if request.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, len(LINGER_ZERO)) == LINGER_ZERO:
            self.close_request(request)
        else:
            super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class FakeHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler: reads the whole request, asks the app, then replies or drops the connection."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_KEEPALIVE_TIMEOUT_S
    server: FakeServer

    def do_GET(self) -> None:
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def dispatch(self) -> None:
        try:
            request = self.read_request()
        except BadRequest as error:
            self.close_connection = True
            self.send_reply(json_reply(400, {"error": str(error)}))
            return
        try:
            outcome = self.server.app.handle(request)
        except Exception:  # a bug in the fake must be loud, not look like an injected fault
            traceback.print_exc()
            outcome = json_reply(500, {"error": "fake server bug, see its stderr"})
        if outcome is None:
            self.reset_connection()
        else:
            self.send_reply(outcome)

    def read_request(self) -> Request:
        parts = urlsplit(self.path)
        return Request(self.command, self.path, parts.path, parse_qs(parts.query), self.headers, self.read_body())

    def read_body(self) -> bytes:
        """Read the full body (Content-Length or chunked) so the next keep-alive request starts at a clean boundary."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self.read_chunked_body()
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise BadRequest("bad Content-Length") from None
        return self.rfile.read(length) if length > 0 else b""

    def read_chunked_body(self) -> bytes:
        chunks = []
        while True:
            size_line = self.rfile.readline(1024)
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BadRequest("bad chunk size") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers, up to the blank line
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)  # CRLF after the chunk

    def send_reply(self, reply: Reply) -> None:
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status != 204:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.status != 204:
            self.wfile.write(reply.body)

    def reset_connection(self) -> None:
        """Arm SO_LINGER 0 so the close that follows sends a TCP RST: the client sees a reset, not a clean end."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_ZERO)
        self.close_connection = True

    def date_time_string(self, timestamp: Optional[float] = None) -> str:
        """The `Date` header, on the service's clock rather than ours when the app says they differ."""
        return super().date_time_string(time.time() + self.server.app.clock_skew_s() if timestamp is None else timestamp)

    def version_string(self) -> str:
        """Both real APIs sit behind nginx."""
        return "nginx"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: GET /_fake/state is the request log."""


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: never exposed)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument("--port-file", help="also write the bound port to this file (atomically)")


def write_port_file(path: str, port: int) -> None:
    """Write via rename so a test polling the file never reads a half-written port."""
    temp = f"{path}.tmp{os.getpid()}"
    with open(temp, "w", encoding="ascii") as handle:
        handle.write(f"{port}\n")
    os.replace(temp, path)


def serve(app: FakeApp, args: argparse.Namespace) -> None:
    """Bind, announce the port, serve until SIGTERM/SIGINT, then exit 0."""
    server = FakeServer((args.host, args.port), app)
    port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)
    print(f"listening on {args.host}:{port}", flush=True)

    def stop(_signum: int, _frame: Any) -> None:
        # shutdown() waits for serve_forever to return, so it must not run on the thread that is serving.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # A parent may start us with these signals blocked (Foundation's Process on Linux passes its threads' mask on):
    # unblock them, or SIGTERM would never reach the handler and the fake would outlive its test.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    server.serve_forever(poll_interval=0.2)
    app.modes.stop()
    server.server_close()

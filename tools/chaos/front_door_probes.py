"""Single-connection probes of `serve`'s front door (oversized headers, a lead body trickled one byte a second,
responses never read) and the small HTTP helpers the front door test shares: a GET from a chosen address, the status
of a raw answer, detailed health's process object and the /metrics figures.
"""
import http.client
import json
import re
import selectors
import socket
import struct
import time

from paced_leads import lead_body


def http_get(port: int, path: str, source: str | None = None, timeout: float = 10) -> tuple:
    """Status and body of one GET over a fresh connection, from `source` when given."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                            source_address=(source, 0) if source else None)
    try:
        connection.request("GET", path)
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


def status_of(data: bytes) -> int | None:
    if data.startswith(b"HTTP/1.") and len(data) >= 12 and data[9:12].isdigit():
        return int(data[9:12])
    return None


def detailed_process(port: int) -> dict | None:
    """The `process` object of detailed health (answered 200, or 503 when the verdict is failing), or None."""
    try:
        _, body = http_get(port, "/api/health/detailed")
        return json.loads(body).get("process")
    except (OSError, http.client.HTTPException, ValueError, AttributeError):
        return None


def metrics(port: int) -> str:
    """The /metrics page; the read lane may answer 503 while busy, so a few tries."""
    for _ in range(10):
        try:
            status, body = http_get(port, "/metrics")
            if status == 200:
                return body.decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.5)
    return ""


def counters_by_reason(text: str, name: str) -> dict:
    values = {}
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            reason = re.search(r'reason="([^"]*)"', line)
            try:
                values[reason.group(1) if reason else ""] = float(line.rsplit(" ", 1)[1])
            except (ValueError, IndexError):
                pass
    return values


def gauge(text: str, name: str) -> float | None:
    return counters_by_reason(text, name).get("")


def refused_headers(port: int, request: bytes, limit_s: float) -> dict:
    """Sends one complete request with oversized headers; the answer's status, whether the server closed the
    connection, and how long it took (waiting at most `limit_s`)."""
    started = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", port), timeout=limit_s)
    data, closed = b"", False
    try:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            closed = True  # refused before it was all read; an answer may still be waiting
        except socket.timeout:
            pass
        while time.monotonic() - started < limit_s:
            sock.settimeout(max(0.01, limit_s - (time.monotonic() - started)))
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                closed = True
                break
            except socket.timeout:
                break
            if not chunk:
                closed = True
                break
            data += chunk
    finally:
        sock.close()
    return {"status": status_of(data), "closed": closed, "seconds": round(time.monotonic() - started, 3),
            "request_bytes": len(request)}


def trickle_body(port: int, key: str, body_s: float, margin_s: float) -> dict:
    """A complete head for a 500-byte lead, then its body one byte a second: how the server ends it."""
    body = lead_body(9_999_999, "front-door-trickle")
    body += b" " * (500 - len(body))
    head = (f"POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"Idempotency-Key: {key}\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    data, closed, sent = b"", False, 0
    try:
        sock.sendall(head)
        headed = time.monotonic()
        deadline = headed + body_s + margin_s
        next_byte = headed
        sock.setblocking(False)
        with selectors.DefaultSelector() as selector:
            selector.register(sock, selectors.EVENT_READ)
            while not closed and time.monotonic() < deadline:
                now = time.monotonic()
                if now >= next_byte and sent < len(body):
                    try:
                        sock.send(body[sent:sent + 1])
                        sent += 1
                    except (BrokenPipeError, ConnectionResetError):
                        closed = True
                        break
                    except BlockingIOError:
                        pass
                    next_byte += 1
                if selector.select(timeout=max(0.0, min(0.2, next_byte - time.monotonic(), deadline - now))):
                    try:
                        chunk = sock.recv(65536)
                    except ConnectionResetError:
                        closed = True
                        break
                    except BlockingIOError:
                        continue
                    if not chunk:
                        closed = True
                        break
                    data += chunk
        seconds = time.monotonic() - headed
    finally:
        sock.close()
    return {"status": status_of(data), "closed": closed, "closed_after_s": round(seconds, 2) if closed else None,
            "body_bytes_sent": sent}


def server_side(port: int, client: tuple) -> tuple | None:
    """The server's end of our connection from `client` in /proc/net/tcp: (held by a process, bytes in its send
    queue), or None when it is gone. A socket its process has closed is orphaned: inode 0."""
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            local, remote = fields[1].split(":"), fields[2].split(":")
            if int(local[1], 16) != port or int(remote[1], 16) != client[1]:
                continue
            if socket.inet_ntoa(struct.pack("<I", int(remote[0], 16))) != client[0]:
                continue
            return fields[9] != "0", int(fields[4].split(":")[0], 16)
    return None


def unread_responses(port: int, send_s: float, margin_s: float) -> dict:
    """Pipelines enough `GET /openapi.yaml` requests to fill both ends' buffers many times over, reads nothing, and
    watches the server's end of the connection until serve lets it go or the send timeout + margin passes."""
    _, document = http_get(port, "/openapi.yaml")
    try:
        with open("/proc/sys/net/ipv4/tcp_wmem") as wmem:
            send_buffer_max = int(wmem.read().split()[2])
    except (OSError, ValueError, IndexError):
        send_buffer_max = 4 << 20
    count = min(4000, (2 * send_buffer_max + (4 << 20)) // max(1, len(document)) + 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A small receive window, so what the server sends backs up in its own send queue at once.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    stalled_bytes = 0
    released_after = None
    try:
        sock.connect(("127.0.0.1", port))
        client = sock.getsockname()
        # Until serve accepts it, the connection waits in the kernel with no owner, which looks like a release.
        accepted_by = time.monotonic() + 10
        while (server_side(port, client) or (False,))[0] is False and time.monotonic() < accepted_by:
            time.sleep(0.05)
        sock.sendall(b"GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n" * count)
        sent = time.monotonic()
        while time.monotonic() - sent < send_s + margin_s:
            state = server_side(port, client)
            if state is None or not state[0]:
                released_after = time.monotonic() - sent
                break
            stalled_bytes = max(stalled_bytes, state[1])
            time.sleep(0.1)
    except OSError as error:
        return {"requests": count, "error": repr(error), "released_after_s": None}
    finally:
        sock.close()
    return {"requests": count, "document_bytes": len(document), "server_send_queue_peak_bytes": stalled_bytes,
            "released_after_s": round(released_after, 2) if released_after is not None else None}

"""The abusive clients of the front door test: a separate process that opens thousands of connections which never
finish a request (or never send one, or go idle after one answer), watches each until the server closes it, and
reports one record per connection; and the figures and problems those records show.
"""
import errno
import multiprocessing
import os
import re
import resource
import selectors
import socket
import time

from cluster import percentile
from front_door_probes import status_of

# A refusal is an immediate answer; a connection closed later than this without a 503 was held, then closed.
REFUSE_WINDOW_S = 1.0
# A connection whose handshake has not completed in this time was never accepted.
CONNECT_LIMIT_S = 20
CLIENT_NOFILE = 65536
PARTIAL_HEADERS = b"POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: "
KEEP_ALIVE_REQUEST = b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n"
FIRST_BYTES = {"slowloris": PARTIAL_HEADERS, "trickle": PARTIAL_HEADERS, "silent": b"", "keepalive": KEEP_ALIVE_REQUEST}


def response_complete(data: bytes) -> bool:
    """Whether `data` holds a whole answer: its head and, by Content-Length or the last chunk, its body."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = data[:end].decode("latin-1").lower()
    length = re.search(r"\r\ncontent-length:\s*(\d+)", head)
    if length:
        return len(data) >= end + 4 + int(length.group(1))
    if "transfer-encoding: chunked" in head:
        return data.endswith(b"0\r\n\r\n")
    return True


def longest_s(plan: dict) -> float:
    """How long an abuse may take: its last connection opened, given CONNECT_LIMIT_S to be accepted and the longest
    bound + margin to be closed."""
    return plan["open_s"] + max(plan["bounds"].values()) + plan["margin_s"] + CONNECT_LIMIT_S


class Abusive:
    """One abusive connection as the abusing process sees it; `record()` is what it reports."""

    __slots__ = ("kind", "source", "sock", "attempted_at", "opened_at", "started_at", "closed_at", "data", "how")

    def __init__(self, kind: str, source: str, sock: socket.socket, now: float):
        self.kind, self.source, self.sock, self.attempted_at = kind, source, sock, now
        self.opened_at = self.started_at = self.closed_at = None
        self.data = b""
        self.how = "open"

    def record(self) -> tuple:
        return (self.kind, self.source, self.attempted_at, self.opened_at, self.started_at, self.closed_at,
                status_of(self.data), self.how)


def abuse(port: int, plan: dict, pipe) -> None:
    """Runs in its own process, so its work on thousands of sockets does not hold the interpreter lock of the threads
    that time the real leads. Opens plan["attempts"] connections evenly over plan["open_s"] seconds, from the plan's
    source addresses in turn, each of the plan's kinds in turn; watches each until the server closes it (EOF or
    reset) or its bound + margin + 1 s passes; sends one record per connection back through `pipe`."""
    selector = selectors.DefaultSelector()
    live: set = set()
    trickling: set = set()
    records: list = []
    sources, kinds, attempts = plan["sources"], plan["kinds"], plan["attempts"]
    bounds, margin_s = plan["bounds"], plan["margin_s"]
    started = time.monotonic()
    give_up = started + longest_s(plan) + 5
    client_errors: dict = {}
    pipe.send(("started", started))

    def close(connection: Abusive, how: str, now: float) -> None:
        connection.closed_at, connection.how = now, how
        try:
            selector.unregister(connection.sock)
        except (KeyError, ValueError):
            pass
        connection.sock.close()
        live.discard(connection)
        trickling.discard(connection)
        records.append(connection.record())

    def established(connection: Abusive, now: float) -> None:
        error = connection.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if error:
            close(connection, f"connect_error:{os.strerror(error)}", now)
            return
        connection.opened_at = now
        if connection.kind != "keepalive":
            connection.started_at = now
        selector.modify(connection.sock, selectors.EVENT_READ, connection)
        try:
            if FIRST_BYTES[connection.kind]:
                connection.sock.send(FIRST_BYTES[connection.kind])
        except (BrokenPipeError, ConnectionResetError):
            close(connection, "reset", now)
            return
        except BlockingIOError:
            pass
        if connection.kind == "trickle":
            trickling.add(connection)

    def readable(connection: Abusive, now: float) -> None:
        try:
            chunk = connection.sock.recv(65536)
        except ConnectionResetError:
            close(connection, "reset", now)
            return
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            close(connection, f"error:{error.strerror}", now)
            return
        if not chunk:
            close(connection, "eof", now)
            return
        if len(connection.data) < 65536:
            connection.data += chunk
        if connection.kind == "keepalive" and connection.started_at is None and response_complete(connection.data):
            # The idle timeout runs from the end of the answer: only then is the connection idle.
            connection.started_at = now

    opened = 0
    next_trickle = started + 1
    next_sweep = started + 0.25
    while True:
        now = time.monotonic()
        batch = 0
        while opened < attempts and started + opened * plan["open_s"] / attempts <= now and batch < 200:
            source = sources[opened % len(sources)]
            kind = kinds[(opened // len(sources)) % len(kinds)]
            opened += 1
            batch += 1
            try:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            except OSError as error:
                client_errors[error.strerror] = client_errors.get(error.strerror, 0) + 1
                continue
            sock.setblocking(False)
            connection = Abusive(kind, source, sock, now)
            try:
                sock.bind((source, 0))
                code = sock.connect_ex(("127.0.0.1", port))
            except OSError as error:
                code = error.errno
            if code not in (0, errno.EINPROGRESS):
                sock.close()
                connection.closed_at, connection.how = now, f"connect_error:{os.strerror(code)}"
                records.append(connection.record())
                continue
            live.add(connection)
            selector.register(sock, selectors.EVENT_WRITE, connection)
        for key, _ in selector.select(timeout=0.02):
            connection = key.data
            if connection not in live:
                continue
            if connection.opened_at is None:
                established(connection, time.monotonic())
            else:
                readable(connection, time.monotonic())
        now = time.monotonic()
        if now >= next_trickle:
            # One more header byte a second on each trickling connection: progress that must not buy time.
            next_trickle += 1
            for connection in list(trickling):
                try:
                    connection.sock.send(b"a")
                except (BrokenPipeError, ConnectionResetError):
                    close(connection, "reset", now)
                except BlockingIOError:
                    pass
        if now >= next_sweep:
            next_sweep = now + 0.25
            if opened == attempts:
                overdue = 0
                for connection in live:
                    if connection.opened_at is None:
                        due = connection.attempted_at + CONNECT_LIMIT_S
                    else:
                        begun = connection.started_at or connection.opened_at
                        due = begun + bounds[connection.kind] + margin_s + 1
                    overdue += now > due
                if overdue == len(live):
                    break
        if now > give_up:
            break
    for connection in list(live):
        close(connection, "open" if connection.opened_at is not None else "never_connected", None)
    selector.close()
    pipe.send(("done", records, {"client_errors": client_errors}))
    pipe.close()


def run_abuse(port: int, plan: dict, while_running=None) -> tuple:
    """Starts the abusing process, calls `while_running()` once it has begun, and waits for its records (bounded)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=abuse, args=(port, plan, sender), daemon=True)
    process.start()
    sender.close()
    result = None

    def wait(limit_s: float) -> bool:
        """Whether a message came within `limit_s`; stops waiting early when the process is gone without one."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            if receiver.poll(0.5):
                return True
            if not process.is_alive():
                return receiver.poll(0)
        return False

    try:
        if not wait(30):
            raise SystemExit("the abusing process did not start within 30 s")
        receiver.recv()
        extra = while_running() if while_running else None
        if wait(longest_s(plan) + 60):
            _, records, info = receiver.recv()
            result = (records, info, extra)
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join(timeout=10)
    if result is None:
        raise SystemExit("the abusing process did not report")
    return result


def classify(record: tuple) -> str:
    """refused (a canned 503, or closed at once), closed (held, then closed by the server), open, never_connected or
    connect_error."""
    _, _, _, opened_at, _, closed_at, status, how = record
    if how.startswith("connect_error"):
        return "connect_error"
    if how == "never_connected":
        return "never_connected"
    if closed_at is None:
        return "open"
    if status == 503 or (status is None and closed_at - opened_at <= REFUSE_WINDOW_S):
        return "refused"
    return "closed"


def most_at_once(intervals: list) -> int:
    """The most (start, end) intervals open at one instant; at equal times a close counts before an open."""
    level = peak = 0
    for _, step in sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals]):
        level += step
        peak = max(peak, level)
    return peak


def summarize(records: list, plan: dict) -> tuple:
    """The figures of one abuse, and what went wrong in it."""
    problems = []
    outcomes = [classify(record) for record in records]
    counts = {name: outcomes.count(name) for name in ("refused", "closed", "open", "never_connected", "connect_error")}
    held = [record for record, outcome in zip(records, outcomes) if outcome in ("closed", "open")]
    held_for: dict = {}
    late = []
    for kind, source, _, opened_at, started_at, closed_at, _, _ in held:
        begun = started_at or opened_at
        if closed_at is None:
            continue
        held_for[kind] = max(held_for.get(kind, 0.0), closed_at - begun)
        if closed_at - begun > plan["bounds"][kind] + plan["margin_s"]:
            late.append((kind, source, round(closed_at - begun, 2)))
    by_source: dict = {}
    for _, source, _, opened_at, _, closed_at, _, _ in held:
        by_source.setdefault(source, []).append((opened_at, closed_at if closed_at is not None else float("inf")))
    held_peak = most_at_once([interval for intervals in by_source.values() for interval in intervals])
    per_source_peak = max((most_at_once(intervals) for intervals in by_source.values()), default=0)
    closes = [record[5] for record in records if record[5] is not None and record[3] is not None]
    opens = [record[3] for record in records if record[3] is not None]
    refusal_ms = [(record[5] - record[3]) * 1000 for record, outcome in zip(records, outcomes)
                  if outcome == "refused"]
    figures = {"attempted": len(records), "connected": len(opens), "refused_at_once": counts["refused"],
               "refused_with_503": sum(1 for record, outcome in zip(records, outcomes)
                                       if outcome == "refused" and record[6] == 503),
               "accepted": len(held), "closed_by_server": counts["closed"], "still_open": counts["open"],
               "never_connected": counts["never_connected"], "connect_errors": counts["connect_error"],
               "held_max_s": {kind: round(value, 2) for kind, value in sorted(held_for.items())},
               "held_at_once_peak": held_peak, "held_at_once_per_address_peak": per_source_peak,
               "refusal_p99_ms": percentile(refusal_ms, 0.99),
               "last_closed_after_last_opened_s": round(max(closes) - max(opens), 2) if closes and opens else None,
               "by_kind": {kind: sum(1 for record in records if record[0] == kind) for kind in plan["kinds"]}}
    errors = [record[7] for record in records if record[7].startswith("connect_error")]
    if errors:
        figures["connect_error_reasons"] = {reason: errors.count(reason) for reason in sorted(set(errors))}
    if counts["open"]:
        stuck = [(record[0], record[1]) for record, outcome in zip(records, outcomes) if outcome == "open"]
        problems.append(f"{counts['open']} abusive connections still open after their bound + {plan['margin_s']} s "
                        f"(not closed by the server), e.g. {stuck[:5]}")
    if late:
        problems.append(f"{len(late)} abusive connections closed after their bound + {plan['margin_s']} s, e.g. "
                        f"{late[:5]}")
    if counts["never_connected"]:
        problems.append(f"{counts['never_connected']} abusive connections never accepted within {CONNECT_LIMIT_S} s "
                        "(the accepting loop stalled)")
    return figures, problems


def raise_own_limit(needed: int) -> int:
    """Thousands of sockets are held at once on this side (the abusing process inherits this limit); the limit goes
    as high as the kernel lets it."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (CLIENT_NOFILE, CLIENT_NOFILE))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft != resource.RLIM_INFINITY and soft < needed:
        raise SystemExit(f"this client may open {soft} descriptors and needs {needed}: raise its hard limit")
    return soft

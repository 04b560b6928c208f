"""The real leads of the front door test: each posted from 127.0.0.1 over a fresh connection, paced so that runs of
the same size have the same shape, and timed.
"""
import http.client
import json
import threading
import time


def lead_body(number: int, form_id: str = "front-door") -> bytes:
    # A phone per lead: the same contact on the same form again would be a double submission, not a new lead.
    return json.dumps({"name": "Иван Петров", "phone": f"+7916{number:07d}", "email": f"lead{number}@example.ru",
                       "form_id": form_id, "page_url": "https://example.ru/", "utm_source": "chaos"},
                      ensure_ascii=False).encode()


def post_lead(port: int, number: int) -> dict:
    """One lead over a fresh connection from 127.0.0.1: its status, lead id and latency."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/api/leads", lead_body(number),
                           {"Content-Type": "application/json", "Idempotency-Key": f"front-door-{number}"})
        reply = connection.getresponse()
        status, payload = reply.status, reply.read()
    except (OSError, http.client.HTTPException) as error:
        return {"number": number, "status": None, "error": repr(error), "ms": (time.monotonic() - started) * 1000}
    finally:
        connection.close()
    answer = {"number": number, "status": status, "ms": (time.monotonic() - started) * 1000}
    if status in (200, 201):
        try:
            answer["lead_id"] = json.loads(payload)["lead_id"]
        except (ValueError, KeyError):
            answer["error"] = f"no lead_id in {payload[:200]!r}"
    else:
        answer["error"] = payload[:200].decode("utf-8", "replace")
    return answer


def post_paced(port: int, numbers: list, threads: int, rate: float) -> list:
    """Posts the leads from `threads` threads, the k-th due k/rate seconds after the start (at once when late), so
    the idle and the abused runs have the same shape and their latencies compare. A lead whose thread has not
    finished in time is answered None."""
    answers = []
    started = time.monotonic()

    def worker(first: int) -> None:
        for k in range(first, len(numbers), threads):
            delay = started + k / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            answers.append(post_lead(port, numbers[k]))

    workers = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(threads)]
    for thread in workers:
        thread.start()
    limit = time.monotonic() + len(numbers) / rate + 120
    for thread in workers:
        thread.join(timeout=max(0.0, limit - time.monotonic()))
    answered = {answer["number"] for answer in answers}
    return list(answers) + [{"number": number, "status": None, "error": "no answer in time", "ms": None}
                            for number in numbers if number not in answered]

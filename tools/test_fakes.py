#!/usr/bin/env python3
"""Self-test for the local API fakes:  python3 tools/test_fakes.py  (stdlib unittest, ~15 s).

Each fake runs as a real subprocess on a port it picks itself (--port 0), exactly as the end-to-end tests will start
it, so the CLI contract (the `listening on` line, --port-file, clean exit on SIGTERM/SIGINT) is tested too.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import urlencode

TOOLS = Path(__file__).resolve().parent
STARTUP_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
SHORT_TIMEOUT_S = 0.5  # client timeout for requests that must get no answer

AMO_TOKEN = "test-token"
AMO_AUTH = {"Authorization": f"Bearer {AMO_TOKEN}"}
TG_TOKEN = "123:fake"
TG_CHAT = -1001
NGINX_403 = ("<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center>"
             "<hr><center>nginx</center></body></html>")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class FakeProcess:
    """A fake started as a subprocess with --port 0; the port is read from its one `listening on` line."""

    def __init__(self, script: str, *args: str) -> None:
        # No __pycache__ left in tools/ by a test run (the repository does not ignore it).
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen([sys.executable, str(TOOLS / script), "--port", "0", *args],
                                     stdout=subprocess.PIPE, text=True, env=env)
        ready, _, _ = select.select([self.proc.stdout], [], [], STARTUP_TIMEOUT_S)
        line = self.proc.stdout.readline() if ready else ""
        match = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)\n", line)
        if match is None:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"{script} did not announce its port: {line!r}")
        self.port = int(match.group(1))

    def request(self, method: str, path: str, body: Any = None, headers: Optional[dict[str, str]] = None,
                timeout: float = 5.0) -> Response:
        """One request on a fresh connection; a dict/list body is sent as JSON, bytes/str as they are."""
        headers = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            return Response(reply.status, reply.headers, reply.read())
        finally:
            connection.close()

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.request(method, f"/_fake/{path}", body)
        if response.status != 200:
            raise AssertionError(f"control {path} failed: {response.status} {response.body!r}")
        return response.json()

    def state(self) -> Any:
        return self.control("GET", "state")

    def set_mode(self, mode: str, **params: Any) -> None:
        self.control("POST", "mode", {"mode": mode, **params})

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Signal the fake and return its exit code; kill it if it does not exit in time."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            return self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        finally:
            self.proc.stdout.close()


def assert_tcp_reset(test: unittest.TestCase, call: Callable[[], Any]) -> None:
    """The fakes drop connections with SO_LINGER 0: the client must see a TCP RST, not a polite end of stream."""
    with test.assertRaises(ConnectionResetError) as caught:
        call()
    test.assertNotIsInstance(caught.exception, http.client.RemoteDisconnected)


def amo_lead(request_id: str, name: Optional[str] = None, **extra: Any) -> dict[str, Any]:
    """A lead as LeadLedger will send it: our lead id in request_id and in a text custom field."""
    return {
        "name": name or f"Заявка {request_id}",
        "price": 0, "pipeline_id": 111, "status_id": 222, "request_id": request_id,
        "custom_fields_values": [{"field_id": 444, "values": [{"value": f"ledger:{request_id}"}]}],
        "_embedded": {
            "tags": [{"name": "landing"}],
            "contacts": [{"first_name": "Ivan", "custom_fields_values": [
                {"field_code": "PHONE", "values": [{"value": "+79990000000", "enum_code": "WORK"}]},
                {"field_code": "EMAIL", "values": [{"value": "a@b.ru", "enum_code": "WORK"}]}]}],
            "metadata": {"category": "forms", "form_id": "f1"},
        },
        **extra,
    }


class AmoCRMTestCase(unittest.TestCase):
    """One shared fake AmoCRM process, reset before every test."""

    fake: FakeProcess
    extra_args: tuple[str, ...] = ()

    @classmethod
    def setUpClass(cls) -> None:
        cls.fake = FakeProcess("fake_amocrm.py", "--token", AMO_TOKEN, *cls.extra_args)

    @classmethod
    def tearDownClass(cls) -> None:
        assert cls.fake.stop() == 0, "fake_amocrm did not exit cleanly on SIGTERM"

    def setUp(self) -> None:
        self.fake.control("POST", "reset")

    def create(self, *leads: dict[str, Any], timeout: float = 5.0) -> Response:
        return self.fake.request("POST", "/api/v4/leads/complex", list(leads), AMO_AUTH, timeout)

    def search(self, query: str, extra: str = "") -> Response:
        return self.fake.request("GET", f"/api/v4/leads?{urlencode({'query': query})}{extra}", headers=AMO_AUTH)

    def assert_problem(self, response: Response, status: int) -> dict[str, Any]:
        self.assertEqual(response.status, status, response.body)
        self.assertEqual(response.headers["Content-Type"], "application/problem+json")
        problem = response.json()
        self.assertEqual((problem["status"], problem["type"]), (status, f"https://httpstatus.es/{status}"))
        return problem

    def assert_nothing_created(self) -> None:
        self.assertEqual(self.fake.state()["created_total"], 0)


class AmoCRMApiTest(AmoCRMTestCase):
    """The real-API endpoints in mode ok."""

    def test_fresh_process_writes_port_file_and_starts_ids_at_documented_values(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            port_file = os.path.join(directory, "port")
            fake = FakeProcess("fake_amocrm.py", "--port-file", port_file)
            try:
                self.assertEqual(Path(port_file).read_text().strip(), str(fake.port))
                created = fake.request("POST", "/api/v4/leads/complex", [amo_lead("a")],
                                       {"Authorization": "Bearer fake-token"}).json()[0]
                self.assertEqual((created["id"], created["contact_id"]), (10000001, 20000001))
            finally:
                self.assertEqual(fake.stop(), 0)

    def test_missing_or_wrong_token_is_401_problem(self) -> None:
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": AMO_TOKEN}):
            with self.subTest(headers=headers):
                response = self.fake.request("POST", "/api/v4/leads/complex", [amo_lead("a")], headers)
                self.assertEqual(self.assert_problem(response, 401)["title"], "Unauthorized")
        self.assert_nothing_created()

    def test_complex_creates_leads_and_contacts_in_order(self) -> None:
        without_contact = amo_lead("b")
        del without_contact["_embedded"]["contacts"]
        response = self.create(amo_lead("a"), without_contact)
        self.assertEqual(response.status, 200)
        self.assertEqual(response.headers["Content-Type"], "application/hal+json")
        first, second = response.json()
        self.assertEqual(first, {"id": first["id"], "contact_id": first["contact_id"], "company_id": None,
                                 "request_id": ["a"], "merged": False})
        self.assertGreaterEqual((first["id"], first["contact_id"]), (10000001, 20000001))
        self.assertEqual((second["id"], second["contact_id"], second["request_id"]), (first["id"] + 1, None, ["b"]))
        stored = self.fake.state()["leads"][0]
        self.assertEqual((stored["request_id"], stored["pipeline_id"], stored["tags"]),
                         ("a", 111, [{"name": "landing"}]))
        self.assertEqual(stored["contact"]["custom_fields_values"][0]["field_code"], "PHONE")
        self.assertEqual(stored["metadata"]["form_id"], "f1")

    def test_ids_keep_increasing_across_reset(self) -> None:
        first = self.create(amo_lead("a")).json()[0]["id"]
        self.fake.control("POST", "reset")
        self.assertGreater(self.create(amo_lead("a")).json()[0]["id"], first)

    def test_malformed_batches_are_400_and_create_nothing(self) -> None:
        batches = {"object": amo_lead("a"), "empty": [], "51 leads": [amo_lead(str(i)) for i in range(51)],
                   "not json": "[{"}
        for label, body in batches.items():
            with self.subTest(label):
                response = self.fake.request("POST", "/api/v4/leads/complex", body, AMO_AUTH)
                self.assert_problem(response, 400)
        self.assert_nothing_created()
        self.assertEqual(self.create(*[amo_lead(str(i)) for i in range(50)]).status, 200)

    def test_reject_me_fails_the_whole_request(self) -> None:
        response = self.create(amo_lead("good"), amo_lead("bad", name="x REJECT-ME x"))
        problem = self.assert_problem(response, 400)
        self.assertEqual(problem["validation-errors"], [{"request_id": "bad", "errors": [
            {"code": "NotSupportedChoice", "path": "name", "detail": "rejected by fake"}]}])
        self.assert_nothing_created()

    def test_search_matches_name_or_custom_field_value(self) -> None:
        first, second = self.create(amo_lead("uuid-1"), amo_lead("uuid-2")).json()
        by_field = self.search("LEDGER:UUID-2", "&with=contacts")
        self.assertEqual(by_field.status, 200)
        self.assertEqual(by_field.headers["Content-Type"], "application/hal+json")
        body = by_field.json()
        self.assertEqual((body["_page"], body["_links"]), (1, {}))
        [lead] = body["_embedded"]["leads"]
        self.assertEqual((lead["id"], lead["name"], lead["pipeline_id"], lead["status_id"]),
                         (second["id"], "Заявка uuid-2", 111, 222))
        self.assertAlmostEqual(lead["created_at"], time.time(), delta=5)
        self.assertEqual(lead["custom_fields_values"][0]["values"][0]["value"], "ledger:uuid-2")
        self.assertEqual(lead["_embedded"]["contacts"], [{"id": second["contact_id"], "is_main": True}])
        by_name = self.search("Заявка", "&limit=1").json()["_embedded"]["leads"]
        self.assertEqual([lead["id"] for lead in by_name], [first["id"]])
        self.assertNotIn("contacts", by_name[0]["_embedded"])

    def test_search_without_match_is_204_with_empty_body(self) -> None:
        self.create(amo_lead("a"))
        response = self.search("+79990000000")  # contact fields are not the lead's own fields
        self.assertEqual((response.status, response.body), (204, b""))
        self.assertIsNone(response.headers["Content-Length"])

    def test_search_rejects_bad_limit(self) -> None:
        self.assert_problem(self.search("x", "&limit=251"), 400)

    def test_seeded_lead_is_searchable_and_counts_for_duplicates(self) -> None:
        seeded = self.fake.control("POST", "seed-lead", {"name": "old", "request_id": "dup", "custom_fields_values": [
            {"field_id": 444, "values": [{"value": "ledger:dup"}]}]})
        found = self.search("ledger:dup").json()["_embedded"]["leads"]
        self.assertEqual([lead["id"] for lead in found], [seeded["id"]])
        self.create(amo_lead("dup"))
        self.create(amo_lead("dup"))
        self.create(amo_lead("single"))
        state = self.fake.state()
        self.assertEqual(state["duplicates"], {"dup": 3})
        self.assertEqual(state["created_total"], 4)
        self.assertTrue(state["leads"][0]["seeded"])

    def test_account_probe_needs_auth(self) -> None:
        response = self.fake.request("GET", "/api/v4/account", headers=AMO_AUTH)
        self.assertEqual(response.json(), {"id": 1, "name": "fake", "subdomain": "fake"})
        self.assert_problem(self.fake.request("GET", "/api/v4/account"), 401)

    def test_unknown_path_is_404_problem(self) -> None:
        self.assert_problem(self.fake.request("GET", "/api/v4/unknown", headers=AMO_AUTH), 404)
        self.assert_problem(self.fake.request("GET", "/api/v4/leads/complex", headers=AMO_AUTH), 404)

    def test_refresh_tokens_are_single_use(self) -> None:
        def exchange(refresh_token: str, secret: str = "fake-secret") -> Response:
            return self.fake.request("POST", "/oauth2/access_token", {
                "client_id": "fake-client", "client_secret": secret, "grant_type": "refresh_token",
                "refresh_token": refresh_token, "redirect_uri": "https://example.org"})

        self.assertEqual(exchange("refresh-0", secret="wrong").status, 401)
        first = exchange("refresh-0").json()
        self.assertEqual((first["token_type"], first["expires_in"], first["access_token"], first["refresh_token"]),
                         ("Bearer", 86400, "access-1", "refresh-1"))
        self.assertAlmostEqual(first["server_time"], time.time(), delta=5)
        reused = exchange("refresh-0")
        self.assertEqual((reused.status, reused.json()),
                         (400, {"title": "Bad Request", "hint": "Token has been revoked", "status": 400}))
        self.assertEqual(exchange("never-issued").status, 400)
        self.assertEqual(exchange("refresh-1").json()["access_token"], "access-2")
        for token in ("access-1", "access-2", AMO_TOKEN):
            response = self.fake.request("GET", "/api/v4/account", headers={"Authorization": f"Bearer {token}"})
            self.assertEqual(response.status, 200, token)

    def test_keep_alive_serves_many_requests_on_one_connection(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.fake.port, timeout=5)
        try:
            statuses, sockets = [], []
            for path in ("/api/v4/account", "/api/v4/leads?query=none", "/api/v4/account"):
                connection.request("GET", path, headers=AMO_AUTH)
                reply = connection.getresponse()
                reply.read()
                statuses.append(reply.status)
                sockets.append(connection.sock)
            self.assertEqual(statuses, [200, 204, 200])
            self.assertTrue(all(sock is sockets[0] for sock in sockets), "the connection was not kept alive")
        finally:
            connection.close()

    def test_chunked_request_body(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.fake.port, timeout=5)
        try:
            chunks = iter([json.dumps([amo_lead("chunk")]).encode()])
            connection.request("POST", "/api/v4/leads/complex", body=chunks, encode_chunked=True,
                               headers={**AMO_AUTH, "Transfer-Encoding": "chunked"})
            self.assertEqual(connection.getresponse().status, 200)
        finally:
            connection.close()
        self.assertEqual(self.fake.state()["leads"][0]["request_id"], "chunk")

    def test_busiest_one_second_window_is_counted(self) -> None:
        for _ in range(12):
            self.fake.request("GET", "/api/v4/account", headers=AMO_AUTH)
        self.fake.state()  # control calls do not count
        self.assertGreaterEqual(self.fake.state()["max_requests_in_any_1s_window"], 12)
        self.fake.control("POST", "reset")
        self.assertEqual(self.fake.state()["max_requests_in_any_1s_window"], 0)

    def test_summary_state_has_the_counters_without_the_lists(self) -> None:
        self.create(amo_lead("a"), amo_lead("b"))
        self.create(amo_lead("a"))
        self.fake.request("GET", "/api/v4/account", headers=AMO_AUTH)
        summary = self.fake.control("GET", "state?summary=1")
        self.assertEqual(summary, {"created_total": 3, "request_ids_total": 2, "duplicates": {"a": 2},
                                   "max_requests_in_any_1s_window": summary["max_requests_in_any_1s_window"],
                                   "rate_limited_total": 0, "notes_total": 0, "note_duplicates": 0, "merged_total": 0,
                                   "tokens_issued": self.fake.state()["tokens_issued"],
                                   "requests_total": 3, "mode": "ok"})
        self.assertGreaterEqual(summary["max_requests_in_any_1s_window"], 3)

    def test_reset_clears_leads_requests_and_mode(self) -> None:
        self.create(amo_lead("a"))
        self.fake.set_mode("500")
        self.fake.control("POST", "reset")
        state = self.fake.state()
        self.assertEqual((state["leads"], state["requests"], state["duplicates"], state["mode"]), ([], [], {}, "ok"))


class AmoCRMFaultTest(AmoCRMTestCase):
    """Every fault mode, and that the control API itself is never faulted."""

    def test_canned_faults(self) -> None:
        cases = {
            "500": (500, "application/problem+json"),
            "502-html": (502, "text/html"),
            "429-html": (429, "text/html"),
            "403-html": (403, "text/html"),
            "401": (401, "application/problem+json"),
            "402": (402, "application/problem+json"),
        }
        for mode, (status, content_type) in cases.items():
            with self.subTest(mode):
                self.fake.set_mode(mode)
                response = self.create(amo_lead(mode))
                self.assertEqual((response.status, response.headers["Content-Type"]), (status, content_type))
                self.assertIsNone(response.headers["Retry-After"])
                self.assertEqual(self.fake.state()["mode"], mode)  # /_fake/* still answers
        self.assertEqual(self.fake.state()["requests"][-1]["mode"], "402")
        self.assert_nothing_created()

    def test_403_html_is_the_nginx_block_page(self) -> None:
        self.fake.set_mode("403-html")
        self.assertEqual(self.fake.request("GET", "/api/v4/account", headers=AMO_AUTH).body.decode(), NGINX_403)

    def test_429_json_carries_retry_after_only_when_asked(self) -> None:
        self.fake.set_mode("429", retry_after=7)
        response = self.create(amo_lead("a"))
        self.assertEqual((response.status, response.headers["Retry-After"]), (429, "7"))
        self.assertEqual(response.json()["status"], 429)
        self.fake.set_mode("429")
        self.assertIsNone(self.create(amo_lead("a")).headers["Retry-After"])
        self.assert_nothing_created()

    def test_faults_apply_to_oauth_too(self) -> None:
        self.fake.set_mode("500")
        self.assertEqual(self.fake.request("POST", "/oauth2/access_token", {}).status, 500)

    def test_garbage_is_200_with_unparseable_body(self) -> None:
        self.fake.set_mode("garbage")
        response = self.create(amo_lead("a"))
        self.assertEqual(response.status, 200)
        self.assertRaises(json.JSONDecodeError, response.json)
        self.assert_nothing_created()

    def test_slow_answers_after_the_delay(self) -> None:
        self.fake.set_mode("slow", delay_s=0.4)
        started = time.monotonic()
        self.assertEqual(self.create(amo_lead("a")).status, 200)
        self.assertGreaterEqual(time.monotonic() - started, 0.4)

    def test_hang_answers_nothing_until_the_mode_changes(self) -> None:
        self.fake.set_mode("hang")
        with self.assertRaises(TimeoutError):
            self.create(amo_lead("a"), timeout=SHORT_TIMEOUT_S)
        self.fake.set_mode("ok")
        self.assertEqual(self.create(amo_lead("b")).status, 200)
        state = self.fake.state()
        self.assertEqual([lead["request_id"] for lead in state["leads"]], ["b"])
        self.assertEqual([(r["mode"], r["status"]) for r in state["requests"]], [("hang", None), ("ok", 200)])

    def test_reset_drops_the_connection_and_creates_nothing(self) -> None:
        self.fake.set_mode("reset")
        assert_tcp_reset(self, lambda: self.create(amo_lead("a")))
        state = self.fake.state()
        self.assertEqual((state["created_total"], state["requests"][0]["status"]), (0, None))

    def test_lost_reply_creates_the_lead_but_drops_the_answer(self) -> None:
        self.fake.set_mode("lost-reply")
        assert_tcp_reset(self, lambda: self.create(amo_lead("lost")))
        # other endpoints: a plain reset
        assert_tcp_reset(self, lambda: self.fake.request("GET", "/api/v4/account", headers=AMO_AUTH))
        self.fake.set_mode("ok")
        [stored] = self.fake.state()["leads"]
        found = self.search("ledger:lost").json()["_embedded"]["leads"]
        self.assertEqual([lead["id"] for lead in found], [stored["id"]])
        self.create(amo_lead("lost"))  # a client that resends without reconciling makes a duplicate
        self.assertEqual(self.fake.state()["duplicates"], {"lost": 2})

    def test_timed_mode_falls_back_to_ok(self) -> None:
        self.fake.set_mode("500", seconds=0.3)
        self.assertEqual(self.create(amo_lead("a")).status, 500)
        time.sleep(0.4)
        self.assertEqual(self.create(amo_lead("b")).status, 200)
        self.assertEqual(self.fake.state()["mode"], "ok")

    def test_timed_hang_ends_when_the_mode_expires(self) -> None:
        self.fake.set_mode("hang", seconds=0.3)
        started = time.monotonic()
        assert_tcp_reset(self, lambda: self.create(amo_lead("a"), timeout=5))
        self.assertLess(time.monotonic() - started, 2)

    def mix_run(self, **params: Any) -> list[str]:
        """Send eight leads under mode mix; return the fault label the fake logged for each."""
        self.fake.control("POST", "reset")
        self.fake.set_mode("mix", delay_s=0.01, **params)
        for index in range(8):
            try:
                self.create(amo_lead(f"m{index}"), timeout=SHORT_TIMEOUT_S)
            except (ConnectionError, TimeoutError):
                pass
        return [entry["mode"] for entry in self.fake.state()["requests"]]

    def test_mix_is_seeded_and_honours_probability(self) -> None:
        self.assertEqual(self.mix_run(probability=0), ["mix:ok"] * 8)
        faults = self.mix_run(probability=1, seed=42)
        self.assertNotIn("mix:ok", faults)
        self.assertGreater(len(set(faults)), 2)
        self.assertEqual(self.mix_run(probability=1, seed=42), faults)

    def test_bad_mode_requests_are_400(self) -> None:
        for body in ({"mode": "nope"}, {"mode": "429", "retry-after": 1}, {"mode": "slow", "delay_s": -1}, []):
            with self.subTest(body=body):
                self.assertEqual(self.fake.request("POST", "/_fake/mode", body).status, 400)


class AmoCRMTokenExpiryTest(AmoCRMTestCase):
    """Its own process: expiring tokens would break the shared fake's static token for the other tests."""

    def test_expired_tokens_answer_401_until_one_refresh(self) -> None:
        self.assertEqual(self.fake.request("GET", "/api/v4/account", headers=AMO_AUTH).status, 200)
        self.assertEqual(self.fake.control("POST", "expire-tokens"), {"expired": 1})
        self.assert_problem(self.fake.request("GET", "/api/v4/account", headers=AMO_AUTH), 401)
        pair = self.fake.request("POST", "/oauth2/access_token", {
            "client_id": "fake-client", "client_secret": "fake-secret", "grant_type": "refresh_token",
            "refresh_token": "refresh-0", "redirect_uri": "https://example.org"}).json()
        fresh = {"Authorization": f"Bearer {pair['access_token']}"}
        self.assertEqual(self.fake.request("GET", "/api/v4/account", headers=fresh).status, 200)
        self.assertEqual(self.fake.state()["tokens_issued"], 1)


class AmoCRMSearchLagTest(AmoCRMTestCase):
    extra_args = ("--search-lag-s", "0.6")

    def test_new_leads_reach_search_only_after_the_lag(self) -> None:
        self.create(amo_lead("lag"))
        self.assertEqual(self.search("ledger:lag").status, 204)
        time.sleep(0.7)
        self.assertEqual(self.search("ledger:lag").status, 200)

    def test_seeded_leads_are_visible_at_once(self) -> None:
        self.fake.control("POST", "seed-lead", {"name": "already there"})
        self.assertEqual(self.search("already").status, 200)


class AmoCRMBehaviourTest(AmoCRMTestCase):
    """The real service's unkind habits, each switched on by /_fake/behaviour and off again by reset."""

    def behave(self, **behaviour: Any) -> Any:
        return self.fake.control("POST", "behaviour", behaviour)

    def listing(self, low: int, high: int, page: int = 1, limit: int = 250) -> Response:
        query = urlencode({"filter[created_at][from]": low, "filter[created_at][to]": high, "page": page,
                           "limit": limit})
        return self.fake.request("GET", f"/api/v4/leads?{query}", headers=AMO_AUTH)

    def test_created_at_is_kept_and_the_list_filters_and_pages_by_it(self) -> None:
        self.create(*[amo_lead(f"t{index}", created_at=1_700_000_000 + index) for index in range(5)])
        first = self.listing(1_700_000_001, 1_700_000_004, limit=2)
        self.assertEqual(first.status, 200)
        body = first.json()
        self.assertEqual([lead["created_at"] for lead in body["_embedded"]["leads"]], [1_700_000_001, 1_700_000_002])
        self.assertIn("next", body["_links"])
        last = self.listing(1_700_000_001, 1_700_000_004, page=2, limit=2).json()
        self.assertEqual([lead["name"] for lead in last["_embedded"]["leads"]], ["Заявка t3", "Заявка t4"])
        self.assertNotIn("next", last["_links"])
        self.assertEqual(self.listing(1_700_000_001, 1_700_000_004, page=3, limit=2).status, 204)

    def test_an_account_may_stamp_its_own_created_at(self) -> None:
        self.behave(keep_created_at=False)
        self.create(amo_lead("own", created_at=1_700_000_000))
        self.assertAlmostEqual(self.fake.state()["leads"][0]["created_at"], time.time(), delta=5)

    def test_a_refused_filter_is_400_and_an_ignored_one_lists_everything(self) -> None:
        self.create(amo_lead("a", created_at=1_700_000_000), amo_lead("b", created_at=1_800_000_000))
        self.behave(list_filter="refused")
        self.assert_problem(self.listing(1_700_000_000, 1_700_000_000), 400)
        self.behave(list_filter="ignored")
        self.assertEqual(len(self.listing(1_700_000_000, 1_700_000_000).json()["_embedded"]["leads"]), 2)

    def test_search_behaviours(self) -> None:
        for start in (0, 30):
            self.create(*[amo_lead(f"needle-{index:04d}") for index in range(start, start + 30)])
        self.assertEqual(self.search("ledger:needle-0042").status, 200)
        self.behave(search="missing")
        self.assertEqual(self.search("ledger:needle-0042").status, 204)
        self.behave(search="ignored")
        ignored = self.search("ledger:needle-0042", "&limit=5").json()["_embedded"]["leads"]
        self.assertEqual([lead["name"] for lead in ignored], [f"Заявка needle-{index:04d}" for index in range(5)])
        self.behave(search="fuzzy")
        fuzzy = self.search("ledger:needle-0042").json()["_embedded"]["leads"]
        self.assertEqual(len(fuzzy), 50)  # every lead shares a word with the needle; the order is not relevance
        self.behave(search="lagging")
        self.assertEqual(self.search("ledger:needle-0042").status, 204)
        self.assertEqual(self.fake.state()["behaviour"]["search_lag_s"], 600.0)
        self.fake.control("POST", "reset")
        self.assertEqual(self.fake.state()["behaviour"]["search"], "exact")

    def test_duplicate_control_merges_into_the_lead_with_the_same_phone(self) -> None:
        self.behave(duplicate_control=True)
        [first] = self.create(amo_lead("m1")).json()
        [second] = self.create(amo_lead("m2")).json()
        self.assertEqual((second["id"], second["merged"], first["merged"]), (first["id"], True, False))
        state = self.fake.state()
        self.assertEqual((state["created_total"], state["merged_total"]), (1, 1))

    def test_configured_ids_the_account_lacks_are_validation_errors_for_every_lead(self) -> None:
        self.behave(refuse_field_ids=[444], refuse_pipeline_ids=[111])
        problem = self.assert_problem(self.create(amo_lead("c1"), amo_lead("c2")), 400)
        paths = [[error["path"] for error in group["errors"]] for group in problem["validation-errors"]]
        self.assertEqual(paths, [["pipeline_id", "custom_fields_values.0.field_id"]] * 2)
        self.assert_nothing_created()

    def test_unknown_behaviour_is_400(self) -> None:
        self.assertEqual(self.fake.request("POST", "/_fake/behaviour", {"search": "psychic"}).status, 400)
        self.assertEqual(self.fake.request("POST", "/_fake/behaviour", {"seach": "exact"}).status, 400)

    def test_opaque_400_244_has_no_validation_errors(self) -> None:
        self.fake.set_mode("400-244")
        problem = self.assert_problem(self.create(amo_lead("o")), 400)
        self.assertNotIn("validation-errors", problem)
        self.assertIn("244", problem["detail"])
        self.assert_nothing_created()



class AmoCRMAccountSetupTest(AmoCRMTestCase):
    """What `leadledger check-amocrm` reads: pipelines, custom fields and the clock, and the switches that spoil them."""

    def behave(self, **behaviour: Any) -> Any:
        return self.fake.control("POST", "behaviour", behaviour)

    def get(self, path: str) -> Response:
        return self.fake.request("GET", path, headers=AMO_AUTH)

    def test_pipelines_list_the_main_pipeline_and_its_stages(self) -> None:
        self.assertEqual(self.fake.request("GET", "/api/v4/leads/pipelines").status, 401)
        [pipeline] = self.get("/api/v4/leads/pipelines").json()["_embedded"]["pipelines"]
        self.assertEqual((pipeline["id"], pipeline["is_main"]), (1, True))
        self.assertEqual([status["id"] for status in pipeline["_embedded"]["statuses"]], [10, 142, 143])
        self.behave(refuse_status_ids=[10])
        [pipeline] = self.get("/api/v4/leads/pipelines").json()["_embedded"]["pipelines"]
        self.assertEqual([status["id"] for status in pipeline["_embedded"]["statuses"]], [142, 143])
        self.behave(refuse_pipeline_ids=[1])
        self.assertEqual(self.get("/api/v4/leads/pipelines").json()["_embedded"]["pipelines"], [])

    def test_custom_fields_are_paged_and_can_be_replaced_or_refused(self) -> None:
        first = self.get("/api/v4/leads/custom_fields?page=1&limit=3").json()
        self.assertEqual([item["id"] for item in first["_embedded"]["custom_fields"]], [900001, 900002, 900003])
        self.assertIn("next", first["_links"])
        last = self.get("/api/v4/leads/custom_fields?page=2&limit=3").json()
        self.assertEqual([(item["id"], item["type"]) for item in last["_embedded"]["custom_fields"]],
                         [(900004, "numeric")])
        self.assertNotIn("next", last["_links"])
        self.assertEqual(self.get("/api/v4/leads/custom_fields?page=3&limit=3").status, 204)
        contacts = self.get("/api/v4/contacts/custom_fields").json()["_embedded"]["custom_fields"]
        self.assertEqual({item["code"] for item in contacts}, {"PHONE", "EMAIL"})
        self.behave(refuse_field_ids=[900002], contact_fields=[{"id": 1, "name": "Phone", "type": "multitext",
                                                                  "code": "PHONE"}])
        leads = self.get("/api/v4/leads/custom_fields").json()["_embedded"]["custom_fields"]
        self.assertEqual([item["id"] for item in leads], [900001, 900003, 900004])
        contacts = self.get("/api/v4/contacts/custom_fields").json()["_embedded"]["custom_fields"]
        self.assertEqual([item["code"] for item in contacts], ["PHONE"])
        self.behave(contact_fields=[])
        self.assertEqual(self.get("/api/v4/contacts/custom_fields").status, 204)

    def test_bad_field_lists_and_skews_are_400(self) -> None:
        for body in ({"lead_fields": {"id": 1}}, {"lead_fields": [{"id": "1", "name": "x", "type": "text"}]},
                     {"contact_fields": [{"id": 1, "name": "x", "type": "text", "colour": "red"}]},
                     {"clock_skew_s": "soon"}, {"clock_skew_s": True}):
            self.assertEqual(self.fake.request("POST", "/_fake/behaviour", body).status, 400, body)

    def test_clock_skew_shifts_the_date_header(self) -> None:
        def offset() -> float:
            date = self.get("/api/v4/account").headers["Date"]
            return email.utils.parsedate_to_datetime(date).timestamp() - time.time()

        self.assertLess(abs(offset()), 2)
        self.behave(clock_skew_s=-600)
        self.assertAlmostEqual(offset(), -600, delta=2)
        self.fake.control("POST", "reset")
        self.assertLess(abs(offset()), 2)


class AmoCRMRevokedIntegrationTest(AmoCRMTestCase):
    """Its own process: the revocation outlives a reset, as OAuth state does."""

    def test_a_revoked_integration_refuses_refresh_until_granted_again(self) -> None:
        self.fake.control("POST", "revoke-refresh")
        self.assertEqual(self.fake.request("GET", "/api/v4/account", headers=AMO_AUTH).status, 401)
        refresh = {"grant_type": "refresh_token", "client_id": "fake-client", "client_secret": "fake-secret",
                   "refresh_token": "refresh-0"}
        self.assertEqual(self.fake.request("POST", "/oauth2/access_token", refresh).status, 400)
        pair = self.fake.control("POST", "grant")
        ok = self.fake.request("GET", "/api/v4/account", headers={"Authorization": f"Bearer {pair['access_token']}"})
        self.assertEqual(ok.status, 200)


class AmoCRMNotesTest(AmoCRMTestCase):
    """Notes as the reactor adds and checks them: request ids echoed, lists by lead, a lost reply that still added."""

    def test_notes_echo_request_ids_and_are_listed_by_lead(self) -> None:
        first = self.create(amo_lead("a")).json()[0]["id"]
        second = self.create(amo_lead("b")).json()[0]["id"]
        notes = [{"entity_id": first, "note_type": "common", "request_id": "ledger-1", "params": {"text": "один"}},
                 {"entity_id": second, "note_type": "common", "request_id": "ledger-2", "params": {"text": "два"}}]
        added = self.fake.request("POST", "/api/v4/leads/notes", notes, AMO_AUTH).json()["_embedded"]["notes"]
        self.assertEqual([note["request_id"] for note in added], ["ledger-1", "ledger-2"])
        listed = self.fake.request(
            "GET", f"/api/v4/leads/notes?filter%5Bentity_id%5D%5B%5D={second}&filter%5Bnote_type%5D=common",
            None, AMO_AUTH).json()["_embedded"]["notes"]
        self.assertEqual([(note["entity_id"], note["params"]["text"]) for note in listed], [(second, "два")])
        none = self.fake.request("GET", "/api/v4/leads/notes?filter%5Bentity_id%5D%5B%5D=1", None, AMO_AUTH)
        self.assertEqual(none.status, 204)

    def test_a_lost_note_reply_still_adds_the_note_and_a_resend_is_a_counted_duplicate(self) -> None:
        lead_id = self.create(amo_lead("lost")).json()[0]["id"]
        note = [{"entity_id": lead_id, "note_type": "common", "params": {"text": "потерянный ответ"}}]
        self.fake.control("POST", "mode", {"mode": "lost-reply"})
        try:
            with self.assertRaises(Exception):
                self.fake.request("POST", "/api/v4/leads/notes", note, AMO_AUTH)
        finally:
            self.fake.control("POST", "mode", {"mode": "ok"})
        self.assertEqual(self.fake.request("POST", "/api/v4/leads/notes", note, AMO_AUTH).status, 200)
        self.assertEqual(self.fake.state()["note_duplicates"], 1)


    def test_a_note_fault_fails_notes_only(self) -> None:
        lead_id = self.create(amo_lead("nf")).json()[0]["id"]
        self.fake.control("POST", "behaviour", {"note_fault": "500"})
        note = [{"entity_id": lead_id, "note_type": "common", "params": {"text": "x"}}]
        self.assertEqual(self.fake.request("POST", "/api/v4/leads/notes", note, AMO_AUTH).status, 500)
        self.assertEqual(self.create(amo_lead("still")).status, 200)
        self.assertEqual(self.fake.state()["notes"], [])
        self.assertEqual(self.fake.request("POST", "/_fake/behaviour", {"note_fault": "sometimes"}).status, 400)


class AmoCRMNotesAndRateLimitTest(AmoCRMTestCase):
    extra_args = ("--rate-limit", "3")

    def test_notes_attach_to_existing_leads_only(self) -> None:
        lead_id = self.create(amo_lead("n")).json()[0]["id"]
        note = [{"entity_id": lead_id, "note_type": "common", "params": {"text": "comment: перезвоните"}}]
        self.assertEqual(self.fake.request("POST", "/api/v4/leads/notes", note, AMO_AUTH).status, 200)
        unknown = [{"entity_id": 1, "note_type": "common", "params": {"text": "x"}}]
        self.assert_problem(self.fake.request("POST", "/api/v4/leads/notes", unknown, AMO_AUTH), 400)
        self.assertEqual(self.fake.state()["notes"], [
            {"id": 1, "entity_id": lead_id, "note_type": "common", "text": "comment: перезвоните"}])

    def test_requests_beyond_the_rate_limit_get_429_without_retry_after(self) -> None:
        time.sleep(1.1)
        statuses = [self.fake.request("GET", "/api/v4/account", None, AMO_AUTH).status for _ in range(5)]
        self.assertEqual(statuses[:3], [200, 200, 200])
        self.assertIn(429, statuses[3:])
        self.assertGreaterEqual(self.fake.state()["rate_limited_total"], 1)


class TelegramTest(unittest.TestCase):
    fake: FakeProcess

    @classmethod
    def setUpClass(cls) -> None:
        cls.fake = FakeProcess("fake_telegram.py")

    @classmethod
    def tearDownClass(cls) -> None:
        assert cls.fake.stop() == 0, "fake_telegram did not exit cleanly on SIGTERM"

    def setUp(self) -> None:
        self.fake.control("POST", "reset")

    def send(self, text: str, chat_id: Any = TG_CHAT, timeout: float = 5.0, **fields: Any) -> Response:
        return self.fake.request("POST", f"/bot{TG_TOKEN}/sendMessage",
                                 {"chat_id": chat_id, "text": text, **fields}, timeout=timeout)

    def assert_error(self, response: Response, status: int, description: str) -> dict[str, Any]:
        body = response.json()
        self.assertEqual((response.status, body["ok"], body["error_code"]), (status, False, status))
        self.assertTrue(body["description"].startswith(description), body["description"])
        return body

    def test_send_message_succeeds_and_is_recorded(self) -> None:
        response = self.send("hello", parse_mode="HTML", link_preview_options={"is_disabled": True})
        body = response.json()
        self.assertEqual((response.status, body["ok"]), (200, True))
        result = body["result"]
        self.assertEqual((result["chat"], result["text"]), ({"id": TG_CHAT, "type": "supergroup"}, "hello"))
        self.assertAlmostEqual(result["date"], time.time(), delta=5)
        [message] = self.fake.state()["messages"]
        self.assertEqual((message["chat_id"], message["text"], message["parse_mode"]), (TG_CHAT, "hello", "HTML"))
        self.assertEqual(self.send("again").json()["result"]["message_id"], result["message_id"] + 1)

    def test_summary_state_counts_messages(self) -> None:
        self.send("one")
        self.send("two")
        self.assertEqual(self.fake.control("GET", "state?summary=1"),
                         {"messages_total": 2, "requests_total": 2, "mode": "ok"})

    def test_form_and_query_bodies_work(self) -> None:
        fields = {"chat_id": str(TG_CHAT), "text": "form", "disable_web_page_preview": "true"}
        form = self.fake.request("POST", f"/bot{TG_TOKEN}/sendMessage", urlencode(fields),
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(form.status, 200)
        query = self.fake.request("GET", f"/bot{TG_TOKEN}/SENDMESSAGE?{urlencode({'chat_id': TG_CHAT, 'text': 'q'})}")
        self.assertEqual(query.status, 200)
        self.assertEqual([m["text"] for m in self.fake.state()["messages"]], ["form", "q"])

    def test_get_me(self) -> None:
        for method in ("GET", "POST"):
            body = self.fake.request(method, f"/bot{TG_TOKEN}/getMe").json()
            self.assertEqual(body["result"]["username"], "fake_bot")
            self.assertTrue(body["ok"])

    def test_request_errors(self) -> None:
        wrong_token = self.fake.request("POST", "/bot999:other/sendMessage", {"chat_id": TG_CHAT, "text": "x"})
        self.assertEqual(wrong_token.json(), {"ok": False, "error_code": 401, "description": "Unauthorized"})
        self.assert_error(self.send("x", chat_id=-42), 400, "Bad Request: chat not found")
        self.assert_error(self.send("x", chat_id=None), 400, "Bad Request: chat_id is empty")
        self.assert_error(self.send(""), 400, "Bad Request: message text is empty")
        self.assert_error(self.send("<b> </b>", parse_mode="HTML"), 400, "Bad Request: message text is empty")
        self.assertEqual(self.fake.state()["messages"], [])

    def test_length_limit_counts_utf16_units_after_markup(self) -> None:
        emoji = "\N{GRINNING FACE}"  # one str character, two UTF-16 units
        self.assertEqual(self.send("a" * 4096).status, 200)
        self.assertEqual(self.send(emoji * 2048).status, 200)
        self.assertEqual(self.send(f"<b>{'a' * 4096}</b>", parse_mode="HTML").status, 200)
        self.assert_error(self.send("a" * 4097), 400, "Bad Request: message is too long")
        self.assert_error(self.send(emoji * 2049), 400, "Bad Request: message is too long")

    def test_valid_html_is_accepted_and_stripped(self) -> None:
        text = ('<b>New lead</b> <i>x</i> <a href="https://x.ru/?a=1&amp;b=2">link</a> <pre><code class="c">'
                '&lt;tag&gt; &amp; &quot; &#33; &#x21;</code></pre> <tg-spoiler>s</tg-spoiler> <u>u</u>')
        response = self.send(text, parse_mode="HTML")
        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.json()["result"]["text"], 'New lead x link <tag> & " ! ! s u')

    def test_invalid_html_is_rejected(self) -> None:
        for text in ("<div>x</div>", "<b>x", "<b>x</i>", "x</b>", "a & b", "a < b", "&nbsp;", "<br/>"):
            with self.subTest(text=text):
                self.assert_error(self.send(text, parse_mode="HTML"), 400, "Bad Request: can't parse entities: ")
        self.assertEqual(self.send("a & b < c").status, 200)  # plain text needs no escaping

    def test_canned_faults(self) -> None:
        self.fake.set_mode("429", retry_after=5)
        body = self.assert_error(self.send("x"), 429, "Too Many Requests: retry after 5")
        self.assertEqual(body["parameters"], {"retry_after": 5})
        self.fake.set_mode("500")
        self.assert_error(self.send("x"), 500, "Internal Server Error")
        self.fake.set_mode("502-html")
        response = self.send("x")
        self.assertEqual((response.status, response.headers["Content-Type"]), (502, "text/html"))
        self.fake.set_mode("blocked")
        self.assert_error(self.send("x"), 403, "Forbidden: bot was blocked by the user")
        self.fake.set_mode("revoked")
        self.assert_error(self.send("x"), 401, "Unauthorized")
        self.fake.set_mode("too-long")
        self.assert_error(self.send("x"), 400, "Bad Request: message is too long")
        self.assertEqual(self.fake.state()["messages"], [])

    def test_down_resets_the_connection(self) -> None:
        self.fake.set_mode("down")
        assert_tcp_reset(self, lambda: self.send("x"))
        self.assertIsNone(self.fake.state()["requests"][0]["status"])

    def test_hang_answers_nothing(self) -> None:
        self.fake.set_mode("hang")
        with self.assertRaises(TimeoutError):
            self.send("x", timeout=SHORT_TIMEOUT_S)
        self.fake.set_mode("ok")
        self.assertEqual(self.send("y").status, 200)

    def test_migrate_moves_the_chat_to_the_supergroup(self) -> None:
        self.assert_error(self.send("x", chat_id=-100999), 400, "Bad Request: chat not found")
        self.fake.set_mode("migrate")
        body = self.assert_error(self.send("x"), 400, "Bad Request: group chat was upgraded to a supergroup chat")
        self.assertEqual(body["parameters"], {"migrate_to_chat_id": -100999})
        self.assertEqual(self.send("x", chat_id=-100999).status, 200)
        self.assertEqual([m["chat_id"] for m in self.fake.state()["messages"]], [-100999])

    def test_reset_clears_messages_requests_and_migration(self) -> None:
        self.fake.set_mode("migrate")
        self.send("x")
        self.fake.control("POST", "reset")
        state = self.fake.state()
        self.assertEqual((state["messages"], state["requests"], state["mode"]), ([], [], "ok"))
        self.assert_error(self.send("x", chat_id=-100999), 400, "Bad Request: chat not found")


class ShutdownTest(unittest.TestCase):
    """A supervisor's stop signal must end a fake promptly even while requests are hanging."""

    def assert_stops_while_hanging(self, script: str, path: str, signum: int) -> None:
        fake = FakeProcess(script)
        try:
            fake.set_mode("hang")
            caller = threading.Thread(target=self.call_ignoring_errors, args=(fake, path), daemon=True)
            caller.start()
            time.sleep(0.2)
            started = time.monotonic()
            self.assertEqual(fake.stop(signum), 0)
            self.assertLess(time.monotonic() - started, 2)
        finally:
            if fake.proc.poll() is None:
                fake.proc.kill()
                fake.proc.wait()

    @staticmethod
    def call_ignoring_errors(fake: FakeProcess, path: str) -> None:
        try:
            fake.request("GET", path, timeout=3)
        except (ConnectionError, TimeoutError):
            pass

    def test_amocrm_stops_on_sigterm(self) -> None:
        self.assert_stops_while_hanging("fake_amocrm.py", "/api/v4/account", signal.SIGTERM)

    def test_telegram_stops_on_sigint(self) -> None:
        self.assert_stops_while_hanging("fake_telegram.py", f"/bot{TG_TOKEN}/getMe", signal.SIGINT)


if __name__ == "__main__":
    unittest.main()

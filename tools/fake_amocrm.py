#!/usr/bin/env python3
"""Local stand-in for the AmoCRM (Kommo) REST API v4, for LeadLedger's end-to-end and chaos tests.

    python3 tools/fake_amocrm.py --port 0 [--host 127.0.0.1] [--token TOKEN] [--search-lag-s 0] [--port-file PATH]
                                 [--refresh-token refresh-0] [--client-id fake-client] [--client-secret fake-secret]

It imitates what the reactor depends on (as AmoCRM's v4 documentation describes it):
  POST /api/v4/leads/complex   1..50 leads, all-or-nothing validation, reply one element per lead in order
  GET  /api/v4/leads?query=    substring search over name and lead custom-field values; nothing found = 204, empty body;
                               leads younger than --search-lag-s are not yet visible (index lag)
  GET  /api/v4/account         cheap authorised read (circuit-breaker probe)
  POST /api/v4/leads/notes     common notes on existing leads (comment, page, extra form fields)
  POST /oauth2/access_token    refresh tokens are single-use
and lets a test inject the failures seen in production through POST /_fake/mode (see README-fakes.md), then check
what really reached "the CRM" with GET /_fake/state: every lead created, duplicates per request_id, the request log
and the busiest 1-second window (the real limit is 7 req/s).
"""

from __future__ import annotations

import argparse
import collections
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

from fakes_common import (
    HANG_CAP_S,
    BadRequest,
    FakeApp,
    Fault,
    Outcome,
    Reply,
    Request,
    add_server_arguments,
    json_reply,
    nginx_page,
    now_ms,
    parse_json_body,
    serve,
    whole_seconds,
)

LEAD_ID_START = 10_000_001
CONTACT_ID_START = 20_000_001
MAX_LEADS_PER_REQUEST = 50
MAX_CUSTOM_FIELD_VALUES = 40
LEAD_CAP = 1_000_000
SEARCH_LIMIT_DEFAULT = 50
SEARCH_LIMIT_MAX = 250
DEFAULT_PIPELINE_ID = 1
DEFAULT_RESPONSIBLE_USER_ID = 1000001  # the integration's owner, AmoCRM's default
DEFAULT_STATUS_ID = 10
REJECT_MARKER = "REJECT-ME"
SLOW_DELAY_DEFAULT_S = 2.0
MIX_PROBABILITY_DEFAULT = 0.5
MIX_HANG_CAP_S = 40.0
MIX_FAULTS = ("slow", "500", "429", "429-html", "hang", "reset", "lost-reply")
COMPLEX_PATH = "/api/v4/leads/complex"

HAL_JSON = "application/hal+json"
PROBLEM_JSON = "application/problem+json"
TITLES = {400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 404: "Not Found",
          429: "Too Many Requests", 500: "Internal Server Error"}
# A reply cut off mid-way: 200 and the right content type, but the body does not parse.
GARBAGE_BODY = b'[{"id": 10000001, "contact_id": 2000'


def problem(status: int, detail: str, **extra: Any) -> Reply:
    """AmoCRM's application/problem+json error body."""
    payload = {"title": TITLES[status], "type": f"https://httpstatus.es/{status}", "status": status,
               "detail": detail, **extra}
    return json_reply(status, payload, PROBLEM_JSON)


def oauth_error(status: int, hint: str) -> Reply:
    """The OAuth server's error shape: title/hint/status, no problem `type`."""
    return json_reply(status, {"title": TITLES[status], "hint": hint, "status": status})


def too_many_requests(params: dict[str, Any]) -> Reply:
    """JSON 429; Retry-After only when the test asks for it, since the real API documents none."""
    headers = {"Retry-After": str(whole_seconds(params["retry_after"]))} if "retry_after" in params else {}
    return json_reply(429, {"title": TITLES[429], "type": "https://httpstatus.es/429", "status": 429,
                            "detail": "Too many requests (injected by fake)"}, PROBLEM_JSON, **headers)


# Faults that replace the answer outright, without touching the lead store.
CANNED_FAULTS: dict[str, Callable[[dict[str, Any]], Reply]] = {
    "500": lambda _p: problem(500, "Internal server error (injected by fake)"),
    "502-html": lambda _p: nginx_page(502, "Bad Gateway"),
    "429": too_many_requests,
    "429-html": lambda _p: nginx_page(429, "Too Many Requests"),
    "403-html": lambda _p: nginx_page(403, "Forbidden"),
    "401": lambda _p: problem(401, "Token has been revoked (injected by fake)"),
    "402": lambda _p: problem(402, "Account tariff does not allow API access (injected by fake)"),
    "garbage": lambda _p: Reply(200, GARBAGE_BODY, HAL_JSON),
}
MODES = frozenset({"ok", "slow", "hang", "reset", "lost-reply", "mix", *CANNED_FAULTS})


def validation_error(code: str, path: str, detail: str) -> dict[str, str]:
    return {"code": code, "path": path, "detail": detail}


def shape_errors(lead: dict[str, Any]) -> list[dict[str, str]]:
    """Type and limit checks the real API enforces, so a malformed payload from our client fails here too."""
    errors = []
    if not isinstance(lead.get("name", ""), str):
        errors.append(validation_error("InvalidType", "name", "name must be a string"))
    values = lead.get("custom_fields_values") or []
    if not isinstance(values, list):
        errors.append(validation_error("InvalidType", "custom_fields_values", "must be an array"))
    elif len(values) > MAX_CUSTOM_FIELD_VALUES:
        errors.append(validation_error("NotSupportedChoice", "custom_fields_values",
                                       f"at most {MAX_CUSTOM_FIELD_VALUES} values per entity"))
    embedded = lead.get("_embedded") or {}
    contacts = (embedded.get("contacts") or []) if isinstance(embedded, dict) else None
    if not isinstance(contacts, list) or not all(isinstance(contact, dict) for contact in contacts):
        errors.append(validation_error("InvalidType", "_embedded.contacts", "must be an array of objects"))
    elif len(contacts) > 1:
        errors.append(validation_error("NotSupportedChoice", "_embedded.contacts", "at most one contact per lead"))
    return errors


def lead_errors(lead: dict[str, Any]) -> list[dict[str, str]]:
    """Shape errors plus the REJECT-ME test hook, which lets a test provoke a permanent 400 on demand: the marker in
    the lead's name or in its contact's first name (where a ledger puts the person's name)."""
    errors = shape_errors(lead)
    name = lead.get("name")
    if isinstance(name, str) and REJECT_MARKER in name:
        errors.append(validation_error("NotSupportedChoice", "name", "rejected by fake"))
    contacts = (lead.get("_embedded") or {}).get("contacts") or []
    for index, contact in enumerate(contacts if isinstance(contacts, list) else []):
        first_name = contact.get("first_name") if isinstance(contact, dict) else None
        if isinstance(first_name, str) and REJECT_MARKER in first_name:
            errors.append(validation_error("NotSupportedChoice", f"_embedded.contacts.{index}.first_name", "rejected by fake"))
    return errors


@dataclass
class StoredLead:
    """A lead as the fake CRM holds it; `visible_at` (monotonic) models the search index lag."""

    id: int
    name: str
    request_id: Optional[str]
    price: Any
    pipeline_id: Any
    status_id: Any
    responsible_user_id: Any
    custom_fields_values: list[Any]
    contact: Optional[dict[str, Any]]
    tags: Any
    metadata: Any
    created_at_ms: int
    seeded: bool
    visible_at: float

    def matches(self, needle: str) -> bool:
        """Case-insensitive substring match over the name and the lead's own string custom-field values."""
        texts = [self.name] + [value.get("value") for field in self.custom_fields_values if isinstance(field, dict)
                               for value in field.get("values") or [] if isinstance(value, dict)]
        return any(isinstance(text, str) and needle in text.casefold() for text in texts)

    def state_view(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "request_id": self.request_id, "price": self.price,
                "pipeline_id": self.pipeline_id, "status_id": self.status_id,
                "responsible_user_id": self.responsible_user_id,
                "custom_fields_values": self.custom_fields_values, "contact": self.contact, "tags": self.tags,
                "metadata": self.metadata, "created_at_ms": self.created_at_ms, "seeded": self.seeded}

    def search_view(self, with_contacts: bool) -> dict[str, Any]:
        """The lead as GET /api/v4/leads shows it; like the real API, no custom fields is `null`, not `[]`."""
        embedded: dict[str, Any] = {"tags": self.tags}
        if with_contacts:
            embedded["contacts"] = [{"id": self.contact["id"], "is_main": True}] if self.contact else []
        return {"id": self.id, "name": self.name, "price": self.price, "pipeline_id": self.pipeline_id,
                "status_id": self.status_id, "created_at": self.created_at_ms // 1000,
                "custom_fields_values": self.custom_fields_values or None, "_embedded": embedded}


class OAuthState:
    """Valid bearer tokens and the one live refresh token; an exchange revokes the token it used, as AmoCRM does.

    Survives /_fake/reset on purpose: a running client keeps the tokens it already holds.
    """

    def __init__(self, client_id: str, client_secret: str, refresh_token: str, static_token: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.revoked: set[str] = set()
        self.access_tokens = {static_token}
        self.issued = 0

    def is_authorized(self, header: Optional[str]) -> bool:
        scheme, _, token = (header or "").partition(" ")
        return scheme.lower() == "bearer" and token.strip() in self.access_tokens

    def exchange(self, body: dict[str, Any]) -> Reply:
        """grant_type=refresh_token only: the reactor never does the interactive authorization_code step."""
        if body.get("grant_type") != "refresh_token":
            return oauth_error(400, "The fake supports only grant_type=refresh_token")
        if (body.get("client_id"), body.get("client_secret")) != (self.client_id, self.client_secret):
            return oauth_error(401, "Client authentication failed")
        token = body.get("refresh_token")
        if token in self.revoked:
            return oauth_error(400, "Token has been revoked")
        if token != self.refresh_token:
            return oauth_error(400, "Cannot decrypt the refresh token")
        return json_reply(200, self.issue_pair())

    def issue_pair(self) -> dict[str, Any]:
        self.issued += 1
        self.revoked.add(self.refresh_token)
        self.refresh_token = f"refresh-{self.issued}"
        access_token = f"access-{self.issued}"
        self.access_tokens.add(access_token)
        return {"token_type": "Bearer", "expires_in": 86400, "server_time": int(time.time()),
                "access_token": access_token, "refresh_token": self.refresh_token}


class AmoCRMApp(FakeApp):
    """The fake CRM: lead store, OAuth state, routes and fault handling."""

    MODES = MODES
    MODE_PARAMS = frozenset({"delay_s", "retry_after", "probability", "seed"})

    def __init__(self, oauth: OAuthState, search_lag_s: float, rate_limit: int = 0) -> None:
        super().__init__()
        self.oauth = oauth
        self.search_lag_s = search_lag_s
        # --rate-limit: like AmoCRM's 7 requests/s, more in any 1-second window answer 429 (0 = no limit).
        self.rate_limit = rate_limit
        self.recent: collections.deque[float] = collections.deque()
        self.rate_limited_total = 0
        self.notes: list[dict[str, Any]] = []
        self.leads: list[StoredLead] = []
        self.creations_per_request_id: collections.Counter[str] = collections.Counter()
        self.next_lead_id = LEAD_ID_START
        self.next_contact_id = CONTACT_ID_START
        self.rng = random.Random()
        self.routes: dict[tuple[str, str], Callable[[Request], Reply]] = {
            ("POST", COMPLEX_PATH): self.create_complex,
            ("GET", "/api/v4/leads"): self.search_leads,
            ("GET", "/api/v4/account"): self.account,
            ("POST", "/api/v4/leads/notes"): self.add_notes,
            ("POST", "/oauth2/access_token"): self.exchange_token,
        }

    # --- faults -------------------------------------------------------------------------------------------------

    def pick_fault(self) -> Fault:
        """Resolve "mix" to one concrete fault per request, from the seeded generator so a chaos run can be replayed."""
        name, params = self.modes.current()
        if name != "mix":
            return Fault(name, params, name)
        with self.cond:
            hit = self.rng.random() < params.get("probability", MIX_PROBABILITY_DEFAULT)
            chosen = self.rng.choice(MIX_FAULTS) if hit else "ok"
        return Fault(chosen, {**params, "hang_cap_s": MIX_HANG_CAP_S}, f"mix:{chosen}")

    def set_mode(self, request: Request) -> Reply:
        """Reseed the mix generator on every mode change (`seed` absent = unpredictable)."""
        with self.cond:
            reply = super().set_mode(request)
            self.rng = random.Random(self.modes.current()[1].get("seed"))
            return reply

    def handle_api(self, request: Request, fault: Fault) -> Outcome:
        if fault.name == "slow":
            time.sleep(fault.params.get("delay_s", SLOW_DELAY_DEFAULT_S))
        elif fault.name == "hang":
            self.modes.hang(fault.params.get("hang_cap_s", HANG_CAP_S))
            return None
        elif fault.name == "reset" or (fault.name == "lost-reply" and request.path != COMPLEX_PATH):
            return None
        elif fault.name in CANNED_FAULTS:
            return CANNED_FAULTS[fault.name](fault.params)
        outcome = self.route(request)
        # lost-reply: the leads are stored, but the client never learns it (an unknown outcome).
        return None if fault.name == "lost-reply" else outcome

    # --- real API -----------------------------------------------------------------------------------------------

    def over_rate_limit(self) -> bool:
        """True when this request is one more than --rate-limit in the last second (it then counts as refused)."""
        if self.rate_limit <= 0:
            return False
        now = time.monotonic()
        with self.cond:
            while self.recent and now - self.recent[0] >= 1.0:
                self.recent.popleft()
            self.recent.append(now)
            if len(self.recent) > self.rate_limit:
                self.rate_limited_total += 1
                return True
            return False

    def route(self, request: Request) -> Reply:
        if self.over_rate_limit():
            return too_many_requests({})
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            return problem(404, f"No route for {request.method} {request.path}")
        if request.path.startswith("/api/v4/") and not self.authorized(request):
            return problem(401, "Authorization header is missing or the access token is invalid")
        try:
            return handler(request)
        except BadRequest as error:
            return problem(400, str(error))

    def authorized(self, request: Request) -> bool:
        with self.cond:
            return self.oauth.is_authorized(request.headers.get("Authorization"))

    def create_complex(self, request: Request) -> Reply:
        """All-or-nothing, like the real endpoint: one invalid lead fails the request and nothing is created."""
        leads = parse_json_body(request)
        if not isinstance(leads, list) or not 1 <= len(leads) <= MAX_LEADS_PER_REQUEST:
            raise BadRequest(f"body must be a JSON array of 1..{MAX_LEADS_PER_REQUEST} leads")
        if not all(isinstance(lead, dict) for lead in leads):
            raise BadRequest("every lead must be a JSON object")
        echo_ids = [str(lead.get("request_id", index)) for index, lead in enumerate(leads)]
        failures = [{"request_id": echo_id, "errors": errors}
                    for lead, echo_id in zip(leads, echo_ids) if (errors := lead_errors(lead))]
        if failures:
            return problem(400, "Request validation failed", **{"validation-errors": failures})
        with self.cond:
            if len(self.leads) + len(leads) > LEAD_CAP:
                return problem(500, f"fake lead store is full ({LEAD_CAP} leads); POST /_fake/reset")
            created = [self.store_lead(lead, seeded=False) for lead in leads]
        return json_reply(200, [{"id": lead.id, "contact_id": lead.contact["id"] if lead.contact else None,
                                 "company_id": None, "request_id": [echo_id], "merged": False}
                                for lead, echo_id in zip(created, echo_ids)], HAL_JSON)

    def store_lead(self, lead: dict[str, Any], seeded: bool) -> StoredLead:
        """Create one (already validated) lead and its contact; caller holds the lock."""
        embedded = lead.get("_embedded") or {}
        contacts = embedded.get("contacts") or []
        request_id = str(lead["request_id"]) if "request_id" in lead else None
        stored = StoredLead(
            id=self.next_lead_id,
            name=lead.get("name") or f"Сделка #{self.next_lead_id}",
            request_id=request_id,
            price=lead.get("price", 0),
            pipeline_id=lead.get("pipeline_id", DEFAULT_PIPELINE_ID),
            status_id=lead.get("status_id", DEFAULT_STATUS_ID),
            responsible_user_id=lead.get("responsible_user_id", DEFAULT_RESPONSIBLE_USER_ID),
            custom_fields_values=lead.get("custom_fields_values") or [],
            contact=self.store_contact(contacts[0]) if contacts else None,
            tags=embedded.get("tags") or [],
            metadata=embedded.get("metadata"),
            created_at_ms=now_ms(),
            seeded=seeded,
            visible_at=time.monotonic() + (0.0 if seeded else self.search_lag_s),
        )
        self.next_lead_id += 1
        self.leads.append(stored)
        if request_id is not None:
            self.creations_per_request_id[request_id] += 1
        return stored

    def store_contact(self, contact: dict[str, Any]) -> dict[str, Any]:
        stored = {**contact, "id": self.next_contact_id}
        self.next_contact_id += 1
        return stored

    def search_leads(self, request: Request) -> Reply:
        """Full-text-ish search; an empty result is 204 with no body, which is what real AmoCRM sends."""
        limit = parse_limit(request.query_value("limit"))
        with_contacts = "contacts" in (request.query_value("with") or "").split(",")
        needle = (request.query_value("query") or "").casefold()
        now = time.monotonic()
        with self.cond:
            found = [lead for lead in self.leads if lead.visible_at <= now and lead.matches(needle)][:limit]
            views = [lead.search_view(with_contacts) for lead in found]
        if not views:
            return Reply(204)
        return json_reply(200, {"_page": 1, "_links": {}, "_embedded": {"leads": views}}, HAL_JSON)

    def add_notes(self, request: Request) -> Reply:
        """`POST /api/v4/leads/notes`: common notes on existing leads (the reactor puts comment and page there)."""
        notes = parse_json_body(request)
        if not isinstance(notes, list) or not all(isinstance(note, dict) for note in notes):
            raise BadRequest("body must be a JSON array of notes")
        with self.cond:
            known = {lead.id for lead in self.leads}
            if any(note.get("entity_id") not in known for note in notes):
                return problem(400, "entity_id is not an existing lead")
            for note in notes:
                self.notes.append({"entity_id": note.get("entity_id"), "note_type": note.get("note_type"),
                                   "text": (note.get("params") or {}).get("text")})
        return json_reply(200, {"_embedded": {"notes": [{"id": index + 1, "entity_id": note.get("entity_id")}
                                                        for index, note in enumerate(notes)]}}, HAL_JSON)

    def account(self, _request: Request) -> Reply:
        return json_reply(200, {"id": 1, "name": "fake", "subdomain": "fake"}, HAL_JSON)

    def exchange_token(self, request: Request) -> Reply:
        body = parse_json_body(request)
        if not isinstance(body, dict):
            raise BadRequest("body must be a JSON object")
        with self.cond:
            return self.oauth.exchange(body)

    # --- control API --------------------------------------------------------------------------------------------

    def control_routes(self) -> dict[tuple[str, str], Callable[[Request], Reply]]:
        return {**super().control_routes(), ("POST", "/_fake/seed-lead"): self.seed_lead,
                ("POST", "/_fake/expire-tokens"): self.expire_tokens}

    def expire_tokens(self, _request: Request) -> Reply:
        """Every access token handed out so far stops working (401), as when one expires; the live refresh token
        still works, so a client that refreshes once carries on."""
        with self.cond:
            expired = len(self.oauth.access_tokens)
            self.oauth.access_tokens.clear()
        return json_reply(200, {"expired": expired})

    def seed_lead(self, request: Request) -> Reply:
        """Put a lead straight into the CRM ("it is already there"), visible to search at once, for reconcile tests."""
        lead = parse_json_body(request)
        if not isinstance(lead, dict):
            raise BadRequest("seed-lead body must be a JSON object")
        errors = shape_errors(lead)
        if errors:
            raise BadRequest(f"invalid lead: {errors}")
        with self.cond:
            return json_reply(200, {"id": self.store_lead(lead, seeded=True).id})

    def data_state(self) -> dict[str, Any]:
        return {
            "leads": [lead.state_view() for lead in self.leads],
            "created_total": len(self.leads),
            "duplicates": {rid: count for rid, count in self.creations_per_request_id.items() if count > 1},
            "max_requests_in_any_1s_window": self.log.max_in_1s,
            "rate_limited_total": self.rate_limited_total,
            "notes": list(self.notes),
            "tokens_issued": self.oauth.issued,
        }

    def data_summary(self) -> dict[str, Any]:
        return {
            "created_total": len(self.leads),
            "request_ids_total": len(self.creations_per_request_id),
            "duplicates": {rid: count for rid, count in self.creations_per_request_id.items() if count > 1},
            "max_requests_in_any_1s_window": self.log.max_in_1s,
            "rate_limited_total": self.rate_limited_total,
            "notes_total": len(self.notes),
            "tokens_issued": self.oauth.issued,
        }

    def reset_data(self) -> None:
        """Forget leads and counters; id sequences keep counting so an id is never handed out twice."""
        self.leads.clear()
        self.creations_per_request_id.clear()
        self.notes.clear()
        self.rate_limited_total = 0


def parse_limit(raw: Optional[str]) -> int:
    if raw is None:
        return SEARCH_LIMIT_DEFAULT
    if not raw.isdigit() or not 1 <= int(raw) <= SEARCH_LIMIT_MAX:
        raise BadRequest(f"limit must be an integer 1..{SEARCH_LIMIT_MAX}")
    return int(raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_server_arguments(parser)
    parser.add_argument("--token", default="fake-token", help="long-lived bearer token accepted on /api/v4/*")
    parser.add_argument("--search-lag-s", type=float, default=0.0,
                        help="seconds before a created lead is visible to GET /api/v4/leads?query=")
    parser.add_argument("--refresh-token", default="refresh-0", help="the one valid refresh token at start")
    parser.add_argument("--client-id", default="fake-client")
    parser.add_argument("--client-secret", default="fake-secret")
    parser.add_argument("--rate-limit", type=int, default=0,
                        help="answer 429 to requests beyond this many in any second, as AmoCRM does at 7 (0 = off)")
    args = parser.parse_args()
    oauth = OAuthState(args.client_id, args.client_secret, args.refresh_token, args.token)
    serve(AmoCRMApp(oauth, args.search_lag_s, args.rate_limit), args)


if __name__ == "__main__":
    main()

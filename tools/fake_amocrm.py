#!/usr/bin/env python3
"""Local stand-in for the AmoCRM (Kommo) REST API v4, for LeadLedger's end-to-end and chaos tests.

    python3 tools/fake_amocrm.py --port 0 [--host 127.0.0.1] [--token TOKEN] [--search-lag-s 0] [--port-file PATH]
                                 [--refresh-token refresh-0] [--client-id fake-client] [--client-secret fake-secret]

It imitates what the reactor depends on (as AmoCRM's v4 documentation describes it):
  POST /api/v4/leads/complex   1..50 leads, all-or-nothing validation, reply one element per lead in order
  GET  /api/v4/leads?query=    search over name and lead custom-field values (exact, fuzzy, lagging, ignored or
                               missing: see fake_amocrm_behaviour.py); nothing found = 204, empty body
  GET  /api/v4/leads?filter[created_at][from]=&filter[created_at][to]=&page=&limit=
                               the database-backed list, paged, ordered by id (the filter may be refused or ignored)
  GET  /api/v4/account         cheap authorised read (circuit-breaker probe)
  GET  /api/v4/leads/pipelines one pipeline (id 1) with stages 10, 142 (won) and 143 (lost)
  GET  /api/v4/leads/custom_fields, GET /api/v4/contacts/custom_fields?page=&limit=
                               the account's custom fields, paged (replaceable through the behaviour)
  POST /api/v4/leads/notes     common notes on existing leads (comment, page, extra form fields); echoes request_id
  GET  /api/v4/leads/notes?filter[entity_id][]=&filter[note_type]=&page=&limit=
                               the notes on the given leads, paged (the check after a note's lost reply)
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

from fake_amocrm_behaviour import SEARCH_BEHAVIOURS, Behaviour, fuzzy_rank, tokens
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
# AmoCRM's fixed ids of the closing stages, present in every pipeline.
WON_STATUS_ID = 142
LOST_STATUS_ID = 143
REJECT_MARKER = "REJECT-ME"
SLOW_DELAY_DEFAULT_S = 2.0
MIX_PROBABILITY_DEFAULT = 0.5
MIX_HANG_CAP_S = 40.0
MIX_FAULTS = ("slow", "500", "429", "429-html", "hang", "reset", "lost-reply")
COMPLEX_PATH = "/api/v4/leads/complex"
NOTES_PATH = "/api/v4/leads/notes"

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
    # What AmoCRM answers when the user lacks rights or the subscription ended: no validation errors, just a code.
    "400-244": lambda _p: problem(400, "Код ошибки 244. В случае повторного возникновения ошибки, обращайтесь в нашу "
                                       "техническую поддержку - support@amocrm.ru"),
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


def contact_phones(contact: Optional[dict[str, Any]]) -> set[str]:
    """A contact's PHONE values."""
    fields = (contact or {}).get("custom_fields_values") or []
    return {value["value"] for field in fields if isinstance(field, dict) and field.get("field_code") == "PHONE"
            for value in field.get("values") or [] if isinstance(value, dict) and isinstance(value.get("value"), str)}


@dataclass
class StoredLead:
    """A lead as the fake CRM holds it; `stored_mono` (monotonic) against the search lag models index lag."""

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
    # Unix seconds as the API shows them: the `created_at` the client sent, unless the account stamps its own.
    created_at: int
    seeded: bool
    stored_mono: float

    def matches(self, needle: str) -> bool:
        """Case-insensitive substring match over the name and the lead's own string custom-field values."""
        return any(isinstance(text, str) and needle in text.casefold() for text in self.texts())

    def texts(self) -> list[str]:
        """The name and the lead's own string custom-field values: what the search index holds."""
        values = [value.get("value") for field in self.custom_fields_values if isinstance(field, dict)
                  for value in field.get("values") or [] if isinstance(value, dict)]
        return [self.name] + [value for value in values if isinstance(value, str)]

    def contact_phones(self) -> set[str]:
        """The contact's PHONE values: what duplicate control matches on."""
        return contact_phones(self.contact)

    def state_view(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "request_id": self.request_id, "price": self.price,
                "pipeline_id": self.pipeline_id, "status_id": self.status_id,
                "responsible_user_id": self.responsible_user_id,
                "custom_fields_values": self.custom_fields_values, "contact": self.contact, "tags": self.tags,
                "metadata": self.metadata, "created_at_ms": self.created_at_ms, "created_at": self.created_at,
                "seeded": self.seeded}

    def search_view(self, with_contacts: bool) -> dict[str, Any]:
        """The lead as GET /api/v4/leads shows it; like the real API, no custom fields is `null`, not `[]`."""
        embedded: dict[str, Any] = {"tags": self.tags}
        if with_contacts:
            embedded["contacts"] = [{"id": self.contact["id"], "is_main": True}] if self.contact else []
        return {"id": self.id, "name": self.name, "price": self.price, "pipeline_id": self.pipeline_id,
                "status_id": self.status_id, "created_at": self.created_at,
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

    def __init__(self, oauth: OAuthState, behaviour: Behaviour, rate_limit: int = 0) -> None:
        super().__init__()
        self.oauth = oauth
        # What the command line set; /_fake/reset returns to it.
        self.initial_behaviour = behaviour
        self.behaviour = behaviour
        # --rate-limit: like AmoCRM's 7 requests/s, more in any 1-second window answer 429 (0 = no limit).
        self.rate_limit = rate_limit
        self.recent: collections.deque[float] = collections.deque()
        self.rate_limited_total = 0
        self.notes: list[dict[str, Any]] = []
        # (lead, text) pairs seen, and how many notes repeated one: counted as notes arrive, so that polling the state
        # never walks the notes under the lock that also stamps arrivals.
        self.note_texts: set[tuple[Any, Any]] = set()
        self.note_duplicates = 0
        self.next_note_id = 1
        self.merged_total = 0
        self.leads: list[StoredLead] = []
        self.creations_per_request_id: collections.Counter[str] = collections.Counter()
        self.next_lead_id = LEAD_ID_START
        self.next_contact_id = CONTACT_ID_START
        self.rng = random.Random()
        self.routes: dict[tuple[str, str], Callable[[Request], Reply]] = {
            ("POST", COMPLEX_PATH): self.create_complex,
            ("GET", "/api/v4/leads"): self.get_leads,
            ("GET", "/api/v4/account"): self.account,
            ("GET", "/api/v4/leads/pipelines"): self.pipelines,
            ("GET", "/api/v4/leads/custom_fields"): lambda request: self.custom_fields(request, "lead_fields"),
            ("GET", "/api/v4/contacts/custom_fields"): lambda request: self.custom_fields(request, "contact_fields"),
            ("POST", NOTES_PATH): self.add_notes,
            ("GET", NOTES_PATH): self.list_notes,
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
        if fault.name == "ok" and request.method == "POST" and request.path == NOTES_PATH:
            with self.cond:
                note_fault = self.behaviour.note_fault
            if note_fault != "none":
                fault = Fault(note_fault, {}, f"notes:{note_fault}")
        if fault.name == "slow":
            time.sleep(fault.params.get("delay_s", SLOW_DELAY_DEFAULT_S))
        elif fault.name == "hang":
            self.modes.hang(fault.params.get("hang_cap_s", HANG_CAP_S))
            return None
        elif fault.name == "reset" or (fault.name == "lost-reply" and not creates(request)):
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
        with self.cond:
            behaviour = self.behaviour
        failures = [{"request_id": echo_id, "errors": errors} for lead, echo_id in zip(leads, echo_ids)
                    if (errors := lead_errors(lead) + behaviour.configuration_errors(lead))]
        if failures:
            return problem(400, "Request validation failed", **{"validation-errors": failures})
        with self.cond:
            if len(self.leads) + len(leads) > LEAD_CAP:
                return problem(500, f"fake lead store is full ({LEAD_CAP} leads); POST /_fake/reset")
            answered = [self.create_or_merge(lead) for lead in leads]
        return json_reply(200, [{"id": lead.id, "contact_id": lead.contact["id"] if lead.contact else None,
                                 "company_id": None, "request_id": [echo_id], "merged": merged}
                                for (lead, merged), echo_id in zip(answered, echo_ids)], HAL_JSON)

    def create_or_merge(self, lead: dict[str, Any]) -> tuple[StoredLead, bool]:
        """With duplicate control on, a lead whose contact phone an existing lead has is merged into that lead (the
        oldest): nothing new is stored and the reply says `merged: true`. Caller holds the lock."""
        if self.behaviour.duplicate_control:
            contacts = (lead.get("_embedded") or {}).get("contacts") or []
            incoming = contact_phones(contacts[0]) if contacts else set()
            existing = next((stored for stored in self.leads if incoming & stored.contact_phones()), None)
            if existing is not None:
                self.merged_total += 1
                return existing, True
        return self.store_lead(lead, seeded=False), False

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
            created_at=self.created_at(lead),
            seeded=seeded,
            stored_mono=time.monotonic(),
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

    def created_at(self, lead: dict[str, Any]) -> int:
        """The `created_at` the client sent (unix seconds), unless the account stamps its own time."""
        sent = lead.get("created_at")
        if self.behaviour.keep_created_at and isinstance(sent, int) and not isinstance(sent, bool) and sent > 0:
            return sent
        return int(time.time())

    def get_leads(self, request: Request) -> Reply:
        """`query` makes it a search; without one it is the database-backed list."""
        if request.query_value("query") is not None:
            return self.search_leads(request)
        return self.list_leads(request)

    def search_leads(self, request: Request) -> Reply:
        """Full-text search, as kind or unkind as the behaviour says; an empty result is 204 with no body, which is
        what real AmoCRM sends."""
        limit = parse_limit(request.query_value("limit"))
        with_contacts = "contacts" in (request.query_value("with") or "").split(",")
        needle = (request.query_value("query") or "").casefold()
        now = time.monotonic()
        with self.cond:
            behaviour = self.behaviour
            indexed = [lead for lead in self.leads if lead.seeded or lead.stored_mono + behaviour.search_lag_s <= now]
            if behaviour.search == "missing":
                found = []
            elif behaviour.search == "ignored":
                found = indexed[:limit]
            elif behaviour.search == "fuzzy":
                words = tokens(needle)
                found = sorted((lead for lead in indexed if words & set().union(*map(tokens, lead.texts()))),
                               key=lambda lead: fuzzy_rank(needle, lead.id))[:limit]
            else:
                found = [lead for lead in indexed if lead.matches(needle)][:limit]
            views = [lead.search_view(with_contacts) for lead in found]
        if not views:
            return Reply(204)
        return json_reply(200, {"_page": 1, "_links": {}, "_embedded": {"leads": views}}, HAL_JSON)

    def list_leads(self, request: Request) -> Reply:
        """`GET /api/v4/leads` with `filter[created_at][from|to]`, `page` and `limit`, in id order, from the store
        itself (no index lag). `_links.next` is present while more leads follow; an empty page is 204."""
        limit = parse_limit(request.query_value("limit"))
        page = parse_page(request.query_value("page"))
        with_contacts = "contacts" in (request.query_value("with") or "").split(",")
        low = parse_bound(request.query_value("filter[created_at][from]"), "from")
        high = parse_bound(request.query_value("filter[created_at][to]"), "to")
        with self.cond:
            behaviour = self.behaviour
            filtered = low is not None or high is not None
            if filtered and behaviour.list_filter == "refused":
                return problem(400, "Filter by created_at is not available for this account")
            leads = self.leads
            if filtered and behaviour.list_filter == "honoured":
                leads = [lead for lead in leads if (low is None or lead.created_at >= low)
                         and (high is None or lead.created_at <= high)]
            start = (page - 1) * limit
            chunk = leads[start:start + limit]
            more = len(leads) > start + limit
            views = [lead.search_view(with_contacts) for lead in chunk]
        if not views:
            return Reply(204)
        links = {"self": {"href": request.target}}
        if more:
            links["next"] = {"href": f"/api/v4/leads?page={page + 1}&limit={limit}"}
        return json_reply(200, {"_page": page, "_links": links, "_embedded": {"leads": views}}, HAL_JSON)

    def add_notes(self, request: Request) -> Reply:
        """`POST /api/v4/leads/notes`: common notes on existing leads (the reactor puts comment and page there)."""
        notes = parse_json_body(request)
        if not isinstance(notes, list) or not all(isinstance(note, dict) for note in notes):
            raise BadRequest("body must be a JSON array of notes")
        with self.cond:
            known = {lead.id for lead in self.leads}
            if any(note.get("entity_id") not in known for note in notes):
                return problem(400, "entity_id is not an existing lead")
            added = []
            for note in notes:
                stored = {"id": self.next_note_id, "entity_id": note.get("entity_id"),
                          "note_type": note.get("note_type"), "text": (note.get("params") or {}).get("text")}
                self.next_note_id += 1
                self.notes.append(stored)
                if (stored["entity_id"], stored["text"]) in self.note_texts:
                    self.note_duplicates += 1
                self.note_texts.add((stored["entity_id"], stored["text"]))
                added.append({"id": stored["id"], "entity_id": stored["entity_id"],
                              **({"request_id": str(note["request_id"])} if "request_id" in note else {})})
        return json_reply(200, {"_embedded": {"notes": added}}, HAL_JSON)

    def list_notes(self, request: Request) -> Reply:
        """`GET /api/v4/leads/notes?filter[entity_id][]=…&filter[note_type]=common`: read from the store (no index,
        no lag), paged like every list; an empty page is 204."""
        limit = parse_limit(request.query_value("limit"))
        page = max(1, int(request.query_value("page") or 1))
        wanted = set()
        for raw in request.query.get("filter[entity_id][]", []) + request.query.get("filter[entity_id]", []):
            if not raw.isdigit():
                raise BadRequest("filter[entity_id] must be lead ids")
            wanted.add(int(raw))
        note_type = request.query_value("filter[note_type]")
        with self.cond:
            matching = [note for note in self.notes if (not wanted or note["entity_id"] in wanted)
                        and (note_type is None or note["note_type"] == note_type)]
        views = [{"id": note["id"], "entity_id": note["entity_id"], "note_type": note["note_type"],
                  "params": {"text": note["text"]}} for note in matching]
        return list_page(request, "notes", views, page, limit)

    def account(self, _request: Request) -> Reply:
        return json_reply(200, {"id": 1, "name": "fake", "subdomain": "fake"}, HAL_JSON)

    def pipelines(self, _request: Request) -> Reply:
        """The one main pipeline and its stages, less any the behaviour says the account lacks."""
        with self.cond:
            behaviour = self.behaviour
        stages = [(DEFAULT_STATUS_ID, "Первичный контакт"), (WON_STATUS_ID, "Успешно реализовано"),
                  (LOST_STATUS_ID, "Закрыто и не реализовано")]
        statuses = [{"id": status_id, "name": name, "pipeline_id": DEFAULT_PIPELINE_ID}
                    for status_id, name in stages if status_id not in behaviour.refuse_status_ids]
        pipelines = [{"id": DEFAULT_PIPELINE_ID, "name": "Воронка", "is_main": True, "_embedded": {"statuses": statuses}}]
        pipelines = [pipeline for pipeline in pipelines if pipeline["id"] not in behaviour.refuse_pipeline_ids]
        return json_reply(200, {"_total_items": len(pipelines), "_embedded": {"pipelines": pipelines}}, HAL_JSON)

    def custom_fields(self, request: Request, member: str) -> Reply:
        """One page of the account's lead or contact fields, in id order; `_links.next` while more follow, 204 past
        the end. Lead fields the behaviour refuses are missing, as in an account that lacks them."""
        limit = parse_limit(request.query_value("limit"))
        page = parse_page(request.query_value("page"))
        with self.cond:
            behaviour = self.behaviour
        fields = sorted(getattr(behaviour, member), key=lambda item: item["id"])
        if member == "lead_fields":
            fields = [item for item in fields if item["id"] not in behaviour.refuse_field_ids]
        return list_page(request, "custom_fields", fields, page, limit)

    def clock_skew_s(self) -> float:
        with self.cond:
            return self.behaviour.clock_skew_s

    def exchange_token(self, request: Request) -> Reply:
        body = parse_json_body(request)
        if not isinstance(body, dict):
            raise BadRequest("body must be a JSON object")
        with self.cond:
            return self.oauth.exchange(body)

    # --- control API --------------------------------------------------------------------------------------------

    def control_routes(self) -> dict[tuple[str, str], Callable[[Request], Reply]]:
        return {**super().control_routes(), ("POST", "/_fake/seed-lead"): self.seed_lead,
                ("POST", "/_fake/expire-tokens"): self.expire_tokens, ("POST", "/_fake/behaviour"): self.set_behaviour,
                ("POST", "/_fake/revoke-refresh"): self.revoke_refresh, ("POST", "/_fake/grant"): self.grant}

    def set_behaviour(self, request: Request) -> Reply:
        """Switch the real service's unkind habits on or off; members not named keep their value."""
        body = parse_json_body(request)
        with self.cond:
            self.behaviour = self.behaviour.updated(body)
            return json_reply(200, self.behaviour.view())

    def revoke_refresh(self, _request: Request) -> Reply:
        """The owner revoked the integration: every access token and the live refresh token stop working, so a
        refresh answers 400 and the API 401 until `/_fake/grant`."""
        with self.cond:
            self.oauth.access_tokens.clear()
            self.oauth.revoked.add(self.oauth.refresh_token)
            return json_reply(200, {"revoked": True})

    def grant(self, _request: Request) -> Reply:
        """The owner authorised the integration again: a fresh token pair, as the authorization-code step gives."""
        with self.cond:
            return json_reply(200, self.oauth.issue_pair())

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
            "note_duplicates": self.note_duplicates,
            "tokens_issued": self.oauth.issued,
            "merged_total": self.merged_total,
            "behaviour": self.behaviour.view(),
        }

    def data_summary(self) -> dict[str, Any]:
        return {
            "created_total": len(self.leads),
            "request_ids_total": len(self.creations_per_request_id),
            "duplicates": {rid: count for rid, count in self.creations_per_request_id.items() if count > 1},
            "max_requests_in_any_1s_window": self.log.max_in_1s,
            "rate_limited_total": self.rate_limited_total,
            "notes_total": len(self.notes),
            "note_duplicates": self.note_duplicates,
            "tokens_issued": self.oauth.issued,
            "merged_total": self.merged_total,
        }

    def reset_data(self) -> None:
        """Forget leads and counters; id sequences keep counting so an id is never handed out twice."""
        self.leads.clear()
        self.creations_per_request_id.clear()
        self.notes.clear()
        self.note_texts.clear()
        self.note_duplicates = 0
        self.rate_limited_total = 0
        self.merged_total = 0
        self.behaviour = self.initial_behaviour


def creates(request: Request) -> bool:
    """A call that stores something (a lead or a note): under `lost-reply` it is stored and its reply lost."""
    return request.method == "POST" and request.path in (COMPLEX_PATH, NOTES_PATH)


def list_page(request: Request, key: str, items: list[Any], page: int, limit: int) -> Reply:
    """One page of a HAL list: `_embedded[key]`, a `next` link while more follow, 204 past the end."""
    start = (page - 1) * limit
    chunk = items[start:start + limit]
    if not chunk:
        return Reply(204)
    links = {"self": {"href": request.target}}
    if len(items) > start + limit:
        links["next"] = {"href": f"{request.path}?page={page + 1}&limit={limit}"}
    return json_reply(200, {"_page": page, "_links": links, "_embedded": {key: chunk}}, HAL_JSON)


def parse_limit(raw: Optional[str]) -> int:
    if raw is None:
        return SEARCH_LIMIT_DEFAULT
    if not raw.isdigit() or not 1 <= int(raw) <= SEARCH_LIMIT_MAX:
        raise BadRequest(f"limit must be an integer 1..{SEARCH_LIMIT_MAX}")
    return int(raw)


def parse_page(raw: Optional[str]) -> int:
    if raw is None:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= LEAD_CAP:
        raise BadRequest("page must be a positive integer")
    return int(raw)


def parse_bound(raw: Optional[str], name: str) -> Optional[int]:
    if raw is None:
        return None
    if not raw.isdigit():
        raise BadRequest(f"filter[created_at][{name}] must be unix seconds")
    return int(raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_server_arguments(parser)
    parser.add_argument("--token", default="fake-token", help="long-lived bearer token accepted on /api/v4/*")
    parser.add_argument("--search-lag-s", type=float, default=0.0,
                        help="seconds before a created lead is visible to GET /api/v4/leads?query=")
    parser.add_argument("--search", choices=SEARCH_BEHAVIOURS, default="exact",
                        help="how GET /api/v4/leads?query= behaves (see fake_amocrm_behaviour.py)")
    parser.add_argument("--refresh-token", default="refresh-0", help="the one valid refresh token at start")
    parser.add_argument("--client-id", default="fake-client")
    parser.add_argument("--client-secret", default="fake-secret")
    parser.add_argument("--rate-limit", type=int, default=0,
                        help="answer 429 to requests beyond this many in any second, as AmoCRM does at 7 (0 = off)")
    args = parser.parse_args()
    oauth = OAuthState(args.client_id, args.client_secret, args.refresh_token, args.token)
    behaviour = Behaviour().updated({"search": args.search, **({"search_lag_s": args.search_lag_s}
                                                              if args.search_lag_s else {})})
    serve(AmoCRMApp(oauth, behaviour, args.rate_limit), args)


if __name__ == "__main__":
    main()

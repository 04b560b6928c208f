"""The unkind habits of real AmoCRM that the fake can switch on, each on its own (`POST /_fake/behaviour`).

Facts they copy (AmoCRM v4 leads and filters documentation, client libraries' issue trackers):
  * `GET /api/v4/leads?query=` is a full-text search over filled fields: fuzzy, tokenised in undocumented ways, and
    the filters page says the parameter "will be deprecated soon". Whether its index lags a create is not documented
    either way. So the fake's search can be exact, fuzzy, lagging, ignored or missing.
  * Lists with `filter[created_at][from|to]` (unix seconds), `page` and `limit` (at most 250) come from the database.
    The filter page calls some filters "alpha"; an account that refuses or ignores one is possible, so both are here.
  * `created_at` sent with a create is kept by the API; an account (or a future API) that stamps its own time instead
    is `keep_created_at: false`.
  * Duplicate control, when the account has it on, answers `merged: true` with the id of an existing lead
    (the lead with the same contact phone) instead of creating one.
  * A configured id the account does not have comes back as a 400 `NotSupportedChoice` at `pipeline_id`, `status_id`,
    `responsible_user_id` or `custom_fields_values.N.field_id`, for every lead of the request.
  * `GET /api/v4/leads/pipelines` and `GET /api/v4/{leads|contacts}/custom_fields` describe the account; a test
    replaces the custom fields (`lead_fields`, `contact_fields`) to stand for an account set up differently, and the
    `refuse_*_ids` it lacks are missing from those lists too.
  * The account's clock is not ours: `clock_skew_s` shifts the `Date` header of every reply.
  * Notes are a separate call after the create, so they can fail on their own: `note_fault` makes every
    `POST /api/v4/leads/notes` lose its reply after adding the notes (`lost-reply`) or answer 500 without adding them.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

from fakes_common import BadRequest

SEARCH_BEHAVIOURS = ("exact", "fuzzy", "lagging", "ignored", "missing")
LIST_FILTER_BEHAVIOURS = ("honoured", "refused", "ignored")
LAGGING_DEFAULT_S = 600.0
NOTE_FAULTS = ("none", "lost-reply", "500")
ID_LISTS = ("refuse_field_ids", "refuse_pipeline_ids", "refuse_status_ids", "refuse_user_ids")
FIELD_LISTS = ("lead_fields", "contact_fields")
# A small account as GET /api/v4/{leads|contacts}/custom_fields shows it: text-like lead fields, one numeric, and the
# predefined contact fields the reactor writes by code.
DEFAULT_LEAD_FIELDS = (
    {"id": 900001, "name": "Ledger id", "type": "text"},
    {"id": 900002, "name": "Page", "type": "url"},
    {"id": 900003, "name": "utm_source", "type": "tracking_data"},
    {"id": 900004, "name": "Budget", "type": "numeric"},
)
DEFAULT_CONTACT_FIELDS = (
    {"id": 800001, "name": "Телефон", "type": "multitext", "code": "PHONE"},
    {"id": 800002, "name": "Email", "type": "multitext", "code": "EMAIL"},
)


@dataclass
class Behaviour:
    """What the fake does where the real service may be unkind; the defaults are the kind, documented behaviour."""

    search: str = "exact"
    # Seconds before a created lead reaches the `query` index, in any search behaviour (`lagging` defaults it to 600).
    search_lag_s: float = 0.0
    list_filter: str = "honoured"
    keep_created_at: bool = True
    duplicate_control: bool = False
    note_fault: str = "none"
    refuse_field_ids: set[int] = field(default_factory=set)
    refuse_pipeline_ids: set[int] = field(default_factory=set)
    refuse_status_ids: set[int] = field(default_factory=set)
    refuse_user_ids: set[int] = field(default_factory=set)
    # The account's custom fields: `{"id": int, "name": str, "type": str, "code"?: str}` each.
    lead_fields: list[dict[str, Any]] = field(default_factory=lambda: [dict(f) for f in DEFAULT_LEAD_FIELDS])
    contact_fields: list[dict[str, Any]] = field(default_factory=lambda: [dict(f) for f in DEFAULT_CONTACT_FIELDS])
    # Seconds added to the time in the `Date` header of every reply (negative: the account is behind).
    clock_skew_s: float = 0.0

    def updated(self, body: Any) -> "Behaviour":
        """A copy with the members `body` names; anything unknown or mistyped is a 400, so a test cannot misspell."""
        if not isinstance(body, dict):
            raise BadRequest("behaviour body must be a JSON object")
        changed = Behaviour(**{**self.__dict__})
        for key, value in body.items():
            if key == "search":
                if value not in SEARCH_BEHAVIOURS:
                    raise BadRequest(f"search must be one of {list(SEARCH_BEHAVIOURS)}")
                changed.search = value
                if value == "lagging" and "search_lag_s" not in body:
                    changed.search_lag_s = LAGGING_DEFAULT_S
            elif key == "search_lag_s":
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    raise BadRequest("search_lag_s must be a number >= 0")
                changed.search_lag_s = float(value)
            elif key == "list_filter":
                if value not in LIST_FILTER_BEHAVIOURS:
                    raise BadRequest(f"list_filter must be one of {list(LIST_FILTER_BEHAVIOURS)}")
                changed.list_filter = value
            elif key == "note_fault":
                if value not in NOTE_FAULTS:
                    raise BadRequest(f"note_fault must be one of {list(NOTE_FAULTS)}")
                changed.note_fault = value
            elif key in ("keep_created_at", "duplicate_control"):
                if not isinstance(value, bool):
                    raise BadRequest(f"{key} must be true or false")
                setattr(changed, key, value)
            elif key in FIELD_LISTS:
                setattr(changed, key, custom_fields(key, value))
            elif key == "clock_skew_s":
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    raise BadRequest("clock_skew_s must be a number of seconds")
                changed.clock_skew_s = float(value)
            elif key in ID_LISTS:
                if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                    raise BadRequest(f"{key} must be a list of integers")
                setattr(changed, key, set(value))
            else:
                raise BadRequest(f"unknown behaviour {key!r}")
        return changed

    def view(self) -> dict[str, Any]:
        return {key: sorted(value) if isinstance(value, set) else value for key, value in self.__dict__.items()}

    def configuration_errors(self, lead: dict[str, Any]) -> list[dict[str, str]]:
        """Validation errors for configured ids the account does not have, at the paths the real API names."""
        errors = []
        for key, refused in (("pipeline_id", self.refuse_pipeline_ids), ("status_id", self.refuse_status_ids),
                             ("responsible_user_id", self.refuse_user_ids)):
            if lead.get(key) in refused:
                errors.append({"code": "NotSupportedChoice", "path": key,
                               "detail": "The value you selected is not a valid choice."})
        values = lead.get("custom_fields_values") or []
        for index, value in enumerate(values if isinstance(values, list) else []):
            if isinstance(value, dict) and value.get("field_id") in self.refuse_field_ids:
                errors.append({"code": "NotSupportedChoice", "path": f"custom_fields_values.{index}.field_id",
                               "detail": "The value you selected is not a valid choice."})
        return errors


def custom_fields(key: str, value: Any) -> list[dict[str, Any]]:
    """A replacement list of custom fields, each with an integer id, a name and a type (and maybe a code)."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BadRequest(f"{key} must be a list of fields")
    for item in value:
        if set(item) - {"id", "name", "type", "code"} or not isinstance(item.get("id"), int) \
                or isinstance(item.get("id"), bool) or not isinstance(item.get("name"), str) \
                or not isinstance(item.get("type"), str) or not isinstance(item.get("code", ""), str):
            raise BadRequest(f"{key}: each field is {{id: int, name: str, type: str, code?: str}}")
    return [dict(item) for item in value]


def tokens(text: str) -> set[str]:
    """Words as a full-text index might cut them: runs of letters and digits, at least 4 long, case-folded."""
    words, current = set(), []
    for char in text.casefold() + " ":
        if char.isalnum():
            current.append(char)
        else:
            if len(current) >= 4:
                words.add("".join(current))
            current = []
    return words


def fuzzy_rank(needle: str, lead_id: int) -> int:
    """A stable but arbitrary relevance order: the fuzzy search does not put the exact match first."""
    return zlib.crc32(f"{needle}:{lead_id}".encode())

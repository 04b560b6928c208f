#!/usr/bin/env python3
"""Local stand-in for the Telegram Bot API (sendMessage, getMe), for LeadLedger's alerting tests.

    python3 tools/fake_telegram.py --port 0 [--host 127.0.0.1] [--token 123:fake] [--chat-id -1001]
                                   [--migrate-to-chat-id -100999] [--port-file PATH]

Point LEADLEDGER_TELEGRAM_API_URL at it. It imitates the replies the alerter must classify (as the
Bot API's documentation describes them): {"ok":true,"result":Message} on success, and
{"ok":false,"error_code","description","parameters"} for a bad token (401), an unknown chat (400), empty or
over-long text (400; the limit is 4096 UTF-16 code units after markup is stripped), broken HTML markup (400 "can't
parse entities"), flood control (429 with parameters.retry_after), a blocked bot (403) and a group migrated to a
supergroup (400 with parameters.migrate_to_chat_id). Faults are switched with POST /_fake/mode (README-fakes.md);
GET /_fake/state lists every message delivered.
"""

from __future__ import annotations

import argparse
import collections
import html
import re
import time
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl

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

MESSAGE_CAP = 10_000
MAX_TEXT_UTF16_UNITS = 4096
RETRY_AFTER_DEFAULT_S = 3
BOT_PATH = re.compile(r"/bot([^/]+)/([^/]+)")
ALLOWED_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                          "tg-spoiler", "blockquote"})
# A tag, a stray "<", a valid entity, or a stray "&" — the scanner below checks them in that order.
HTML_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>|<|&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9A-Fa-f]+);|&")
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>")
MODES = frozenset({"ok", "429", "500", "502-html", "down", "hang", "blocked", "revoked", "too-long", "migrate"})


def tg_error(status: int, description: str, **parameters: Any) -> Reply:
    """The Bot API failure shape; `parameters` only when there is something in it, as Telegram does."""
    payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        payload["parameters"] = parameters
    return json_reply(status, payload)


def tg_ok(result: Any) -> Reply:
    return json_reply(200, {"ok": True, "result": result})


def flood_reply(params: dict[str, Any]) -> Reply:
    retry_after = whole_seconds(params.get("retry_after", RETRY_AFTER_DEFAULT_S))
    return tg_error(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


# Faults that replace the answer for every bot method.
CANNED_FAULTS: dict[str, Callable[[dict[str, Any]], Reply]] = {
    "429": flood_reply,
    "500": lambda _p: tg_error(500, "Internal Server Error"),
    "502-html": lambda _p: nginx_page(502, "Bad Gateway"),
}


def byte_offset(text: str, index: int) -> int:
    """Telegram reports parse errors at UTF-8 byte offsets."""
    return len(text[:index].encode("utf-8"))


def html_error(text: str) -> Optional[str]:
    """First reason Telegram's HTML parser would refuse `text`, or None: allowed tags only, balanced, `&` escaped."""
    open_tags: list[str] = []
    for token in HTML_TOKEN.finditer(text):
        offset = byte_offset(text, token.start())
        closing, name = token.group(1), (token.group(2) or "").lower()
        if token.group(0) == "<":
            return f"Unclosed start tag at byte offset {offset}"
        if token.group(0) == "&":
            return f"Unsupported HTML entity at byte offset {offset}"
        if not name:
            continue  # a valid entity
        if name not in ALLOWED_TAGS:
            return f'Unsupported {"end" if closing else "start"} tag "{name}" at byte offset {offset}'
        if not closing:
            open_tags.append(name)
        elif not open_tags:
            return f"Unexpected end tag at byte offset {offset}"
        elif open_tags[-1] != name:
            return f'Unmatched end tag at byte offset {offset}, expected "</{open_tags[-1]}>", found "</{name}>"'
        else:
            open_tags.pop()
    if open_tags:
        return f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"'
    return None


def strip_html(text: str) -> str:
    """The text Telegram stores: markup removed, entities decoded (the length limit applies to this)."""
    return html.unescape(HTML_TAG.sub("", text))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def chat_key(value: Any) -> Optional[str]:
    """chat_id arrives as a JSON number or a string (form bodies, @usernames); compare them as text."""
    if value is None or isinstance(value, bool) or str(value).strip() == "":
        return None
    return str(value).strip()


def chat_json(key: str) -> Any:
    """Numeric chat ids go back out as numbers, @usernames as strings."""
    return int(key) if key.lstrip("-").isdigit() else key


def request_params(request: Request) -> dict[str, Any]:
    """Bot API parameters may come in the query string, a JSON body or a urlencoded form body."""
    params: dict[str, Any] = {name: values[0] for name, values in request.query.items()}
    if not request.body:
        return params
    content_type = request.headers.get_content_type()
    if content_type == "application/json":
        body = parse_json_body(request)
        if not isinstance(body, dict):
            raise BadRequest("JSON body must be an object")
        params.update(body)
    elif content_type == "application/x-www-form-urlencoded":
        params.update(parse_qsl(request.body.decode("utf-8", "replace")))
    else:
        raise BadRequest(f"unsupported Content-Type {content_type}")
    return params


class TelegramApp(FakeApp):
    """One bot that can post to one chat (plus the supergroup it migrates to)."""

    MODES = MODES
    MODE_PARAMS = frozenset({"retry_after"})

    def __init__(self, token: str, chat_id: str, migrate_to_chat_id: str) -> None:
        super().__init__()
        self.token = token
        self.home_chat = chat_id
        self.migrate_to_chat = migrate_to_chat_id
        self.migrated = False
        self.messages: collections.deque[dict[str, Any]] = collections.deque(maxlen=MESSAGE_CAP)
        self.next_message_id = 1
        self.methods: dict[str, Callable[[dict[str, Any], Fault], Reply]] = {
            "sendmessage": self.send_message,
            "getme": self.get_me,
        }

    def handle_api(self, request: Request, fault: Fault) -> Outcome:
        if fault.name == "down":
            return None
        if fault.name == "hang":
            self.modes.hang(HANG_CAP_S)
            return None
        if fault.name in CANNED_FAULTS:
            return CANNED_FAULTS[fault.name](fault.params)
        return self.call_method(request, fault)

    def call_method(self, request: Request, fault: Fault) -> Reply:
        match = BOT_PATH.fullmatch(request.path)
        if match is None:
            return tg_error(404, "Not Found")
        # `revoked`: the token was revoked in @BotFather; every method answers 401, as for a wrong token.
        if match.group(1) != self.token or fault.name == "revoked":
            return tg_error(401, "Unauthorized")
        method = self.methods.get(match.group(2).lower())  # Bot API method names are case-insensitive
        if method is None:
            return tg_error(404, "Not Found: method not found")
        try:
            return method(request_params(request), fault)
        except BadRequest as error:
            return tg_error(400, f"Bad Request: {error}")

    def get_me(self, _params: dict[str, Any], _fault: Fault) -> Reply:
        return tg_ok({"id": 123, "is_bot": True, "first_name": "Fake", "username": "fake_bot"})

    def send_message(self, params: dict[str, Any], fault: Fault) -> Reply:
        """Checks in the order the alerter meets them: chat, then permission, then the text itself."""
        chat = chat_key(params.get("chat_id"))
        if chat is None:
            return tg_error(400, "Bad Request: chat_id is empty")
        rejected = self.chat_error(chat, fault)
        if rejected is not None:
            return rejected
        text, parse_mode = params.get("text"), params.get("parse_mode") or None
        shown, problem = self.rendered_text(text if isinstance(text, str) else "", parse_mode)
        if problem is not None:
            return tg_error(400, f"Bad Request: {problem}")
        return tg_ok(self.deliver(chat, text, parse_mode, shown))

    def chat_error(self, chat: str, fault: Fault) -> Optional[Reply]:
        """Migration (which also creates the supergroup), unknown chat, blocked bot."""
        with self.cond:
            if fault.name == "migrate" and chat == self.home_chat:
                self.migrated = True
                return tg_error(400, "Bad Request: group chat was upgraded to a supergroup chat",
                                migrate_to_chat_id=chat_json(self.migrate_to_chat))
            known = {self.home_chat, self.migrate_to_chat} if self.migrated else {self.home_chat}
        if chat not in known:
            return tg_error(400, "Bad Request: chat not found")
        if fault.name == "blocked":
            return tg_error(403, "Forbidden: bot was blocked by the user")
        if fault.name == "too-long":
            return tg_error(400, "Bad Request: message is too long")
        return None

    @staticmethod
    def rendered_text(text: str, parse_mode: Optional[str]) -> tuple[str, Optional[str]]:
        """(text as shown, error or None). Only HTML markup is validated; Markdown passes through unchecked."""
        if parse_mode is not None and parse_mode.lower() == "html":
            error = html_error(text)
            if error is not None:
                return text, f"can't parse entities: {error}"
            text = strip_html(text)
        elif parse_mode not in (None, "Markdown", "MarkdownV2"):
            return text, "unsupported parse_mode"
        if not text.strip():
            return text, "message text is empty"
        if utf16_units(text) > MAX_TEXT_UTF16_UNITS:
            return text, "message is too long"
        return text, None

    def deliver(self, chat: str, text: str, parse_mode: Optional[str], shown: str) -> dict[str, Any]:
        with self.cond:
            message_id = self.next_message_id
            self.next_message_id += 1
            self.messages.append({"message_id": message_id, "chat_id": chat_json(chat), "text": text,
                                  "parse_mode": parse_mode, "t_ms": now_ms()})
        return {"message_id": message_id, "date": int(time.time()),
                "chat": {"id": chat_json(chat), "type": "supergroup"}, "text": shown}

    def data_state(self) -> dict[str, Any]:
        return {"messages": list(self.messages)}

    def data_summary(self) -> dict[str, Any]:
        return {"messages_total": len(self.messages)}

    def reset_data(self) -> None:
        """Forget messages and the migration; message ids keep counting."""
        self.messages.clear()
        self.migrated = False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_server_arguments(parser)
    parser.add_argument("--token", default="123:fake", help="bot token expected in /bot<token>/<method>")
    parser.add_argument("--chat-id", default="-1001", help="the only chat that exists at start")
    parser.add_argument("--migrate-to-chat-id", default="-100999", help="supergroup id announced by mode migrate")
    args = parser.parse_args()
    serve(TelegramApp(args.token, args.chat_id, args.migrate_to_chat_id), args)


if __name__ == "__main__":
    main()

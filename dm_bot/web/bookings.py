"""Bookings close the funnel: `POST /webhooks/booking` (a booking system, with the account's shared secret)
and `POST /inbox/{id}/booking` (staff mark a conversation booked, logged in, with the CSRF token)."""

from __future__ import annotations

import hmac
import logging
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from dm_bot.channels.parsing import PayloadError, load_json
from dm_bot.domain import patients
from dm_bot.domain.models import TREATMENTS
from dm_bot.domain.routing import Router
from dm_bot.pipeline.link_signer import LinkSigner
from dm_bot.pipeline.records import BookingReport
from dm_bot.web.auth import current_user, login_required, read_form, visible_accounts
from dm_bot.web.keys import QUEUE, ROUTER, SECRET_KEY, SERVICE, SETTINGS

SECRET_HEADER = "X-Booking-Secret"
MAX_BODY = 64 * 1024
MAX_TEXT = 200

log = logging.getLogger(__name__)


class BadReport(Exception):
    """A report we cannot read: 400 with the reason."""


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool) or len(str(value)) > MAX_TEXT:
        raise BadReport(f"{key}: must be a short text")
    return str(value).strip() or None


def _value(data: Mapping[str, Any]) -> float | None:
    raw = data.get("value")
    if raw is None or raw == "":
        return None
    try:
        value = float(str(raw).replace(",", "").lstrip("$")) if not isinstance(raw, bool) else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise BadReport("value: must be a non-negative amount")
    return value


def _time(data: Mapping[str, Any], tz: str) -> datetime | None:
    raw = _text(data, "time")
    if raw is None:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise BadReport("time: must be an ISO 8601 date and time") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=ZoneInfo(tz))  # naive: the spa's wall clock


def report_from(data: Mapping[str, Any], account_id: str, source: str, router: Router) -> BookingReport:
    """A BookingReport of the fields: token or contact (or conversation_id), treatment, time, value, booking_id,
    status, and the client (client_id, name, email, phone); an unknown field is ignored."""
    treatment = _text(data, "treatment")
    if treatment is not None and treatment not in TREATMENTS:
        treatment = None  # a booking system's own service name: the link's or the lead's treatment stands
    conversation = _text(data, "conversation_id")
    # ASCII digits only ("²" is a digit to str.isdigit, not to int), and no more than a BIGINT holds.
    if conversation is not None and not (conversation.isascii() and conversation.isdigit() and len(conversation) <= 18):
        raise BadReport("conversation_id: must be a number")
    try:
        status = patients.normal_status(_text(data, "status"))
        email, phone = patients.normal_email(_text(data, "email")), patients.normal_phone(_text(data, "phone"))
    except patients.PatientFieldError as exc:
        raise BadReport(str(exc)) from None
    report = BookingReport(
        account_id, source, int(conversation) if conversation else None, _text(data, "token"),
        _text(data, "contact"), treatment, _value(data), _time(data, router.playbook(account_id).timezone),
        _text(data, "booking_id"), status, _text(data, "client_id"), _text(data, "name"), email, phone,
    )
    if not any((report.conversation_id, report.token, report.contact, report.client_id, email, phone)):
        raise BadReport("name the booking's link token or contact, or the client (client_id, email or phone)")
    return report


async def _payload(request: web.Request) -> dict[str, Any]:
    body = await request.read()
    if len(body) > MAX_BODY:
        raise BadReport("body too large")
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {k: v for k, v in (await read_form(request)).items() if isinstance(v, str)}
    try:
        data = load_json(body)  # deep nesting and 5,000-digit numbers are a PayloadError, not a crash
    except PayloadError:
        raise BadReport("body: must be a JSON object") from None
    if not isinstance(data, dict):
        raise BadReport("body: must be a JSON object")
    return data


async def _account(request: web.Request, data: Mapping[str, Any]) -> str | None:
    """The account named, else the link's (a token we signed), else the one spa of a single-spa deployment."""
    router = request.app[ROUTER]
    named = _text(data, "account")
    if named is not None:
        return named if named in router.accounts else None
    token = _text(data, "token")
    if token is not None:
        signer = LinkSigner(request.app[SETTINGS].public_url, request.app[SECRET_KEY])
        link = await request.app[QUEUE].link(token) if signer.valid(token) else None
        if link is not None:
            return link.account_id
    return router.accounts[0] if len(router.accounts) == 1 else None


def _given_secret(request: web.Request) -> str:
    return request.headers.get(SECRET_HEADER) or request.headers.get("Authorization", "").removeprefix("Bearer ")


def _matches(given: str, expected: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(given.encode(), str(expected).encode())


def _secret_ok(request: web.Request, account_id: str) -> bool:
    return _matches(_given_secret(request), request.app[SETTINGS].booking_secret_for(account_id))


def _some_secret_ok(request: web.Request) -> bool:
    """The secret of some account (which one, the body says): checked before the body is read at all."""
    settings, given = request.app[SETTINGS], _given_secret(request)
    known = [settings.booking_secret, *(t.booking_secret for t in settings.account_tokens.values())]
    return any([_matches(given, secret) for secret in known])  # a list: every secret compared, in constant time


async def booking_webhook(request: web.Request) -> web.Response:
    if not _some_secret_ok(request):
        return web.json_response({"error": "forbidden"}, status=403)
    try:
        data = await _payload(request)
        account = await _account(request, data)
        # Unknown account, unknown token, wrong or missing secret: all look alike to the caller.
        if account is None or not _secret_ok(request, account):
            return web.json_response({"error": "forbidden"}, status=403)
        report = report_from(data, account, "webhook", request.app[ROUTER])
    except BadReport as exc:
        return web.json_response({"error": str(exc)}, status=400)
    if report.conversation_id is not None and await request.app[QUEUE].conversation_account(
            report.conversation_id) != account:
        return web.json_response({"error": "conversation_id: no such conversation"}, status=400)
    result = await request.app[SERVICE].record_booking(report)
    return web.json_response({"booking_id": result.booking_id, "conversation_id": result.conversation_id,
                              "matched": result.conversation_id is not None, "duplicate": not result.created})


@login_required
async def staff_booking(request: web.Request) -> web.Response:
    """The inbox form: the conversation is booked (treatment, time and value when known)."""
    cid = int(request.match_info["cid"])
    user = await current_user(request)
    assert user is not None  # login_required ran first
    account = await request.app[QUEUE].conversation_account(cid)
    if account is None or account not in visible_accounts(user, request.app[ROUTER]):
        raise web.HTTPNotFound(text="no such conversation")  # another spa's conversation looks like none
    form = {k: v for k, v in (await read_form(request)).items() if isinstance(v, str)}
    try:
        report = report_from({**form, "conversation_id": str(cid), "token": None, "contact": None}, account,
                             "staff", request.app[ROUTER])
    except BadReport as exc:
        log.info("staff booking refused for conversation %s: %s", cid, exc)
        return web.Response(status=303, headers={"Location": f"/inbox/{cid}?error=booking"})
    await request.app[SERVICE].record_booking(report)
    return web.Response(status=303, headers={"Location": f"/inbox/{cid}?done=booked"})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/webhooks/booking", booking_webhook)
    app.router.add_post(r"/inbox/{cid:\d{1,18}}/booking", staff_booking)

"""The VAs' inbox pages: `/inbox` (the queue) and `/inbox/{id}` (a conversation: claim, reply, resolve, hand back)."""

from __future__ import annotations

from aiohttp import web

from dm_bot.web import health_view, inbox_api
from dm_bot.web.auth import StaffUser, current_user, login_required, read_form
from dm_bot.web.inbox_conversation import ConversationView, load_conversation
from dm_bot.web.inbox_queue import QueueFilter, load_queue, queue_context
from dm_bot.web.keys import QUEUE, SERVICE
from dm_bot.web.patients import patient_panel
from dm_bot.web.templating import render

MAX_REPLY = 2000  # a sanity cap; a reply longer than one platform message goes out as several (domain/platform.py)
DONE = {
    "claimed": "You claimed this conversation.",
    "replied": "Reply sent. The SLA clock stopped and the bot is paused here.",
    "resolved": "Resolved: it left the queue.",
    "resumed": "Handed back to the bot: it answers this conversation again.",
    "booked": "Marked booked: the funnel closes for this lead and no follow-up goes out.",
}
ERRORS = {
    "taken": "Someone else claimed this conversation first.",
    "closed": "This conversation has no open escalation.",
    "empty": "Write a reply first.",
    "long": f"A reply may have at most {MAX_REPLY} characters.",
    "undelivered": "The platform did not take the reply; see the status above.",
    "booking": "The booking was not recorded: check the value and the treatment.",
    "note": "Not resolved: an urgent, medical or complaint escalation needs a reply to the prospect or a note"
            " of what was done.",
}


async def _user(request: web.Request) -> StaffUser:
    user = await current_user(request)
    assert user is not None  # login_required ran first
    return user


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _conversation_id(request: web.Request) -> int:
    return int(request.match_info["cid"])


async def _view_or_404(request: web.Request) -> ConversationView:
    view = await load_conversation(request, await _user(request), _conversation_id(request))
    if view is None:
        # Another spa's conversation looks exactly like one that does not exist.
        page = render(request, "not_found.html", status=404, nav="inbox")
        raise web.HTTPNotFound(text=page.text, content_type="text/html")
    return view


@login_required
async def queue_page(request: web.Request) -> web.Response:
    user = await _user(request)
    choices = queue_context(request, user)
    filt = QueueFilter.from_query(request.query, choices["account_ids"])
    cards = await load_queue(request, user, filt)
    query = filt.query_string()
    return render(request, "queue.html", cards=cards, filt=filt, version=inbox_api.queue_version(cards),
                  live_url="/inbox/api/queue" + (f"?{query}" if query else ""),
                  health_banners=await health_view.banners(request, user), **choices)


async def _conversation_page(request: web.Request, view: ConversationView, status: int = 200,
                             error: str | None = None, draft: str = "") -> web.Response:
    done = DONE.get(request.query.get("done", ""))
    error = error or ERRORS.get(request.query.get("error", ""))
    patient = await patient_panel(request, await _user(request), view.conversation_id)
    return render(request, "conversation.html", status=status, view=view, done=done, error=error, draft=draft,
                  version=view.version, patient=patient)


@login_required
async def conversation_page(request: web.Request) -> web.Response:
    return await _conversation_page(request, await _view_or_404(request))


@login_required
async def claim(request: web.Request) -> web.Response:
    view = await _view_or_404(request)
    if view.escalation is None:
        return _see_other(f"/inbox/{view.conversation_id}?error=closed")
    taken = await request.app[SERVICE].claim(view.escalation.id, (await _user(request)).username)
    return _see_other(f"/inbox/{view.conversation_id}?" + ("done=claimed" if taken else "error=taken"))


@login_required
async def reply(request: web.Request) -> web.Response:
    """Send through the channel (human-agent tagged); refused with the reason when the window allows no send."""
    view = await _view_or_404(request)
    text = str((await read_form(request)).get("text", "")).strip()
    if not text:
        return await _conversation_page(request, view, 400, ERRORS["empty"])
    if len(text) > MAX_REPLY:
        return await _conversation_page(request, view, 400, ERRORS["long"], text)
    if not view.window.allowed:
        return await _conversation_page(request, view, 409, f"Not sent: {view.window.reason}.", text)
    user = await _user(request)
    if view.escalation is not None and view.escalation.claimed_by is None:
        await request.app[SERVICE].claim(view.escalation.id, user.username)  # who answers, holds it
    await request.app[SERVICE].handle_staff_reply(view.conversation_id, text, staff_name=user.username)
    delivery = await request.app[QUEUE].latest_delivery(view.conversation_id)
    outcome = "error=undelivered" if delivery is not None and delivery.status == "failed" else "done=replied"
    return _see_other(f"/inbox/{view.conversation_id}?{outcome}")


@login_required
async def resolve(request: web.Request) -> web.Response:
    """Close the escalation; an urgent, medical or complaint one only after a reply or with a note (the
    domain decides; refused here with the reason, the note kept in the form)."""
    view = await _view_or_404(request)
    if view.escalation is None:
        return _see_other(f"/inbox/{view.conversation_id}?error=closed")
    note = str((await read_form(request)).get("note", "")).strip()
    if len(note) > MAX_REPLY:
        return await _conversation_page(request, view, 400, f"A note may have at most {MAX_REPLY} characters.")
    user = await _user(request)
    if await request.app[SERVICE].resolve(view.escalation.id, user.username, note):
        return _see_other(f"/inbox/{view.conversation_id}?done=resolved")
    fresh = await _view_or_404(request)
    if fresh.escalation is None:
        return _see_other(f"/inbox/{view.conversation_id}?error=closed")
    return await _conversation_page(request, fresh, 409, ERRORS["note"])


@login_required
async def resume(request: web.Request) -> web.Response:
    view = await _view_or_404(request)
    await request.app[SERVICE].hand_back(view.conversation_id)
    return _see_other(f"/inbox/{view.conversation_id}?done=resumed")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/inbox", queue_page, name="inbox")
    app.router.add_get(r"/inbox/{cid:\d{1,18}}", conversation_page, name="conversation")
    app.router.add_post(r"/inbox/{cid:\d{1,18}}/claim", claim)
    app.router.add_post(r"/inbox/{cid:\d{1,18}}/reply", reply)
    app.router.add_post(r"/inbox/{cid:\d{1,18}}/resolve", resolve)
    app.router.add_post(r"/inbox/{cid:\d{1,18}}/resume", resume)
    inbox_api.add_routes(app)

"""GET /b/{token}: a tracked booking link. Counts the click and redirects to the playbook's booking page.

Only a token we signed and stored leads anywhere, and only to a URL taken from a playbook: a forged,
altered or unknown token is a 404, so this is never an open redirect.
"""

from __future__ import annotations

import logging

from aiohttp import web
from yarl import URL

from dm_bot.domain.playbook import Playbook
from dm_bot.pipeline.link_signer import LinkSigner
from dm_bot.pipeline.records import LinkRow
from dm_bot.web.keys import QUEUE, ROUTER, SECRET_KEY, SERVICE, SETTINGS

log = logging.getLogger(__name__)

MAX_TOKEN = 64  # ours are 29 characters; a longer one is not worth an HMAC
# Link previews: the platforms fetch a URL sent in a DM to draw its card. That is not the prospect clicking.
PREVIEW_AGENTS = ("facebookexternalhit", "facebot", "meta-externalagent", "instagram", "bytespider", "tiktok",
                  "twitterbot", "slackbot", "whatsapp", "telegrambot", "discordbot", "linkedinbot", "skypeuripreview")


def is_preview(request: web.Request) -> bool:
    """A HEAD request or a known link-preview crawler; `Instagram` also names the in-app browser, so it must be
    a bare crawler agent (no Mozilla/AppleWebKit browser token) to count as a preview."""
    if request.method == "HEAD":
        return True
    agent = request.headers.get("User-Agent", "").lower()
    browser = "applewebkit" in agent or "gecko/" in agent
    return any(bot in agent for bot in PREVIEW_AGENTS) and not browser


def booking_url(playbook: Playbook | None, link: LinkRow) -> str:
    """The playbook's current booking page for the link's treatment (as the service chose it), else the URL sent."""
    if playbook is None:
        return link.url
    offer = playbook.offer(link.treatment)
    return offer.booking_url if offer is not None and offer.booking_url else playbook.links.consultation


def with_utm(url: str, link: LinkRow) -> str:
    """UTM parameters for the spa's analytics: source = channel, medium = dm, campaign = the ad or story."""
    utm = {"utm_source": link.channel, "utm_medium": "dm"}
    if link.campaign:
        utm["utm_campaign"] = link.campaign
    return str(URL(url).update_query(utm))


async def follow(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    signer = LinkSigner(request.app[SETTINGS].public_url, request.app[SECRET_KEY])
    if len(token) > MAX_TOKEN or not signer.valid(token):
        raise web.HTTPNotFound(text="no such link")
    store = request.app[QUEUE]
    if is_preview(request):
        link = await store.link(token)
    else:
        link = await request.app[SERVICE].follow_link(token)
    if link is None:
        raise web.HTTPNotFound(text="no such link")
    router = request.app[ROUTER]
    playbook = router.playbook(link.account_id) if link.account_id in router.accounts else None
    target = with_utm(booking_url(playbook, link), link)
    if URL(target).scheme not in ("http", "https"):  # playbooks are validated; this keeps a bad one harmless
        log.warning("booking link of %s is not http(s); not redirecting", link.account_id)
        raise web.HTTPNotFound(text="no such link")
    raise web.HTTPFound(target, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/b/{token}", follow)

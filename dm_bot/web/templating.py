"""Jinja2 for the staff pages: one environment (autoescape on), and `render` that adds the user and CSRF token."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from dm_bot.web.staff import CSRF, USER

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its file name: prospect text is untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() per render
    )
    return env


def render_text(template: str, **context: Any) -> str:
    """A template (or a fragment of one) as text, for the live-update JSON."""
    return environment().get_template(template).render(**context)


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """A full page; the context gets `user`, `csrf_token` and `nav` (the first path segment) unless given."""
    context.setdefault("user", request.get(USER))
    context.setdefault("csrf_token", request.get(CSRF, ""))
    context.setdefault("nav", request.path.strip("/").split("/")[0])
    html = environment().get_template(template).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")

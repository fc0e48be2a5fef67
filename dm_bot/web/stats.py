"""The owners' page: `/stats` (funnel, response times, SLA compliance, the slowest conversations) and
`/stats/export.csv` (one row per conversation), for the accounts the logged-in user may see."""

from __future__ import annotations

import csv
import io
import re

from aiohttp import web

from dm_bot.reports import numbers
from dm_bot.web import health_view
from dm_bot.web.auth import StaffUser, current_user, owner_required, visible_accounts
from dm_bot.web.keys import CLOCK, REPORTS, ROUTER
from dm_bot.web.retention_view import RETENTION_HELPERS, retention_charts, treatment_names
from dm_bot.web.stats_view import HELPERS, SOURCE_LABELS, StatsRequest, chart_data, kpis, read_request
from dm_bot.web.templating import render

CSV_CHUNK = 2000  # rows per write: a large export streams instead of sitting whole in a buffer


async def _request(request: web.Request) -> tuple[StaffUser, StatsRequest]:
    user = await current_user(request)
    assert user is not None  # login_required ran first
    visible = visible_accounts(user, request.app[ROUTER])
    return user, read_request(request.query, visible, request.app[ROUTER], request.app[CLOCK].now())


@owner_required
async def stats_page(request: web.Request) -> web.Response:
    user, req = await _request(request)
    banners = await health_view.banners(request, user)
    if req.period is None:
        return render(request, "stats.html", req=req, figures=None, health_banners=banners, **HELPERS)
    figures = await numbers.stats(request.app[REPORTS], req.period, req.playbooks, request.app[CLOCK].now())
    names, treatments = dict(req.choices), treatment_names(req.playbooks)
    charts = retention_charts(figures, treatments, SOURCE_LABELS)
    return render(request, "stats.html", req=req, figures=figures, charts=chart_data(figures), kpis=kpis(figures),
                  dates=req.local_dates(), names=names, csv_url=f"/stats/export.csv?{req.query()}",
                  health_banners=banners, retention_charts=charts, treatment_names=treatments, **HELPERS,
                  **RETENTION_HELPERS)


def _filename(req: StatsRequest) -> str:
    since, until = req.local_dates()
    label = re.sub(r"[^A-Za-z0-9_-]+", "-", req.account or "all-accounts")
    return f"dm-bot-{label}-{since}-to-{until}.csv"


@owner_required
async def export_csv(request: web.Request) -> web.StreamResponse:
    _, req = await _request(request)
    if req.period is None:
        raise web.HTTPNotFound(text="no accounts to export")
    rows = await numbers.export_rows(request.app[REPORTS], req.period, req.playbooks, request.app[CLOCK].now())
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{_filename(req)}"',
        "Cache-Control": "no-store",
    })
    await response.prepare(request)
    for start in range(0, len(rows), CSV_CHUNK):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows[start:start + CSV_CHUNK])
        await response.write(buffer.getvalue().encode("utf-8"))
    await response.write_eof()
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/stats", stats_page, name="stats")
    app.router.add_get("/stats/export.csv", export_csv, name="stats_export")

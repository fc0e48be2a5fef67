"""`dm-bot patients import FILE.csv [--account ID]`: past visits, so a spa starts with its history (issue 18);
`dm-bot patients due [--account ID] [--json]`: the follow-ups due now and soon (commands/patients_due.py).

The header is `client_id,name,email,phone,treatment,time,value,status,source` (service-contract.md); `status`
defaults to `completed`. Every line is read first: a malformed file gets one error per bad line, naming the
line and the field, and nothing is imported. Then all rows go in one transaction. A row is one appointment
(its id derived from the client and the time), so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

from dm_bot.domain import changes, patients
from dm_bot.domain.models import TREATMENTS
from dm_bot.pipeline.records import BookingReport

if TYPE_CHECKING:
    from dm_bot.domain.playbook import Playbook
    from dm_bot.settings import Settings

HEADER = ("client_id", "name", "email", "phone", "treatment", "time", "value", "status", "source")
MAX_TEXT = 200


class ImportError_(Exception):
    """The file cannot be imported: the lines say why (file:line: field: reason)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def add_patients_parser(sub: Any, parser_class: type[Any]) -> None:
    """`dm-bot patients import FILE [--account ID]` on the command line's parser (cli.py)."""
    pts = sub.add_parser("patients", help="patients and their visits")
    cmds = pts.add_subparsers(dest="patients_command", required=True, parser_class=parser_class)
    due = cmds.add_parser("due", help="the follow-ups due now and in the next 7 days: route and any suppression")
    due.add_argument("--account", metavar="ID", default=None, help="the account (default: the only one loaded)")
    due.add_argument("--json", action="store_true", help="print JSON")
    imp = cmds.add_parser(
        "import", help="load past visits from a CSV (client_id,name,email,phone,treatment,time,value,status,"
                       "source): all or nothing; importing the same file again changes nothing")
    imp.add_argument("file", type=Path)
    imp.add_argument("--account", metavar="ID", default=None, help="the account (default: the only one loaded)")


def _row(fields: Mapping[str, str], account_id: str, tz: str) -> BookingReport:
    """One CSV row as an appointment report; PatientFieldError naming the field when it is wrong."""
    text = {k: (fields.get(k) or "").strip() or None for k in HEADER}
    for key, given in text.items():
        if given is not None and len(given) > MAX_TEXT:
            raise patients.PatientFieldError(f"{key}: at most {MAX_TEXT} characters")
    email, phone = patients.normal_email(text["email"]), patients.normal_phone(text["phone"])
    if not (text["client_id"] or email or phone):
        raise patients.PatientFieldError("client_id: name the client (client_id, email or phone)")
    if text["treatment"] is not None and text["treatment"] not in TREATMENTS:
        raise patients.PatientFieldError(f"treatment: one of {', '.join(TREATMENTS)}")
    if text["time"] is None:
        raise patients.PatientFieldError("time: required (ISO 8601)")
    try:
        when = datetime.fromisoformat(text["time"])
    except ValueError:
        raise patients.PatientFieldError("time: must be an ISO 8601 date and time") from None
    when = when if when.tzinfo is not None else when.replace(tzinfo=ZoneInfo(tz))
    value: float | None = None
    if (raw := text["value"]) is not None:
        try:
            value = float(raw.replace(",", "").lstrip("$"))
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise patients.PatientFieldError("value: must be a non-negative amount")
    status = patients.normal_status(text["status"], default="completed")
    who = text["client_id"] or email or phone
    key = hashlib.sha256(f"{who}|{when.timestamp()}|{text['treatment'] or ''}".encode()).hexdigest()[:32]
    return BookingReport(account_id, "import", treatment=text["treatment"], value=value, booked_for=when,
                         external_id=f"import:{key}", status=status, client_id=text["client_id"],
                         name=text["name"], email=email, phone=phone, patient_source=text["source"])


def read_visits(stream: TextIO, name: str, account_id: str, tz: str) -> list[BookingReport]:
    """Every row of the CSV, or ImportError_ with every bad line (nothing is half read)."""
    reader = csv.DictReader(stream)
    header = tuple(h.strip() for h in (reader.fieldnames or ()))
    missing = [h for h in HEADER if h not in header]
    if missing:
        raise ImportError_([f"{name}:1: header: missing {', '.join(missing)} (expected {','.join(HEADER)})"])
    reports, problems = [], []
    try:
        for fields in reader:
            try:
                reports.append(_row({k.strip(): v for k, v in fields.items() if isinstance(k, str)
                                     and isinstance(v, str)}, account_id, tz))
            except patients.PatientFieldError as exc:
                problems.append(f"{name}:{reader.line_num}: {exc}")
    except csv.Error as exc:
        problems.append(f"{name}:{reader.line_num}: {exc}")
    if problems:
        raise ImportError_(problems)
    return reports


async def run_patients(settings: Settings, args: Any) -> int:
    """`dm-bot patients import|due` (cli.py hands the parsed arguments over)."""
    if args.patients_command == "due":
        from dm_bot.commands.patients_due import run_due

        return await run_due(settings, args.account, args.json)
    return await run_import(settings, args.file, args.account)


def account_playbook(settings: Settings, account: str | None, command: str, err: TextIO) -> Playbook | None:
    """The playbook of the named account (or of the only one loaded); None after printing why not."""
    from dm_bot.playbooks import PlaybookError, load_playbooks

    try:
        playbooks = load_playbooks(settings.playbooks_dir)
    except PlaybookError as exc:
        print(f"dm-bot patients {command}: {exc}", file=err)
        return None
    if account is None and len(playbooks) != 1:
        print(f"dm-bot patients {command}: name the account with --account (one of {', '.join(sorted(playbooks))})",
              file=err)
        return None
    account = account if account is not None else next(iter(playbooks))
    if account not in playbooks:
        print(f"dm-bot patients {command}: unknown account {account!r}", file=err)
        return None
    return playbooks[account]


async def run_import(settings: Settings, path: Path, account: str | None, out: TextIO = sys.stdout,
                     err: TextIO = sys.stderr) -> int:
    """Import the file: 0 and a summary, or 2 with the errors on standard error and nothing imported.
    The touches the visits ask for are planned as they go in (domain/lifecycle.py): only those still ahead
    or due soon, never a flood of stale ones."""
    from dm_bot.pipeline.clock import SystemClock
    from dm_bot.store import SqlStore

    playbook = account_playbook(settings, account, "import", err)
    if playbook is None:
        return 2
    account = playbook.account_id
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reports = read_visits(io.StringIO(handle.read()), str(path), account, playbook.timezone)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"dm-bot patients import: cannot read {path}: {exc}", file=err)
        return 2
    except ImportError_ as exc:
        for line in exc.problems:
            print(line, file=err)
        print(f"dm-bot patients import: nothing imported ({len(exc.problems)} bad line(s))", file=err)
        return 2
    store = SqlStore(settings.database_url)
    await store.migrate()
    await store.open()
    try:
        changed = await store.record_bookings(reports, SystemClock().now(), changes.booked, playbook)
    finally:
        await store.close()
    print(f"imported {len(reports)} visit(s) into {account}: {changed} new or changed", file=out)
    return 0

"""`dm-bot` commands (service-contract.md). Parsing here; each command builds what it needs lazily."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dm_bot.domain.playbook import Playbook
    from dm_bot.settings import Settings

DEMO_PLAYBOOK = Path("playbooks/demo-spa.yaml")


class UsageError(Exception):
    """A user's mistake: one line on standard error, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dm-bot", description="DM assistant for med spas.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = sub.add_parser("serve", help="run the service: webhooks, workers, scheduler, inbox, stats")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--processes", type=_positive, default=1,
                       help="copies of the service on the port, one per core (default 1)")
    serve.add_argument("--process-index", type=int, default=None, help=argparse.SUPPRESS)  # set by the supervisor

    chat = sub.add_parser("chat", help="talk to the bot as a prospect in the terminal")
    chat.add_argument("--playbook", type=Path, default=DEMO_PLAYBOOK)
    chat.add_argument("--channel", choices=("instagram", "messenger", "tiktok"), default="instagram")

    check = sub.add_parser("check-playbook", help="validate playbooks: exit 0, or 2 naming file and line")
    check.add_argument("paths", nargs="+", type=Path)

    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("doctor", help="check every account's tokens, webhook subscriptions, public URL and staff chat;"
                                  " exit 0 when all pass, 1 otherwise")

    stats = sub.add_parser("stats", help="the owner's numbers of a period: funnel, response times, SLA, revenue")
    stats.add_argument("--since", metavar="DATE", help="first local day (default: 30 days before --until)")
    stats.add_argument("--until", metavar="DATE", help="last local day, included (default: today)")
    stats.add_argument("--account", action="append", metavar="ID", help="an account (repeat); all by default")
    stats.add_argument("--json", action="store_true", help="one JSON object instead of a table")

    demo = sub.add_parser("demo", help="serve a fresh demo database with weeks of demo history, demo logins and"
                                       " the prospect simulator at /demo/prospect")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--days", type=int, default=30, help="days of history to generate")

    users = sub.add_parser("users", help="staff logins of the inbox")
    users_sub = users.add_subparsers(dest="users_command", required=True, parser_class=_Parser)
    add = users_sub.add_parser("add", help="create a staff login; the password is read from standard input")
    add.add_argument("name", metavar="NAME", help="the login name (letters, digits, . _ -)")
    add.add_argument("--role", required=True, choices=("va", "owner", "admin"))
    add.add_argument("--account", action="append", default=[], metavar="ID",
                     help="an account this user sees (repeat); none: all, when one spa is loaded")
    add.add_argument("--telegram", metavar="@HANDLE", default=None,
                     help="their Telegram @username or user id: claims and replies in the staff chat count as theirs")

    from dm_bot.commands.patients import add_patients_parser
    add_patients_parser(sub, _Parser)
    train = sub.add_parser("train", help="train the intent model from intents/ into the package")
    train.add_argument("--intents", type=Path, default=Path("intents"))
    train.add_argument("--out", type=Path, default=None)

    ev = sub.add_parser("eval", help="measure the bot on labelled data (eval-cli.md)")
    ev_sub = ev.add_subparsers(dest="eval_command", required=True, parser_class=_Parser)
    messages = ev_sub.add_parser("messages", help="score the classifier on labelled DMs")
    messages.add_argument("file", type=Path)
    messages.add_argument("--out", type=Path, default=None)
    conversations = ev_sub.add_parser("conversations", help="run conversation scenarios through the pipeline")
    conversations.add_argument("file", type=Path)
    conversations.add_argument("--playbook", type=Path, default=DEMO_PLAYBOOK)
    conversations.add_argument("--trace", type=Path, default=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return _dispatch(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "check-playbook":
        from dm_bot.playbooks import check_playbooks

        problems = check_playbooks(list(args.paths))
        for line in problems:
            print(line, file=sys.stderr)
        return 2 if problems else 0
    if args.command == "chat":
        from dm_bot.commands.chat import run_chat

        return asyncio.run(run_chat(args.playbook, args.channel, sys.stdin, sys.stdout))
    if args.command == "serve":
        if args.processes > 1 and args.process_index is None:
            return _supervise(args.host, args.port, args.processes)
        return asyncio.run(_serve(args.host, args.port, args.process_index or 0, args.processes > 1))
    if args.command == "users" and args.users_command == "add":
        from dm_bot.commands.users import UserCommandError, add_user_command, read_password

        try:
            password = read_password(sys.stdin)
        except UserCommandError as exc:
            raise UsageError(str(exc)) from exc
        return add_user_command(args.name, args.role, args.account, password, telegram=args.telegram)
    if args.command == "migrate":
        return asyncio.run(_migrate())
    if args.command == "doctor":
        from dm_bot.commands.doctor import run_doctor

        settings = _settings()
        return asyncio.run(run_doctor(settings, _load_playbooks(settings)))
    if args.command == "stats":
        from dm_bot.commands.stats import run_stats

        return asyncio.run(run_stats(_settings(), args.since, args.until, args.account, args.json))
    if args.command == "demo":
        from dm_bot.commands.demo.run import run_demo

        return asyncio.run(run_demo(args.host, args.port, args.days))
    if args.command == "patients":
        from dm_bot.commands.patients import run_patients
        return asyncio.run(run_patients(_settings(), args))
    if args.command == "train":
        from dm_bot.nlu.train import train

        stats = train(args.intents, args.out)
        print(json.dumps(stats))
        return 0
    if args.command == "eval" and args.eval_command == "messages":
        return _eval_messages(args.file, args.out)
    if args.command == "eval" and args.eval_command == "conversations":
        return asyncio.run(_eval_conversations(args.file, args.playbook, args.trace))
    raise UsageError(f"dm-bot: unknown command {args.command}")


def _settings() -> Settings:
    from dm_bot.settings import SettingsError, load_settings

    try:
        return load_settings(os.environ)
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc


def _database_errors() -> tuple[type[BaseException], ...]:
    """What an unreachable or unusable database raises, through SQLAlchemy or the drivers."""
    import sqlite3

    import asyncpg
    from sqlalchemy.exc import SQLAlchemyError

    return (OSError, SQLAlchemyError, sqlite3.Error, asyncpg.PostgresError)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


async def _migrate(command: str = "migrate") -> int:
    from dm_bot.store import SqlStore

    settings = _settings()
    store = SqlStore(settings.database_url)
    try:
        version = await store.migrate()
        # Opening sets the file's lasting settings (WAL on SQLite), which needs the file to itself: done
        # here once, before the copies of `serve --processes N` open it side by side.
        await store.open()
        await store.close()
    except _database_errors() as exc:
        print(f"dm-bot {command}: cannot reach the database: {_one_line(exc)}", file=sys.stderr)
        return 1
    if command == "migrate":
        print(f"schema at version {version}")
    return 0


def _eval_messages(path: Path, out: Path | None) -> int:
    from dm_bot.eval.messages import EvalInputError, run_eval_messages
    from dm_bot.nlu import load_classifier

    classifier = load_classifier()
    try:
        result = run_eval_messages(path, out, classifier, print)
    except EvalInputError as exc:
        raise UsageError(str(exc)) from exc
    print(json.dumps(result))
    return 0


async def _eval_conversations(path: Path, playbook_path: Path, trace_path: Path | None) -> int:
    from dm_bot.eval.conversations import run_eval_conversations
    from dm_bot.eval.scenario import ScenarioError, read_scenarios
    from dm_bot.playbooks import PlaybookError, load_playbook

    try:
        scenarios = read_scenarios(path)
        playbook = load_playbook(playbook_path)
    except (ScenarioError, PlaybookError) as exc:
        raise UsageError(str(exc)) from exc
    from dm_bot.nlu import load_classifier

    classifier = load_classifier()
    trace = None if trace_path is None else trace_path.open("w", encoding="utf-8")
    try:
        result = await run_eval_conversations(scenarios, playbook, classifier, trace)
    finally:
        if trace is not None:
            trace.close()
    print(json.dumps(result))
    return 0


def _load_playbooks(settings: Settings) -> dict[str, Playbook]:
    from dm_bot.playbooks import PlaybookError, load_playbooks

    try:
        return dict(load_playbooks(settings.playbooks_dir))
    except PlaybookError as exc:
        raise UsageError(str(exc)) from exc


def _supervise(host: str, port: int, processes: int) -> int:
    """Check the playbooks and migrate once, then run the copies (processes.py)."""
    from dm_bot.commands.processes import Supervisor

    _load_playbooks(_settings())
    if (code := asyncio.run(_migrate("serve"))) != 0:
        return code

    def command(index: int) -> list[str]:
        return [sys.executable, "-m", "dm_bot", "serve", "--host", host, "--port", str(port),
                "--processes", str(processes), "--process-index", str(index)]

    return Supervisor(command, processes).run()


async def _serve(host: str, port: int, index: int = 0, shared: bool = False) -> int:
    import signal

    from aiohttp import web

    from dm_bot.app import Deps, create_app
    from dm_bot.commands.processes import METRICS_DIR_VARIABLE

    settings = _settings()
    playbooks = _load_playbooks(settings)
    deps = Deps(playbooks, primary=index == 0, metrics_dir=os.environ.get(METRICS_DIR_VARIABLE))
    runner = web.AppRunner(create_app(settings, deps), access_log=None)
    try:
        await runner.setup()
        site = web.TCPSite(runner, host, port, reuse_port=shared or None)
        await site.start()
    except _database_errors() as exc:
        await runner.cleanup()
        print(f"dm-bot serve: {_one_line(exc)}", file=sys.stderr)
        return 1
    copy = f" (process {index})" if shared else ""
    print(f"dm-bot serving {len(playbooks)} account(s) on http://{host}:{port}{copy}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
    return 0

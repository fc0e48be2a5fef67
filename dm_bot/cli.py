"""`dm-bot` commands (service-contract.md). Parsing here; each command builds what it needs lazily."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

DEMO_PLAYBOOK = Path("playbooks/demo-spa.yaml")


class UsageError(Exception):
    """A user's mistake: one line on standard error, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dm-bot", description="DM assistant for med spas.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    chat = sub.add_parser("chat", help="talk to the bot as a prospect in the terminal")
    chat.add_argument("--playbook", type=Path, default=DEMO_PLAYBOOK)
    chat.add_argument("--channel", choices=("instagram", "messenger", "tiktok"), default="instagram")

    check = sub.add_parser("check-playbook", help="validate playbooks: exit 0, or 2 naming file and line")
    check.add_argument("paths", nargs="+", type=Path)

    sub.add_parser("migrate", help="bring the database schema up to date")

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
        from dm_bot.chat import run_chat

        return asyncio.run(run_chat(args.playbook, args.channel, sys.stdin, sys.stdout))
    if args.command == "migrate":
        return asyncio.run(_migrate())
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


def _settings() -> object:
    from dm_bot.settings import SettingsError, load_settings

    try:
        return load_settings(os.environ)
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc


async def _migrate() -> int:
    from dm_bot.store import SqlStore

    settings = _settings()
    store = SqlStore(settings.database_url)  # type: ignore[attr-defined]
    try:
        version = await store.migrate()
    except OSError as exc:
        print(f"dm-bot migrate: cannot reach the database: {exc}", file=sys.stderr)
        return 1
    print(f"schema at version {version}")
    return 0


def _eval_messages(path: Path, out: Path | None) -> int:
    from dm_bot.eval.messages import EvalInputError, run_eval_messages
    from dm_bot.nlu import load_classifier

    classifier = load_classifier()
    try:
        result = run_eval_messages(path, out, classifier)
    except EvalInputError as exc:
        raise UsageError(str(exc)) from exc
    print(json.dumps(result))
    return 0


async def _eval_conversations(path: Path, playbook_path: Path, trace_path: Path | None) -> int:
    from dm_bot.eval.conversations import run_eval_conversations
    from dm_bot.eval.scenario import ScenarioError, read_scenarios
    from dm_bot.nlu import load_classifier
    from dm_bot.playbooks import PlaybookError, load_playbook

    try:
        scenarios = read_scenarios(path)
        playbook = load_playbook(playbook_path)
    except (ScenarioError, PlaybookError) as exc:
        raise UsageError(str(exc)) from exc
    classifier = load_classifier()
    trace = None if trace_path is None else trace_path.open("w", encoding="utf-8")
    try:
        result = await run_eval_conversations(scenarios, playbook, classifier, trace)
    finally:
        if trace is not None:
            trace.close()
    print(json.dumps(result))
    return 0

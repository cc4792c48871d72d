"""The ``selfservice`` command: an explicit registry of sub-commands, each imported only when used.

The CLI is the composition root, so ``serve`` and ``intent`` may reach into ``handlers`` and ``nlp``;
every other domain module stays free of transport code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module exposing ``add_arguments(parser)`` and ``run(args) -> int``, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "migrate": ("selfservice.commands.migrate", "create or upgrade the database schema"),
    "demo": ("selfservice.commands.demo", "load the demo data set (idempotent)"),
    "serve": ("handlers.serve", "run the HTTP server"),
    "issue-token": ("selfservice.commands.issue_token", "print a valid access token"),
    "holidays": ("selfservice.commands.holidays", "manage the holiday table"),
    "intent": ("nlp.cli", "classify messages read from stdin, one JSON line each"),
    "worker": ("handlers.worker", "deliver the notification outbox and sweep case deadlines"),
    "audit": ("selfservice.commands.audit", "verify the audit log hash chain"),
    "import-records": (
        "selfservice.commands.import_records",
        "import provider records (CSV/JSONL)",
    ),
    "sweep": ("selfservice.commands.sweep", "run the record lifecycle sweep once"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="selfservice", description="信用自助服务 self-service backend"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        parser = _parser()
        if argv and argv[0] not in ("-h", "--help"):
            parser.print_usage(sys.stderr)
            print(f"selfservice: unknown command {argv[0]!r}", file=sys.stderr)
            return 2
        parser.print_help()
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    module = importlib.import_module(COMMANDS[name][0])
    parser = argparse.ArgumentParser(prog=f"selfservice {name}", description=COMMANDS[name][1])
    module.add_arguments(parser)
    args = parser.parse_args(rest)
    from selfservice.errors import ConfigError

    try:
        return int(module.run(args) or 0)
    except ConfigError as exc:
        print(f"selfservice: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        sys.stderr.close()  # output piped into e.g. `head`: not an error
        return 0

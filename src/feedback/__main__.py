"""Command line: ``python -m feedback <command> ...``.

Each area registers its own sub-commands in its ``cli.py`` (a ``register(sub)``
function). Bad input ends with exit status 2 and a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from feedback.errors import InputError

AREAS = ("feedback.survey.cli", "feedback.survey.waves_cli", "feedback.tracker.cli", "feedback.roundtables.cli",
         "feedback.audits.cli", "feedback.report.cli", "feedback.survey.tabbook_cli")


class _OneLineParser(argparse.ArgumentParser):
    """Usage mistakes end like every other bad input: one line on stderr, exit status 2."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="python -m feedback", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    for name in AREAS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (FileNotFoundError, IsADirectoryError, PermissionError) as err:
        print(f"error: cannot read {err.filename}: {err.strerror}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

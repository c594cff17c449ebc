"""The ``vielfalt`` command: the argument parser and the dispatch to the commands.

The commands live beside this module by what they do: :mod:`~vielfalt.cli.setup` (init, validate, codebook,
synth, demo, field), :mod:`~vielfalt.cli.run` (run, status, verify, dashboard), :mod:`~vielfalt.cli.export`
(export) and :mod:`~vielfalt.cli.research` (archive, compare). Every expected failure (a
:class:`VielfaltError`) becomes a short message on stderr in the command's language and a non-zero exit
code, never a traceback; an unexpected one (a bug) prints where its traceback was saved.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from vielfalt import __version__
from vielfalt.cli.export import cmd_export
from vielfalt.cli.project import STAGE_NAMES, STAGES, available_stages, find_project_root
from vielfalt.cli.research import cmd_archive, cmd_compare
from vielfalt.cli.run import cmd_dashboard, cmd_run, cmd_status, cmd_verify, print_run, run_edition
from vielfalt.cli.setup import (
    FULL_SYNTH_LIMIT,
    cmd_codebook,
    cmd_demo,
    cmd_field,
    cmd_init,
    cmd_synth,
    cmd_validate,
)
from vielfalt.exceptions import PipelineError, VielfaltError
from vielfalt.i18n import LANGUAGES, t

__all__ = [
    "STAGES",
    "STAGE_NAMES",
    "available_stages",
    "build_parser",
    "find_project_root",
    "main",
    "print_run",
    "run_edition",
]


def build_parser(lang: str = LANGUAGES[0]) -> argparse.ArgumentParser:
    """Return the argument parser, its help texts in ``lang`` (German by default).

    Parameters
    ----------
    lang : {"de", "en"}, default "de"
        The language of the help texts.

    Returns
    -------
    argparse.ArgumentParser
        One sub-command per command; each sets ``func``.
    """

    def h(key: str, **values: object) -> str:
        return t(f"cli.help_{key}", lang, **values)

    langs = list(LANGUAGES)
    p = argparse.ArgumentParser(prog="vielfalt", description=h("prog"))
    p.add_argument("--version", action="version", version=f"vielfalt {__version__}")
    p.add_argument("--project", type=Path, default=None, help=h("project"))
    sub = p.add_subparsers(dest="command", required=True, metavar=h("command_metavar"))

    s = sub.add_parser("validate", help=h("validate"))
    s.add_argument("file")
    s.add_argument("--edition", required=True)
    s.add_argument("--lang", choices=langs, default="de")
    s.add_argument("--json", action="store_true", help=h("json"))
    s.add_argument("--dialect", choices=["auto", "limesurvey", "excel"], default="auto")
    s.add_argument("--max-mb", type=float, default=None, help=h("max_mb"))
    s.set_defaults(func=cmd_validate)

    s = sub.add_parser("run", help=h("run"))
    s.add_argument("edition")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--stage", help=h("stage", stages=", ".join(STAGE_NAMES)))
    g.add_argument("--until", help=h("until"))
    s.add_argument("--lang", choices=langs, default=None, help=h("lang_edition"))
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("status", help=h("status"))
    s.add_argument("edition")
    s.add_argument("--lang", choices=langs, default=None, help=h("lang_edition"))
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("init", help=h("init"))
    s.add_argument("edition")
    s.add_argument("--from", dest="source", required=True)
    s.add_argument("--year", type=int, default=None)
    s.add_argument("--lang", choices=langs, default="de")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("codebook", help=h("codebook"))
    s.add_argument("--questionnaire", default="vg2010")
    s.add_argument("--format", choices=["html", "md"], default="html")
    s.add_argument("--out", default=None)
    s.add_argument("--lang", choices=langs, default="de")
    s.set_defaults(func=cmd_codebook)

    s = sub.add_parser("synth", help=h("synth"))
    s.add_argument("--edition", default="demo2010")
    s.add_argument("--editions", default=None, help=h("synth_editions"))
    s.add_argument("--entries", type=int, default=None, help=h("synth_entries", limit=FULL_SYNTH_LIMIT))
    s.add_argument("--seed", type=int, default=None)
    s.add_argument("--out", default=None)
    s.add_argument("--lang", choices=langs, default="de")
    s.set_defaults(func=cmd_synth)

    s = sub.add_parser("field", help=h("field"))
    s.add_argument("edition")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--to", choices=["limesurvey", "xlsx", "html", "pdf", "all"], help=h("field_to"))
    g.add_argument("--from-limesurvey", metavar=h("file_metavar"), help=h("field_from"))
    s.add_argument("--id", default=None, help=h("field_id"))
    s.add_argument("--out", default=None, help=h("field_out"))
    s.add_argument("--lang", choices=langs, default="de")
    s.set_defaults(func=cmd_field)

    s = sub.add_parser("dashboard", help=h("dashboard"))
    s.add_argument("edition")
    s.add_argument("--run", default=None, help=h("dashboard_run"))
    s.add_argument("--port", type=int, default=None, help=h("port"))
    s.add_argument("--lang", choices=langs, default=None, help=h("lang_edition"))
    s.add_argument("--print-command", action="store_true", help=h("print_command"))
    s.set_defaults(func=cmd_dashboard)

    s = sub.add_parser("demo", help=h("demo"))
    s.add_argument("--lang", choices=langs, default=None)
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("verify", help=h("verify"))
    s.add_argument("run", help=h("verify_run"))
    s.add_argument("--json", action="store_true", help=h("json"))
    s.add_argument("--lang", choices=langs, default="de")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("archive", help=h("archive"))
    s.add_argument("edition")
    s.add_argument("--archive", type=Path, default=None, help=h("archive_dir"))
    s.add_argument("--run", type=Path, default=None, help=h("run_instead"))
    s.add_argument("--replace", action="store_true", help=h("replace"))
    s.add_argument("--allow-open", action="store_true", help=h("allow_open"))
    s.set_defaults(func=cmd_archive)

    s = sub.add_parser("export", help=h("export"))
    s.add_argument("edition")
    s.add_argument("--profile", choices=["research", "jury_blind", "jury_named", "public"], required=True)
    s.add_argument("--out", type=Path, default=None, help=h("out_dir"))
    s.add_argument("--run", type=Path, default=None, help=h("run_instead"))
    s.add_argument("--lang", choices=langs, default=None, help=h("lang_edition"))
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("compare", help=h("compare"))
    s.add_argument("--editions", default=None, help=h("compare_editions"))
    s.add_argument("--archive", type=Path, default=None, help=h("archive_dir"))
    s.add_argument("--lang", choices=langs, default=None)
    s.set_defaults(func=cmd_compare)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Exit codes: 0 success, 1 a run failed (or ``validate`` quarantined rows, ``verify`` found differences),
    2 any other expected error, 3 a bug (the traceback is saved to a file), 130 Ctrl-C, 143 SIGTERM.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PipelineError as err:
        lang = _language(args)
        print("\n" + t("cli.error", lang, error=err), file=sys.stderr)
        if err.run_dir:
            print(t("cli.partial_run_left", lang, run_dir=err.run_dir), file=sys.stderr)
        return 1
    except VielfaltError as err:
        print(t("cli.error", _language(args), error=err), file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        print("\n" + t("cli.interrupted", _language(args)), file=sys.stderr)
        return 143 if type(err).__name__ == "RunTerminated" else 130
    except Exception:  # a bug: keep the traceback, but out of the user's way
        fd, path = tempfile.mkstemp(prefix="vielfalt-fehler-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            traceback.print_exc(file=fh)
        print(t("cli.internal_error", _language(args), path=path), file=sys.stderr)
        return 3


def _language(args: argparse.Namespace) -> str:
    """The command's language: its ``--lang``, or the edition's once the command has read it, else German."""
    lang = getattr(args, "lang", None)
    return lang if lang in LANGUAGES else LANGUAGES[0]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

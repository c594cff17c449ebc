"""``vielfalt archive`` and ``vielfalt compare``: the research archive and the comparison of editions."""

from __future__ import annotations

import argparse

from vielfalt.cli.project import find_project_root
from vielfalt.cli.run import print_run

__all__ = ["cmd_archive", "cmd_compare"]


def cmd_archive(args: argparse.Namespace) -> int:
    """Add a closed edition's latest complete run to the pseudonymised research archive."""
    from vielfalt.research.archive import archive_edition

    root = find_project_root(args.project)
    result = archive_edition(
        root,
        args.edition,
        archive_dir=args.archive,
        run_dir=args.run,
        replace=args.replace,
        allow_open=args.allow_open,
    )
    print(result.summary())
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Run the research stage on the archive (its own run in ``runs/research/``)."""
    from vielfalt.research.compare import run_research

    lang = args.lang or "de"
    root = find_project_root(args.project, lang=lang)
    editions = None
    if args.editions:
        from vielfalt.demo.editions import edition_id

        editions = ",".join(edition_id(e) for e in args.editions.split(",") if e.strip())
    result = run_research(root, archive_dir=args.archive, editions=editions, lang=lang)
    print_run(result, root, lang=lang)
    return 0

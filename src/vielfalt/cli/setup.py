"""``vielfalt init``, ``validate``, ``codebook``, ``synth``, ``demo`` and ``field``: preparing an edition.

Scaffolding a new edition from a previous one, checking a responses file before the intake, writing the
codebook, generating synthetic inputs (the only place besides ``demo`` that imports the demo generator),
running the demo end to end and fielding the instrument.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from vielfalt.cli.project import available_stages, find_project_root, rel
from vielfalt.cli.run import print_run, run_edition
from vielfalt.exceptions import DataError, VielfaltError
from vielfalt.i18n import t

__all__ = [
    "FULL_SYNTH_LIMIT",
    "cmd_codebook",
    "cmd_demo",
    "cmd_field",
    "cmd_init",
    "cmd_synth",
    "cmd_validate",
    "failure_text",
]

#: Up to this many entries `vielfalt synth` writes a whole edition (inputs, rating sheets, visits, votes);
#: above it only one LimeSurvey export (for the intake benchmarks).
FULL_SYNTH_LIMIT = 10_000


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate one responses file; exit 0 all accepted, 1 some quarantined, 2 unreadable."""
    from vielfalt.config.edition import InputFile, load_context
    from vielfalt.intake.validate import validate_files

    root = find_project_root(args.project, lang=args.lang)
    ed, q = load_context(root, args.edition)
    path = Path(args.file).resolve()
    spec = next((i for i in ed.inputs if Path(i.file).name == path.name), None)
    if spec is None:
        spec = InputFile(file=path.name, dialect=args.dialect, source=path.stem)
    elif args.dialect != "auto":
        spec = spec.model_copy(update={"dialect": args.dialect})
    max_bytes = int(args.max_mb * 1_000_000) if args.max_mb else None
    try:
        report = validate_files(ed, q, [(spec, path)], lang=args.lang, max_bytes=max_bytes)
    except DataError as err:
        if args.json:
            print(json.dumps({"error": str(err), "file": str(path)}, ensure_ascii=False, indent=2))
        else:
            print(t("cli.error", args.lang, error=err), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(report.summary())
        if len(report.failures):
            print()
            print(failure_text(report.failures, args.lang))
    return 0 if report.n_quarantined == 0 else 1


def failure_text(failures: Any, lang: str) -> str:
    """Return the failure table as lines for the terminal (``[FEHLER] file, Zeile 3, Spalte X: reason fix``).

    Parameters
    ----------
    failures : pandas.DataFrame
        Rows of :data:`~vielfalt.columns.FAILURE_COLUMNS`.
    lang : {"de", "en"}
        The language of the words around the values.

    Returns
    -------
    str
        A heading and one line per row.
    """
    lines = [t("cli.findings", lang)]
    for r in failures.itertuples(index=False):
        row = "" if r.row is None or str(r.row) == "<NA>" else t("cli.finding_row", lang, row=r.row)
        col = t("cli.finding_column", lang, column=r.column) if r.column else ""
        sev = t("cli.severity_error" if r.severity == "error" else "cli.severity_warning", lang)
        lines.append(f"  [{sev}] {r.source}, {row}{col}{r.reason} {r.fix}")
    return "\n".join(lines)


def cmd_init(args: argparse.Namespace) -> int:
    """Scaffold a new edition (params file and data folder) from a previous one."""
    from vielfalt.config.edition import edition_path, load_edition

    lang = args.lang
    root = find_project_root(args.project, lang=lang)
    params = root / "params"
    src = edition_path(args.source, params_dir=params)
    prev = load_edition(src)
    dst = edition_path(args.edition, params_dir=params)
    if dst.exists():
        raise VielfaltError(t("cli.edition_exists", lang, path=rel(dst, root)))
    text = src.read_text(encoding="utf-8")
    year = args.year or prev.year + 1
    text = re.sub(r"(?m)^edition:.*$", f'edition: "{args.edition}"', text, count=1)
    text = re.sub(r"(?m)^year:.*$", f"year: {year}", text, count=1)
    text = re.sub(r"(?m)^seed:.*$", f"seed: {year}", text, count=1)
    text = re.sub(
        r"(?m)^pseudonym_salt:.*$", f'pseudonym_salt: "{args.edition}-{secrets.token_hex(4)}"', text, count=1
    )
    header = t("cli.init_header", lang, edition=args.edition, source=args.source) + "\n"
    # validate the scaffold before it appears under params/ (load_edition wants the final file name)
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / dst.name
        trial.write_text(header + text, encoding="utf-8")
        load_edition(trial)
    dst.write_text(header + text, encoding="utf-8")
    data = root / "data" / args.edition
    data.mkdir(parents=True, exist_ok=True)
    lines = [t("cli.init_readme_heading", lang, edition=args.edition, path=rel(dst, root))]
    lines += [
        t("cli.init_readme_line", lang, file=i.file, dialect=i.dialect, source=i.source) for i in prev.inputs
    ]
    (data / "LIESMICH.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(t("cli.init_done", lang, params=rel(dst, root), data=rel(data, root)))
    print(t("cli.init_check", lang))
    return 0


def cmd_codebook(args: argparse.Namespace) -> int:
    """Write the instrument as a readable codebook."""
    from vielfalt.config.codebook import write_codebook
    from vielfalt.config.questionnaire import load_questionnaire, questionnaire_path

    root = find_project_root(args.project, lang=args.lang)
    q = load_questionnaire(questionnaire_path(args.questionnaire, params_dir=root / "params"))
    out = Path(args.out) if args.out else root / "runs" / f"codebook_{q.meta.id}.{args.format}"
    write_codebook(q, out, lang=args.lang)
    print(t("cli.codebook_written", args.lang, path=out))
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    """Generate synthetic input files for an edition (the demo's are committed and regenerate identically)."""
    from vielfalt.config.edition import load_context
    from vielfalt.demo import synth

    lang = getattr(args, "lang", None) or "de"
    root = find_project_root(args.project, lang=lang)
    if getattr(args, "editions", None):
        from vielfalt.demo.editions import edition_id, write_multi_edition_inputs

        wanted = [edition_id(e) for e in args.editions.split(",") if e.strip()]
        print(write_multi_edition_inputs(root, write=wanted).summary())
        return 0
    ed, q = load_context(root, args.edition)
    if args.entries and args.entries > FULL_SYNTH_LIMIT:
        out = Path(args.out) if args.out else root / "runs" / "synth" / f"{ed.edition}_{args.entries}.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        seed = ed.seed if args.seed is None else args.seed
        synth.write_limesurvey_csv(out, q, ed.category_scheme, n=args.entries, seed=seed, year=ed.year)
        print(t("cli.synth_limesurvey", lang, n=args.entries, path=out))
        return 0
    data_dir = Path(args.out) if args.out else root / "data" / ed.edition
    result = synth.write_edition_inputs(ed, q, data_dir, n_entries=args.entries, seed=args.seed)
    print(synth.demo_summary(result))
    if data_dir.resolve() == (root / "data" / ed.edition).resolve() and ed.evaluators:
        sheets = synth.write_returned_ratings(ed, q, data_dir, project_root=root, seed=args.seed)
        print(t("cli.synth_ratings", lang, n=len(sheets), path=rel(data_dir / "ratings", root)))
    if ed.edition == "demo2010" and data_dir.resolve() == (root / "data" / ed.edition).resolve():
        from vielfalt.demo.jury import write_jury_inputs

        visits, votes = write_jury_inputs(ed, q, data_dir, project_root=root, seed=args.seed)
        print(t("cli.synth_jury", lang, visits=rel(visits, root), votes=rel(votes, root)))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Regenerate the demo edition's inputs and run every stage that exists."""
    from vielfalt.runs.warm_kernel import start_early

    lang = args.lang or "de"
    root = find_project_root(args.project, lang=lang)
    first_kernel = start_early("vielfalt", root)  # starts while the inputs are generated
    try:
        synth_args = argparse.Namespace(
            project=args.project, edition="demo2010", entries=None, seed=None, out=None, lang=lang
        )
        cmd_synth(synth_args)
        stages = available_stages(root)
        result = run_edition(root, "demo2010", stages, lang=args.lang, first_kernel=first_kernel)
    finally:
        if first_kernel is not None:
            first_kernel.close()
    print_run(result, root, lang=lang)
    from vielfalt.instrument import write_demo_forms

    forms = write_demo_forms(root, "demo2010")
    print(t("cli.demo_forms", lang))
    print("\n".join(f"  {rel(p, root)}" for p in forms.values()))
    from vielfalt.research.archive import build_demo_archive

    print(build_demo_archive(root, lang=lang).summary())
    return 0


def cmd_field(args: argparse.Namespace) -> int:
    """Field the instrument (LimeSurvey structure, fillable workbook, printable form) or read a structure."""
    from vielfalt.config.edition import EDITION_ID, load_context
    from vielfalt import instrument

    root = find_project_root(args.project, lang=args.lang)
    if not EDITION_ID.match(args.edition):
        raise VielfaltError(t("cli.bad_edition_id", args.lang, edition=args.edition))
    out = Path(args.out) if args.out else root / "runs" / "field" / args.edition
    if args.from_limesurvey:
        res = instrument.write_questionnaire_skeleton(args.from_limesurvey, out, qid=args.id, lang=args.lang)
        print("\n".join(instrument.describe_skeleton(res, lang=args.lang, root=root)))
        return 0
    ed, q = load_context(root, args.edition)
    _, lines = instrument.write_field_files(q, ed, out, to=args.to, lang=args.lang, root=root)
    print("\n".join(lines))
    return 0

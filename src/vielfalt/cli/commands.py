"""The ``vielfalt`` command.

Every expected failure (a :class:`VielfaltError`) becomes a short message on stderr and a non-zero exit code,
never a traceback; an unexpected one (a bug) prints where its traceback was saved.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vielfalt import __version__
from vielfalt.exceptions import DataError, PipelineError, VielfaltError

__all__ = ["STAGES", "main", "find_project_root"]

#: Stages in pipeline order: (name, notebook stem, what must exist before it can run).
STAGES: list[tuple[str, str, dict[str, str]]] = [
    (
        "intake",
        "01_intake",
        {"de": "data/<ed>/ (Eingabedateien der Edition)", "en": "data/<ed>/ (input files)"},
    ),
    (
        "ratings",
        "02_ratings",
        {"de": "data/<ed>/ratings/ (ausgefüllte Bewertungsbögen)", "en": "data/<ed>/ratings/"},
    ),
    ("scoring", "03_scoring", {"de": "Intake und Ratings", "en": "intake and ratings"}),
    ("robustness", "04_robustness", {"de": "Scoring", "en": "scoring"}),
    ("site_visits", "05_site_visits", {"de": "Robustheit", "en": "robustness"}),
    ("jury", "06_jury", {"de": "data/<ed>/site_visits.csv", "en": "data/<ed>/site_visits.csv"}),
    ("close", "07_results", {"de": "data/<ed>/jury_votes.csv", "en": "data/<ed>/jury_votes.csv"}),
]
STAGE_NAMES = [s[0] for s in STAGES]


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder upwards (from `start` or the working directory) that has ``params/editions``."""
    env = os.environ.get("VIELFALT_PROJECT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "params" / "editions").is_dir():
            return d
    msg = (
        f"Kein vielfalt-Projekt gefunden (kein Ordner params/editions in {here} oder darüber). "
        "Bitte im Projektordner aufrufen oder --project angeben."
    )
    raise VielfaltError(msg)


def _available_stages(root: Path) -> list[str]:
    """Stages whose notebook exists in this project (the others are not built yet)."""
    return [name for name, stem, _ in STAGES if (root / "notebooks" / f"{stem}.py").is_file()]


def _select_stages(root: Path, stage: str | None, until: str | None) -> list[str]:
    available = _available_stages(root)
    for s in (stage, until):
        if s is not None and s not in STAGE_NAMES:
            from vielfalt.config._yaml import did_you_mean

            msg = f"Unbekannte Stufe „{s}“ (Stufen: {', '.join(STAGE_NAMES)}).{did_you_mean(s, STAGE_NAMES)}"
            raise VielfaltError(msg)
        if s is not None and s not in available:
            msg = f"Die Stufe „{s}“ gibt es in dieser Version noch nicht (vorhanden: {', '.join(available)})."
            raise VielfaltError(msg)
    if stage:
        return [stage]
    if until:
        return [s for s in available if STAGE_NAMES.index(s) <= STAGE_NAMES.index(until)]
    return available


def run_edition(
    root: Path,
    edition: str,
    stages: list[str],
    *,
    lang: str | None = None,
    quiet: bool = False,
    run_id: str | None = None,
    first_kernel: Any = None,
) -> Any:
    """Run `stages` of `edition` through papermill into a new run directory; returns the RunResult."""
    from vielfalt.runs.warm_kernel import start_early

    # the first stage's kernel starts now, while the edition is loaded and checked (closed in every case)
    first_kernel = first_kernel or start_early("vielfalt", root)
    try:
        return _run_edition(
            root, edition, stages, lang=lang, quiet=quiet, run_id=run_id, first_kernel=first_kernel
        )
    finally:
        if first_kernel is not None:
            first_kernel.close()


def _run_edition(
    root: Path,
    edition: str,
    stages: list[str],
    *,
    lang: str | None,
    quiet: bool,
    run_id: str | None,
    first_kernel: Any,
) -> Any:
    from vielfalt.config.edition import load_context, resolve_data_path
    from vielfalt.runs import runner as pipeline

    ed, q = load_context(root, edition)
    lang = lang or ed.language
    inputs = {f"data/{ed.edition}/{i.file}": resolve_data_path(root, ed, i.file) for i in ed.inputs}
    # everything else in the edition's data folder is an input of some stage too (returned rating
    # sheets, site-visit results, votes): hash it all, files and folders, so a replay can name a change
    data_dir = root / "data" / ed.edition
    if data_dir.is_dir():
        for p in sorted(data_dir.iterdir()):
            if not p.name.startswith("."):
                inputs.setdefault(f"data/{ed.edition}/{p.name}", p)
    inputs = {k: v for k, v in inputs.items() if v.is_file() or v.is_dir()}
    inputs[f"params/editions/{ed.edition}.yaml"] = root / "params" / "editions" / f"{ed.edition}.yaml"
    inputs[f"params/questionnaire/{q.meta.id}.yaml"] = root / "params" / "questionnaire" / f"{q.meta.id}.yaml"
    stem = {name: s for name, s, _ in STAGES}
    specs = [
        pipeline.StageSpec(
            name=s,
            notebook=root / "notebooks" / f"{stem[s]}.py",
            parameters={"edition": ed.edition, "lang": lang},
        )
        for s in stages
    ]
    base = None
    if STAGE_NAMES.index(stages[0]) > 0:
        base = pipeline.latest_run(root / "runs", ed.edition)
        if base is None:
            msg = (
                f"Für die Stufe „{stages[0]}“ fehlt ein früherer vollständiger Lauf von {ed.edition}. "
                f"Bitte zuerst: vielfalt run {ed.edition} --until {STAGE_NAMES[STAGE_NAMES.index(stages[0]) - 1]}"
            )
            raise VielfaltError(msg)

    t0 = {"t": time.monotonic()}

    def progress(name: str, index: int, total: int, status: str) -> None:
        if quiet:
            return
        if status in ("start", "running"):
            t0["t"] = time.monotonic()
            print(f"[{index}/{total}] Stufe {name} läuft …", flush=True)
        else:
            word = {"done": "fertig", "complete": "fertig", "failed": "FEHLGESCHLAGEN"}.get(status, status)
            print(f"[{index}/{total}] Stufe {name}: {word} ({time.monotonic() - t0['t']:.1f} s)", flush=True)

    run_id = run_id or pipeline.new_run_id()
    watcher = (
        None
        if quiet or not sys.stderr.isatty()
        else _ProgressWatcher(root / "runs" / ed.edition / f".{run_id}.partial")
    )
    try:
        return pipeline.run_stages(
            specs,
            runs_root=root / "runs",
            edition=ed.edition,
            inputs=inputs,
            seed=ed.seed,
            run_id=run_id,
            extra_manifest={
                "questionnaire": q.meta.id,
                "questionnaire_version": q.meta.version,
                "questionnaire_sha256": q.sha256(),
            },
            progress=progress,
            base_run=base,
            project_root=root,
            first_kernel=first_kernel,
        )
    finally:
        if watcher is not None:
            watcher.stop()


class _ProgressWatcher:
    """Draws the progress a stage's kernel publishes (see :mod:`vielfalt.runs.progress`) as a terminal bar."""

    def __init__(self, run_dir: Path) -> None:
        import threading

        from vielfalt.runs.progress import progress_file

        self.path = progress_file(run_dir)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        from tqdm.std import tqdm

        from vielfalt.runs.progress import read_progress

        bar, key = None, None
        while not self._stop.wait(0.5):
            state = read_progress(self.path)
            if state is None:
                continue
            if (state["description"], state["phase"]) != key:
                if bar is not None:
                    bar.close()
                key = (state["description"], state["phase"])
                bar = tqdm(total=state["total"], desc=f"    {key[0]} ({key[1]})", ascii=True, leave=False)
            bar.n = state["done"]
            bar.refresh()
        if bar is not None:
            bar.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


# --- commands -------------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate one responses file; exit 0 all accepted, 1 some quarantined, 2 unreadable."""
    from vielfalt.config.edition import InputFile, load_context
    from vielfalt.intake.validate import validate_files

    root = find_project_root(args.project)
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
            print(f"Fehler: {err}" if args.lang == "de" else f"Error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(report.summary())
        if len(report.failures):
            print()
            print(_failure_text(report.failures, args.lang))
    return 0 if report.n_quarantined == 0 else 1


def _failure_text(failures: Any, lang: str) -> str:
    lines = ["Befunde:" if lang == "de" else "Findings:"]
    for r in failures.itertuples(index=False):
        row = (
            ""
            if r.row is None or str(r.row) == "<NA>"
            else (f"Zeile {r.row}, " if lang == "de" else f"row {r.row}, ")
        )
        col = (
            f"Spalte {r.column}: "
            if (r.column and lang == "de")
            else (f"column {r.column}: " if r.column else "")
        )
        sev = ("FEHLER" if r.severity == "error" else "Hinweis") if lang == "de" else r.severity.upper()
        lines.append(f"  [{sev}] {r.source}, {row}{col}{r.reason} {r.fix}")
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    """Run stages of an edition."""
    root = find_project_root(args.project)
    stages = _select_stages(root, args.stage, args.until)
    result = run_edition(root, args.edition, stages, lang=args.lang)
    _print_run(result, root)
    return 0


def _print_run(result: Any, root: Path) -> None:
    rel = _rel(result.run_dir, root)
    print(f"\nLauf abgeschlossen: {rel}")
    for name in result.notebooks:
        print(f"  {name}: Notebook {_rel(result.notebooks[name], root)}")
        if name in result.html:
            print(f"  {name}: HTML     {_rel(result.html[name], root)}")
    report = Path(result.run_dir) / "intake_report.xlsx"
    if report.exists():
        print(f"  Zurückgestellte Zeilen und alle Befunde: {_rel(report, root)}")
    sheets = sorted((Path(result.run_dir) / "rating_sheets").glob("*.xlsx"))
    if sheets:
        print(f"  Bewertungsbögen ({len(sheets)}): {_rel(sheets[0].parent, root)}/")
    for plan in sorted((Path(result.run_dir) / "site_visits").glob("besuchsplan_*.xlsx")):
        print(f"  Besuchsplan (mit Kontaktdaten, nur Institut): {_rel(plan, root)}")
    for check in sorted((Path(result.run_dir) / "site_visits").glob("pruefliste_*.xlsx")):
        print(
            f"  Prüfliste für die Besuche (ausgefüllt als data/<Edition>/site_visits.xlsx ablegen): {_rel(check, root)}"
        )
    for blind in sorted((Path(result.run_dir) / "site_visits").glob("blind_*.csv")):
        print(f"  Kandidatenliste ohne Namen: {_rel(blind, root)}")
    for page in sorted((Path(result.run_dir) / "jury").glob("jury_*.html")):
        print(f"  Jury-Dashboard (eine Datei, offline im Browser öffnen): {_rel(page, root)}")
    letters = Path(result.run_dir) / "letters"
    if letters.is_dir():
        print(f"  Rückmeldeschreiben ({len(list(letters.glob('*.html')))}): {_rel(letters, root)}/")


def _rel(p: Any, root: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(root))
    except ValueError:
        return str(p)


def cmd_status(args: argparse.Namespace) -> int:
    """Say which inputs exist, which stages ran and what is next."""
    from vielfalt.config.edition import load_context, resolve_data_path
    from vielfalt.runs import runner as pipeline

    root = find_project_root(args.project)
    ed, _ = load_context(root, args.edition)
    print(f"Edition {ed.edition}: {ed.title.get('de')}")
    print("Eingaben:")
    missing = []
    for i in ed.inputs:
        p = resolve_data_path(root, ed, i.file)
        ok = p.is_file() or (i.dialect == "form" and p.is_dir())
        print(f"  [{'x' if ok else ' '}] data/{ed.edition}/{i.file} ({i.dialect}, Quelle {i.source})")
        if not ok:
            missing.append(i.file)
    runs = pipeline.list_runs(root / "runs", ed.edition)
    print("Läufe:" if runs else "Läufe: noch keine")
    words = {
        "complete": "vollständig",
        "failed": "fehlgeschlagen",
        "incomplete": "abgebrochen",
        "running": "läuft",
        "invalid": "ungültig",
    }
    for r in runs[-10:]:
        m = r.manifest
        stages = ", ".join(m.stages_completed) if m else ""
        line = f"  {r.run_id}: {words.get(r.status, r.status)} (fertige Stufen: {stages or '—'})"
        if r.status == "failed" and m is not None and m.failure is not None:
            line += f"\n      {m.failure.summary_de}"
        print(line)
    available = _available_stages(root)
    done: list[str] = []
    latest = pipeline.latest_run(root / "runs", ed.edition)
    if latest is not None:
        from vielfalt.runs.manifest import load_manifest

        done = list(load_manifest(latest).stages_completed)
    nxt = next((s for s in available if s not in done), None)
    if missing:
        print(
            f"Als Nächstes: fehlende Eingaben ablegen ({', '.join(missing)}), dann vielfalt run {ed.edition}"
        )
    elif nxt:
        print(f"Als Nächstes: vielfalt run {ed.edition} --until {nxt}")
    else:
        print("Alle vorhandenen Stufen sind gelaufen.")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Scaffold a new edition (params file and data folder) from a previous one."""
    from vielfalt.config.edition import edition_path, load_edition

    root = find_project_root(args.project)
    params = root / "params"
    src = edition_path(args.source, params_dir=params)
    prev = load_edition(src)
    dst = edition_path(args.edition, params_dir=params)
    if dst.exists():
        msg = f"{_rel(dst, root)} gibt es schon; vielfalt überschreibt keine Edition."
        raise VielfaltError(msg)
    text = src.read_text(encoding="utf-8")
    year = args.year or prev.year + 1
    text = re.sub(r"(?m)^edition:.*$", f'edition: "{args.edition}"', text, count=1)
    text = re.sub(r"(?m)^year:.*$", f"year: {year}", text, count=1)
    text = re.sub(r"(?m)^seed:.*$", f"seed: {year}", text, count=1)
    text = re.sub(
        r"(?m)^pseudonym_salt:.*$", f'pseudonym_salt: "{args.edition}-{secrets.token_hex(4)}"', text, count=1
    )
    header = f"# Angelegt mit `vielfalt init {args.edition} --from {args.source}`: Titel, Eingaben und Personen prüfen.\n"
    # validate the scaffold before it appears under params/ (load_edition wants the final file name)
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / dst.name
        trial.write_text(header + text, encoding="utf-8")
        load_edition(trial)
    dst.write_text(header + text, encoding="utf-8")
    data = root / "data" / args.edition
    data.mkdir(parents=True, exist_ok=True)
    lines = [f"Eingabedateien der Edition {args.edition} (laut {_rel(dst, root)}):"]
    lines += [f"- {i.file} ({i.dialect}, Quelle {i.source})" for i in prev.inputs]
    (data / "LIESMICH.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Angelegt: {_rel(dst, root)} und {_rel(data, root)}/")
    print("Bitte Titel, Eingabedateien, Gutachtende und Jury in der Editionsdatei prüfen.")
    return 0


def cmd_codebook(args: argparse.Namespace) -> int:
    """Write the instrument as a readable codebook."""
    from vielfalt.config.codebook import write_codebook
    from vielfalt.config.questionnaire import load_questionnaire, questionnaire_path

    root = find_project_root(args.project)
    q = load_questionnaire(questionnaire_path(args.questionnaire, params_dir=root / "params"))
    out = Path(args.out) if args.out else root / "runs" / f"codebook_{q.meta.id}.{args.format}"
    write_codebook(q, out, lang=args.lang)
    print(f"Codebuch geschrieben: {out}")
    return 0


#: Up to this many entries `vielfalt synth` writes a whole edition (inputs, rating sheets, visits, votes);
#: above it only one LimeSurvey export (for the intake benchmarks).
FULL_SYNTH_LIMIT = 10_000


def cmd_synth(args: argparse.Namespace) -> int:
    """Generate synthetic input files for an edition (the demo's are committed and regenerate identically)."""
    from vielfalt.config.edition import load_context
    from vielfalt.demo import synth

    root = find_project_root(args.project)
    if getattr(args, "editions", None):
        from vielfalt.demo.editions import edition_id, write_multi_edition_inputs

        wanted = [edition_id(t) for t in args.editions.split(",") if t.strip()]
        print(write_multi_edition_inputs(root, write=wanted).summary())
        return 0
    ed, q = load_context(root, args.edition)
    if args.entries and args.entries > FULL_SYNTH_LIMIT:
        out = Path(args.out) if args.out else root / "runs" / "synth" / f"{ed.edition}_{args.entries}.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        seed = ed.seed if args.seed is None else args.seed
        synth.write_limesurvey_csv(out, q, ed.category_scheme, n=args.entries, seed=seed, year=ed.year)
        print(f"{args.entries} synthetische Einsendungen (LimeSurvey-Format): {out}")
        return 0
    data_dir = Path(args.out) if args.out else root / "data" / ed.edition
    result = synth.write_edition_inputs(ed, q, data_dir, n_entries=args.entries, seed=args.seed)
    print(synth.demo_summary(result))
    if data_dir.resolve() == (root / "data" / ed.edition).resolve() and ed.evaluators:
        sheets = synth.write_returned_ratings(ed, q, data_dir, project_root=root, seed=args.seed)
        print(
            f"Ausgefüllte Bewertungsbögen (synthetisch): {len(sheets)} in {_rel(data_dir / 'ratings', root)}/"
        )
    if ed.edition == "demo2010" and data_dir.resolve() == (root / "data" / ed.edition).resolve():
        from vielfalt.demo.jury import write_jury_inputs

        visits, votes = write_jury_inputs(ed, q, data_dir, project_root=root, seed=args.seed)
        print(f"Besuchsergebnisse und Jurystimmen (synthetisch): {_rel(visits, root)}, {_rel(votes, root)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Regenerate the demo edition's inputs and run every stage that exists."""
    from vielfalt.runs.warm_kernel import start_early

    root = find_project_root(args.project)
    first_kernel = start_early("vielfalt", root)  # starts while the inputs are generated
    try:
        synth_args = argparse.Namespace(
            project=args.project, edition="demo2010", entries=None, seed=None, out=None
        )
        cmd_synth(synth_args)
        stages = _available_stages(root)
        result = run_edition(root, "demo2010", stages, lang=args.lang, first_kernel=first_kernel)
    finally:
        if first_kernel is not None:
            first_kernel.close()
    _print_run(result, root)
    from vielfalt.instrument import write_demo_forms

    forms = write_demo_forms(root, "demo2010")
    print("Fragebogen fürs Feld (LimeSurvey-Import, ausfüllbarer Bogen, Druckfassung):")
    print("\n".join(f"  {_rel(p, root)}" for p in forms.values()))
    from vielfalt.research.archive import build_demo_archive

    print(build_demo_archive(root, lang=args.lang or "de").summary())
    return 0


def cmd_field(args: argparse.Namespace) -> int:
    """Field the instrument (LimeSurvey structure, fillable workbook, printable form) or read a structure."""
    from vielfalt import instrument
    from vielfalt.config.edition import EDITION_ID, load_context

    root = find_project_root(args.project)
    if not EDITION_ID.match(args.edition):
        msg = f"Editionskennung „{args.edition}“ ist ungültig (nur Buchstaben, Ziffern, - und _)."
        raise VielfaltError(msg)
    out = Path(args.out) if args.out else root / "runs" / "field" / args.edition
    if args.from_limesurvey:
        res = instrument.write_questionnaire_skeleton(args.from_limesurvey, out, qid=args.id, lang=args.lang)
        print("\n".join(instrument.describe_skeleton(res, lang=args.lang, root=root)))
        return 0
    ed, q = load_context(root, args.edition)
    _, lines = instrument.write_field_files(q, ed, out, to=args.to, lang=args.lang, root=root)
    print("\n".join(lines))
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Serve the jury dashboard (notebook 06_jury as a Voilà app) of the latest run on 127.0.0.1."""
    import subprocess

    from vielfalt.config.edition import load_context
    from vielfalt.dashboard.serve import dashboard_notebook, free_port, voila_command, voila_env
    from vielfalt.runs import runner as pipeline

    root = find_project_root(args.project)
    ed, _ = load_context(root, args.edition)
    run = Path(args.run) if args.run else pipeline.latest_run(root / "runs", ed.edition)
    if run is None or not (Path(run) / "artefacts" / "jury" / "final_scores.parquet").is_file():
        msg = (
            f"Kein vollständiger Lauf von {ed.edition} mit der Jury-Stufe gefunden. "
            f"Bitte zuerst: vielfalt run {ed.edition} --until jury"
        )
        raise VielfaltError(msg)
    run = Path(run).resolve()
    # beside the run, not inside it: a finished run directory is never changed
    out_dir = root / "runs" / ed.edition / ".dashboard" / run.name  # a dot: not listed as a run
    nb = dashboard_notebook(root, ed.edition, run, out_dir, lang=args.lang or ed.language)
    port = args.port or free_port()
    print(f"Jury-Dashboard (Lauf {run.name}): http://127.0.0.1:{port}/  — beenden mit Strg+C")
    cmd = voila_command(nb, port)
    if args.print_command:
        print(" ".join(cmd))
        return 0
    return subprocess.call(cmd, cwd=out_dir, env=voila_env())


# --- research: verify, archive, export, compare ----------------------------------------------------


def cmd_verify(args: argparse.Namespace) -> int:
    """Re-run a run from its manifest and compare its artefacts; exit 0 identical, 1 not, 2 error."""
    from vielfalt.runs.verify import verify_run

    root = find_project_root(args.project)
    run = Path(args.run)
    run = run if run.is_absolute() else (Path.cwd() / run)
    tick = {"t": time.monotonic()}

    def progress(name: str, index: int, total: int, status: str) -> None:
        if args.json:
            return
        if status == "running":
            tick["t"] = time.monotonic()
            print(f"[{index}/{total}] Wiederholung der Stufe {name} …", flush=True)
        else:
            print(f"[{index}/{total}] {name}: {status} ({time.monotonic() - tick['t']:.1f} s)", flush=True)

    report = verify_run(run, project_root=root, progress=progress)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.text(args.lang))
    return report.exit_code


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


def cmd_export(args: argparse.Namespace) -> int:
    """Write an export profile of one edition: research, jury_blind, jury_named or public."""
    from vielfalt.research.archive import export_research

    root = find_project_root(args.project)
    if args.profile == "research":
        result = export_research(root, args.edition, out_dir=args.out, run_dir=args.run, lang=args.lang)
    else:
        from vielfalt.cli.export import export_profile

        result = export_profile(
            root, args.edition, args.profile, out_dir=args.out, run_dir=args.run, lang=args.lang
        )
    print(result.summary())
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Run the research stage (notebook 08_editions) on the archive."""
    from vielfalt.research.compare import run_research

    root = find_project_root(args.project)
    editions = None
    if args.editions:
        from vielfalt.demo.editions import edition_id

        editions = ",".join(edition_id(t) for t in args.editions.split(",") if t.strip())
    result = run_research(root, archive_dir=args.archive, editions=editions, lang=args.lang or "de")
    _print_run(result, root)
    return 0


# --- entry point ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (German help texts)."""
    p = argparse.ArgumentParser(prog="vielfalt", description="Auswertung von Vielfalt-Wettbewerben.")
    p.add_argument("--version", action="version", version=f"vielfalt {__version__}")
    p.add_argument("--project", type=Path, default=None, help="Projektordner (Standard: aktueller Ordner)")
    sub = p.add_subparsers(dest="command", required=True, metavar="BEFEHL")

    s = sub.add_parser("validate", help="eine Antwortdatei prüfen")
    s.add_argument("file")
    s.add_argument("--edition", required=True)
    s.add_argument("--lang", choices=["de", "en"], default="de")
    s.add_argument("--json", action="store_true", help="Bericht als JSON ausgeben")
    s.add_argument("--dialect", choices=["auto", "limesurvey", "excel"], default="auto")
    s.add_argument("--max-mb", type=float, default=None, help="größte erlaubte Dateigröße in MB")
    s.set_defaults(func=cmd_validate)

    s = sub.add_parser("run", help="Stufen einer Edition ausführen")
    s.add_argument("edition")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--stage", help="nur diese Stufe")
    g.add_argument("--until", help="alle Stufen bis einschließlich dieser")
    s.add_argument("--lang", choices=["de", "en"], default=None)
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("status", help="Eingaben, Läufe und nächsten Schritt anzeigen")
    s.add_argument("edition")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("init", help="neue Edition aus einer früheren anlegen")
    s.add_argument("edition")
    s.add_argument("--from", dest="source", required=True)
    s.add_argument("--year", type=int, default=None)
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("codebook", help="Codebuch des Fragebogens schreiben")
    s.add_argument("--questionnaire", default="vg2010")
    s.add_argument("--format", choices=["html", "md"], default="html")
    s.add_argument("--out", default=None)
    s.add_argument("--lang", choices=["de", "en"], default="de")
    s.set_defaults(func=cmd_codebook)

    s = sub.add_parser("synth", help="synthetische Eingabedateien erzeugen")
    s.add_argument("--edition", default="demo2010")
    s.add_argument(
        "--editions",
        default=None,
        help="mehrere Demo-Editionen mit Wiederholungsteilnahmen, z. B. 2009,2010,2012,2015",
    )
    s.add_argument(
        "--entries",
        type=int,
        default=None,
        help=(
            f"Anzahl der Einsendungen; bis {FULL_SYNTH_LIMIT} eine ganze Edition, "
            "darüber nur ein LimeSurvey-Export"
        ),
    )
    s.add_argument("--seed", type=int, default=None)
    s.add_argument("--out", default=None)
    s.set_defaults(func=cmd_synth)

    s = sub.add_parser("field", help="Fragebogen ins Feld bringen (LimeSurvey, Excel, Druck) oder einlesen")
    s.add_argument("edition")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--to", choices=["limesurvey", "xlsx", "html", "pdf", "all"], help="was geschrieben wird")
    g.add_argument("--from-limesurvey", metavar="DATEI", help="LimeSurvey-Struktur (.txt) → Fragebogen")
    s.add_argument("--id", default=None, help="Kennung des Fragebogen-Gerüsts (Standard: ls<Umfrage-ID>)")
    s.add_argument("--out", default=None, help="Ausgabeordner (Standard: runs/field/<Edition>/)")
    s.add_argument("--lang", choices=["de", "en"], default="de")
    s.set_defaults(func=cmd_field)

    s = sub.add_parser("dashboard", help="Jury-Dashboard mit Voilà auf 127.0.0.1 starten")
    s.add_argument("edition")
    s.add_argument("--run", default=None, help="Laufordner (Standard: der letzte vollständige Lauf)")
    s.add_argument("--port", type=int, default=None, help="Port (Standard: ein freier)")
    s.add_argument("--lang", choices=["de", "en"], default=None)
    s.add_argument("--print-command", action="store_true", help="nur den Voilà-Befehl ausgeben")
    s.set_defaults(func=cmd_dashboard)

    s = sub.add_parser("demo", help="Demo-Edition erzeugen und alle Stufen ausführen")
    s.add_argument("--lang", choices=["de", "en"], default=None)
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("verify", help="einen Lauf aus seinem Manifest wiederholen und vergleichen")
    s.add_argument("run", help="Laufordner, z. B. runs/demo2010/<Lauf-ID>")
    s.add_argument("--json", action="store_true", help="Bericht als JSON ausgeben")
    s.add_argument("--lang", choices=["de", "en"], default="de")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("archive", help="abgeschlossene Edition ins Forschungsarchiv aufnehmen")
    s.add_argument("edition")
    s.add_argument("--archive", type=Path, default=None, help="Archivordner (Standard: archive/)")
    s.add_argument("--run", type=Path, default=None, help="bestimmter Lauf statt des neuesten")
    s.add_argument("--replace", action="store_true", help="abweichenden früheren Stand ersetzen")
    s.add_argument(
        "--allow-open", action="store_true", help="auch ohne Jury-Entscheidungen (Stufe close) archivieren"
    )
    s.set_defaults(func=cmd_archive)

    s = sub.add_parser("export", help="Exportprofil einer Edition schreiben")
    s.add_argument("edition")
    s.add_argument("--profile", choices=["research", "jury_blind", "jury_named", "public"], required=True)
    s.add_argument("--out", type=Path, default=None, help="Zielordner")
    s.add_argument("--run", type=Path, default=None, help="bestimmter Lauf statt des neuesten")
    s.add_argument("--lang", choices=["de", "en"], default=None)
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("compare", help="Editionen im Archiv vergleichen (Notebook 08_editions)")
    s.add_argument("--editions", default=None, help="z. B. 2009,2010,2012,2015 (Standard: alle)")
    s.add_argument("--archive", type=Path, default=None, help="Archivordner (Standard: archive/)")
    s.add_argument("--lang", choices=["de", "en"], default=None)
    s.set_defaults(func=cmd_compare)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PipelineError as err:
        print(f"\nFehler: {err}", file=sys.stderr)
        if err.run_dir:
            print(
                f"Der unvollständige Lauf liegt in {err.run_dir} (das gespeicherte Notebook zeigt die Zelle).",
                file=sys.stderr,
            )
        return 1
    except VielfaltError as err:
        print(f"Fehler: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        print(
            "\nAbgebrochen; der Lauf bleibt als .partial liegen und gilt nicht als vollständig.",
            file=sys.stderr,
        )
        return 143 if type(err).__name__ == "RunTerminated" else 130
    except Exception:  # a bug: keep the traceback, but out of the user's way
        fd, path = tempfile.mkstemp(prefix="vielfalt-fehler-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            traceback.print_exc(file=fh)
        print(
            f"Interner Fehler in vielfalt (ein Programmfehler, nicht Ihre Daten). Details: {path}",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

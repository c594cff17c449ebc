"""What ``vielfalt field`` and ``vielfalt demo`` write and print: the files of an edition, in one call.

:func:`write_field_files` writes the LimeSurvey structure, the fillable workbook and the printable form of
an edition and says, in German or English, what was written and what to do with it;
:func:`describe_skeleton` does the same for a skeleton read from a structure file; :func:`write_demo_forms`
writes the demo edition's files.
"""

from __future__ import annotations

from pathlib import Path

from vielfalt._params import Options, validate_params
from vielfalt.config.edition import Edition, edition_path, load_edition
from vielfalt.config.questionnaire import Questionnaire
from vielfalt.i18n import t
from vielfalt.instrument._codes import LANGS, ROW_CLASSES, Lang
from vielfalt.instrument.form_print import write_form_html, write_form_pdf
from vielfalt.instrument.form_xlsx import write_form_xlsx
from vielfalt.instrument.limesurvey_read import read_limesurvey_structure
from vielfalt.instrument.limesurvey_write import write_limesurvey_structure
from vielfalt.instrument.skeleton import SkeletonResult

__all__ = ["FIELD_TARGETS", "describe_skeleton", "write_demo_forms", "write_field_files"]

#: What ``vielfalt field ED --to …`` can write; ``all`` is the first three.
FIELD_TARGETS = ("limesurvey", "xlsx", "html", "pdf", "all")


def write_demo_forms(root: str | Path, edition: str) -> dict[str, Path]:
    """Write the LimeSurvey structure file and the fillable workbook of an edition (for ``vielfalt demo``).

    Both go to ``runs/field/<edition>/`` below the project `root`: ``limesurvey_<ed>.txt`` and
    ``teilnahmebogen_<ed>.xlsx`` (and ``teilnahmebogen_<ed>.html``).

    Parameters
    ----------
    root : str or Path
        The project folder (with ``params/``).
    edition : str
        Edition id, e.g. ``"demo2010"``.

    Returns
    -------
    dict of str → Path
        ``{"limesurvey": …, "xlsx": …, "html": …}``.
    """
    root = Path(root)
    ed, q = load_edition(edition_path(edition, params_dir=root / "params"), with_questionnaire=True)
    out = root / "runs" / "field" / ed.edition
    return {
        "limesurvey": write_limesurvey_structure(q, out / f"limesurvey_{ed.edition}.txt", edition=ed),
        "xlsx": write_form_xlsx(q, out / f"teilnahmebogen_{ed.edition}.xlsx", edition=ed),
        "html": write_form_html(q, out / f"teilnahmebogen_{ed.edition}.html", edition=ed),
    }


def _shown(path: Path, root: Path | None) -> str:
    """``path`` relative to ``root`` when it lies below it, else as given."""
    if root is not None:
        try:
            return str(Path(path).resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return str(path)


@validate_params({"to": [Options(FIELD_TARGETS)], "lang": [Options(LANGS)]})
def write_field_files(
    q: Questionnaire,
    edition: Edition,
    out_dir: str | Path,
    *,
    to: str,
    lang: Lang = "de",
    root: str | Path | None = None,
) -> tuple[dict[str, Path], list[str]]:
    """Write what ``vielfalt field ED --to …`` asks for and say what was written (German or English).

    Parameters
    ----------
    q : Questionnaire
        The edition's instrument.
    edition : Edition
        The edition.
    out_dir : str or Path
        The folder to write to.
    to : {"limesurvey", "xlsx", "html", "pdf", "all"}
        ``all`` = LimeSurvey structure, workbook and HTML.
    lang : {"de", "en"}, default "de"
        Language of the files and the lines.
    root : str or Path, optional
        Paths in the lines are shown relative to it.

    Returns
    -------
    (dict of target → Path, list of str)
        The files written and the lines to print.
    """
    targets = list(FIELD_TARGETS[:3]) if to == "all" else [to]
    out = Path(out_dir)
    base = Path(root) if root is not None else None
    ed = edition.edition
    paths: dict[str, Path] = {}
    lines: list[str] = []
    for target in targets:
        if target == "limesurvey":
            p = write_limesurvey_structure(q, out / f"limesurvey_{ed}.txt", edition=edition, lang=lang)
            counts = read_limesurvey_structure(p, lang=lang).row_counts
            rows = ", ".join(f"{k} {counts.get(k, 0)}" for k in ROW_CLASSES)
            lines.append(t("instrument.files_limesurvey", lang, path=_shown(p, base), rows=rows))
            lines.append(t("instrument.files_limesurvey_next", lang))
        elif target == "xlsx":
            p = write_form_xlsx(q, out / f"teilnahmebogen_{ed}.xlsx", edition=edition, lang=lang)
            lines.append(t("instrument.files_xlsx", lang, path=_shown(p, base)))
            lines.append(t("instrument.files_xlsx_next", lang, edition=ed))
        elif target == "html":
            p = write_form_html(q, out / f"teilnahmebogen_{ed}.html", edition=edition, lang=lang)
            lines.append(t("instrument.files_html", lang, path=_shown(p, base)))
        else:
            p = write_form_pdf(q, out / f"teilnahmebogen_{ed}.pdf", edition=edition, lang=lang)
            lines.append(t("instrument.files_pdf", lang, path=_shown(p, base)))
        paths[target] = p
    return paths, lines


@validate_params({"lang": [Options(LANGS)]})
def describe_skeleton(res: SkeletonResult, *, lang: Lang = "de", root: str | Path | None = None) -> list[str]:
    """Return the lines ``vielfalt field ED --from-limesurvey FILE`` prints: what was written and what was
    left out.

    Parameters
    ----------
    res : SkeletonResult
        From :func:`vielfalt.instrument.skeleton.write_questionnaire_skeleton`.
    lang : {"de", "en"}, default "de"
        Language of the lines.
    root : str or Path, optional
        Paths are shown relative to it.

    Returns
    -------
    list of str
        One line each.
    """
    base = Path(root) if root is not None else None
    written = _shown(res.questionnaire, base)
    lines = [
        t("instrument.skeleton_written", lang, path=written, n_items=res.n_items, n_sections=res.n_sections),
        t("instrument.skeleton_missing", lang, n=len(res.untranslated), path=_shown(res.report, base)),
    ]
    lines += [f"  {u.code} [{u.kind}] {u.detail}: {u.reason}" for u in res.untranslated]
    lines.append(t("instrument.skeleton_next", lang))
    return lines

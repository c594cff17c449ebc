"""The one list of stages: name, notebook, stage function, required inputs, declared artefacts, outputs.

Everything that needs to know about stages reads this list instead of keeping one of its own: ``vielfalt
run`` (order, ``--stage``, ``--until``, the base run), ``vielfalt status`` (what a stage needs, what is next),
``vielfalt verify`` (each stage's notebook), ``vielfalt export`` (which stage a profile needs) and the tests
(every stage writes exactly its declared artefacts). Adding a stage means adding one entry here, its
notebook in ``notebooks/`` and its stage function.

The list is plain data: this module imports no stage code (a stage function is named by its dotted path),
so reading it costs nothing. The runner (:mod:`vielfalt.runs`) never imports it; the command line turns its
entries into :class:`~vielfalt.runs.notebooks.StageSpec` objects.

Examples
--------
>>> [s.name for s in STAGES][:3]
['intake', 'ratings', 'scoring']
>>> stage("scoring").needs
('intake', 'ratings')
>>> producer("site_visits/freeze.json")
'site_visits'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from vielfalt.i18n import t

__all__ = [
    "RESEARCH",
    "STAGES",
    "STAGE_NAMES",
    "StageDef",
    "StageInput",
    "StageOutput",
    "declared_artefacts",
    "producer",
    "stage",
    "stages_until",
]


@dataclass(frozen=True)
class StageInput:
    """Something a stage needs before it can run: a file in ``data/<ed>/`` or an earlier stage's artefact.

    Attributes
    ----------
    kind : {"data", "artefact"}
        ``data``: a path relative to ``data/<ed>/`` (``""``: the input files the edition's YAML lists; a
        trailing ``/``: a folder that must hold files). ``artefact``: a path relative to the run's
        ``artefacts/`` (its first component is the stage that writes it).
    path : str
        The path; ``{ed}`` stands for the edition id.
    description : str
        The catalogue key of the sentence shown for it (placeholders ``ed``, ``name``, ``stage``).
    alternatives : tuple of str, default ()
        Other paths (relative to ``data/<ed>/``) that serve as well, e.g. an XLSX instead of a CSV.
    """

    kind: Literal["data", "artefact"]
    path: str
    description: str
    alternatives: tuple[str, ...] = ()

    @property
    def stage(self) -> str | None:
        """The stage that writes an artefact input (None for a data input)."""
        return self.path.split("/", 1)[0] if self.kind == "artefact" else None

    def describe(self, lang: str = "de", *, edition: str = "<ed>") -> str:
        """Return the sentence shown for this input in ``lang``, for ``edition``."""
        return t(self.description, lang, ed=edition, name=self.path, stage=self.stage or "")

    def paths(self, project_root: str | Path, edition: str) -> list[Path]:
        """Return the data paths that satisfy this input (the path and its alternatives), [] for artefacts."""
        if self.kind != "data":
            return []
        base = Path(project_root) / "data" / edition
        return [base / p.format(ed=edition) for p in (self.path, *self.alternatives)]


@dataclass(frozen=True)
class StageOutput:
    """A file (or folder of files) a stage writes for people, named after a run.

    Attributes
    ----------
    pattern : str
        A glob relative to the run directory (``"site_visits/besuchsplan_*.xlsx"``).
    label : str
        The catalogue key of its label (placeholder ``n``: how many files match).
    folder : bool, default False
        Name the folder once, with the number of files, instead of every file.
    """

    pattern: str
    label: str
    folder: bool = False


@dataclass(frozen=True)
class StageDef:
    """One stage of the pipeline.

    Attributes
    ----------
    name : str
        The stage's name (``"intake"``): the ``--stage``/``--until`` value and the first component of its
        artefacts' names.
    notebook : str
        The stem of its notebook in ``notebooks/`` (``"01_intake"``; the file is ``<stem>.py``).
    function : str
        The dotted path of the stage function its notebook calls.
    inputs : tuple of StageInput
        What must exist before it can run.
    artefacts : tuple of str
        The artefacts it writes, relative to the run's ``artefacts/`` (``"intake/entries.parquet"``).
    outputs : tuple of StageOutput, default ()
        The files for people a run summary names.
    """

    name: str
    notebook: str
    function: str
    inputs: tuple[StageInput, ...]
    artefacts: tuple[str, ...]
    outputs: tuple[StageOutput, ...] = ()

    @property
    def needs(self) -> tuple[str, ...]:
        """The earlier stages whose artefacts it reads, in the order of its inputs."""
        found = [i.stage for i in self.inputs if i.stage is not None]
        return tuple(dict.fromkeys(found))

    @property
    def data_inputs(self) -> tuple[StageInput, ...]:
        """Its inputs from ``data/<ed>/``."""
        return tuple(i for i in self.inputs if i.kind == "data")

    def notebook_path(self, project_root: str | Path) -> Path:
        """Return its jupytext notebook in a project (``<root>/notebooks/<stem>.py``)."""
        return Path(project_root) / "notebooks" / f"{self.notebook}.py"


def _artefacts(stage_name: str, *names: str) -> tuple[StageInput, ...]:
    """Artefact inputs written by ``stage_name`` (``names`` without the stage's folder)."""
    return tuple(StageInput("artefact", f"{stage_name}/{n}", "registry.input_artefact") for n in names)


#: The stages of an edition, in pipeline order (the order defines ``--until`` and the base run).
STAGES: tuple[StageDef, ...] = (
    StageDef(
        name="intake",
        notebook="01_intake",
        function="vielfalt.stages.intake.intake_stage",
        inputs=(StageInput("data", "", "registry.input_edition_files"),),
        artefacts=(
            "intake/counts.parquet",
            "intake/entries.parquet",
            "intake/failures.parquet",
            "intake/quarantine.parquet",
            "intake/rating_design.parquet",
        ),
        outputs=(
            StageOutput("intake_report.xlsx", "registry.output_intake_report"),
            StageOutput("rating_sheets/*.xlsx", "registry.output_rating_sheets", folder=True),
        ),
    ),
    StageDef(
        name="ratings",
        notebook="02_ratings",
        function="vielfalt.stages.ratings.ratings_stage",
        inputs=(
            StageInput("data", "ratings/", "registry.input_rating_sheets"),
            *_artefacts("intake", "entries.parquet", "rating_design.parquet"),
        ),
        artefacts=(
            "ratings/failures.parquet",
            "ratings/missing.parquet",
            "ratings/rank_by_model.parquet",
            "ratings/rater_effects.parquet",
            "ratings/ratings.parquet",
            "ratings/reliability.parquet",
            "ratings/text_scores.parquet",
        ),
    ),
    StageDef(
        name="scoring",
        notebook="03_scoring",
        function="vielfalt.stages.scoring.scoring_stage",
        inputs=(*_artefacts("intake", "entries.parquet"), *_artefacts("ratings", "text_scores.parquet")),
        artefacts=(
            "scoring/contributions.parquet",
            "scoring/fields.parquet",
            "scoring/flags.parquet",
            "scoring/hierarchy.parquet",
            "scoring/indicators.parquet",
            "scoring/indicators_raw.parquet",
            "scoring/item_analysis.parquet",
            "scoring/ranks.parquet",
            "scoring/scores.parquet",
            "scoring/weights.parquet",
        ),
    ),
    StageDef(
        name="robustness",
        notebook="04_robustness",
        function="vielfalt.stages.robustness.robustness_stage",
        inputs=(*_artefacts("intake", "entries.parquet"), *_artefacts("scoring", "ranks.parquet")),
        artefacts=(
            "robustness/draws.parquet",
            "robustness/rank_stats.parquet",
            "robustness/sensitivity.parquet",
            "robustness/settings.json",
        ),
    ),
    StageDef(
        name="site_visits",
        notebook="05_site_visits",
        function="vielfalt.stages.site_visits.site_visits_stage",
        inputs=(
            *_artefacts("intake", "entries.parquet", "failures.parquet"),
            *_artefacts("scoring", "scores.parquet", "indicators.parquet", "flags.parquet"),
            *_artefacts("robustness", "rank_stats.parquet"),
        ),
        artefacts=(
            "site_visits/candidates.parquet",
            "site_visits/freeze.json",
            "site_visits/plausibility.parquet",
            "site_visits/rule.json",
        ),
        outputs=(
            StageOutput("site_visits/besuchsplan_*.xlsx", "registry.output_visit_plan"),
            StageOutput("site_visits/pruefliste_*.xlsx", "registry.output_visit_checklist"),
            StageOutput("site_visits/blind_*.csv", "registry.output_blind_list"),
        ),
    ),
    StageDef(
        name="jury",
        notebook="06_jury",
        function="vielfalt.stages.jury.jury_stage",
        inputs=(
            StageInput(
                "data",
                "site_visits.csv",
                "registry.input_site_visits",
                alternatives=("site_visits.xlsx", "besuchsplan_{ed}.xlsx"),
            ),
            *_artefacts("intake", "entries.parquet"),
            *_artefacts("scoring", "scores.parquet", "weights.parquet", "flags.parquet"),
            *_artefacts("robustness", "rank_stats.parquet"),
            *_artefacts("site_visits", "candidates.parquet"),
        ),
        artefacts=(
            "jury/final_scores.parquet",
            "jury/site_visit_checks.parquet",
            "jury/site_visit_failures.parquet",
            "jury/visits.parquet",
        ),
        outputs=(StageOutput("jury/jury_*.html", "registry.output_jury_page"),),
    ),
    StageDef(
        name="close",
        notebook="07_results",
        function="vielfalt.stages.close.close_stage",
        inputs=(
            StageInput("data", "jury_votes.csv", "registry.input_jury_votes"),
            *_artefacts("intake", "entries.parquet"),
            *_artefacts("jury", "final_scores.parquet"),
        ),
        artefacts=(
            "close/agreement.parquet",
            "close/awards.parquet",
            "close/vote_failures.parquet",
            "close/votes.parquet",
        ),
        outputs=(StageOutput("letters/*.html", "registry.output_letters", folder=True),),
    ),
)

#: The stage names of :data:`STAGES`, in pipeline order.
STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in STAGES)

#: The research stage: compares the editions of the research archive (``vielfalt compare``, its own run
#: folder ``runs/research/``), not part of an edition's pipeline.
RESEARCH = StageDef(
    name="research",
    notebook="08_editions",
    function="vielfalt.research.compare.research_stage",
    inputs=(),  # the research archive (archive/), checked by vielfalt.research.compare.run_research
    artefacts=(
        "research/adoption.parquet",
        "research/agreement.parquet",
        "research/comparability.parquet",
        "research/participation.parquet",
        "research/reliability.parquet",
        "research/repeaters.parquet",
        "research/scores.parquet",
    ),
)


def stage(name: str) -> StageDef:
    """Return the stage called ``name`` (an edition stage or ``"research"``).

    Parameters
    ----------
    name : str
        The stage's name.

    Returns
    -------
    StageDef
        Its entry.

    Raises
    ------
    KeyError
        For a name that is no stage.
    """
    for s in (*STAGES, RESEARCH):
        if s.name == name:
            return s
    raise KeyError(name)


def stages_until(name: str) -> tuple[StageDef, ...]:
    """Return the edition's stages from the first up to and including ``name``.

    Parameters
    ----------
    name : str
        A name from :data:`STAGE_NAMES`.

    Returns
    -------
    tuple of StageDef
        In pipeline order.
    """
    return STAGES[: STAGE_NAMES.index(name) + 1]


def declared_artefacts() -> dict[str, str]:
    """Return every declared artefact (relative to ``artefacts/``) with the stage that writes it.

    Returns
    -------
    dict of str to str
        Artefact → stage name, the research stage's included.
    """
    return {a: s.name for s in (*STAGES, RESEARCH) for a in s.artefacts}


def producer(artefact: str) -> str | None:
    """Return the stage that declares ``artefact`` (relative to ``artefacts/``, with suffix), or None.

    Parameters
    ----------
    artefact : str
        E.g. ``"intake/entries.parquet"``.

    Returns
    -------
    str or None
        The stage's name.
    """
    return declared_artefacts().get(artefact)

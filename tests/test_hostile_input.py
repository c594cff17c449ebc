"""Hostile input beyond the byte fuzzing of test_ingest_fuzz: malformed workbooks (garbled or nested XML,
missing parts, entity bombs, zip bombs), hostile CSV structure, hostile cell values through validation,
unsafe YAML and paths that try to leave the project's folders. Only a VielfaltError may escape."""

from __future__ import annotations

import ast
import functools
import io
import itertools
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_ingest_fuzz import _check_invariants
from tests.test_validate import raw_frame, run, valid_row
from vielfalt.exceptions import DataError, InstrumentError, VielfaltError
from vielfalt.intake.read import read_table

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "vielfalt"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_counter = itertools.count()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module; hypothesis examples must not share pytest's function-scoped tmp_path."""
    return tmp_path_factory.mktemp("hostile")


def _read(work: Path, data: bytes, suffix: str = ".xlsx") -> pd.DataFrame | None:
    """read_table on the bytes: a table (checked) or a VielfaltError (None); anything else fails the test."""
    path = work / f"h{next(_counter)}{suffix}"
    path.write_bytes(data)
    try:
        df = read_table(path)
    except VielfaltError:
        return None
    finally:
        path.unlink()
    _check_invariants(df)
    return df


# --------------------------------------------------------------------------------- malformed XLSX


def _members() -> dict[str, bytes]:
    """The parts of a small real workbook (shared strings, a number, an empty cell)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "A01", "A05[total]"])
    ws.append([1, "Müller GmbH", 120])
    ws.append([2, "Schmidt & Söhne", None])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


MEMBERS = _members()
SHEET = "xl/worksheets/sheet1.xml"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


GARBAGE = st.sampled_from(
    [b"<", b">", b"</row>", b"<row>", b"<c r=\"A1\" t=\"s\"><v>99999</v></c>", b"<v>-1</v>", b"&", b"&#0;",
     b"&amp;", b"\xff\xfe", b"\x00", b"]]>", b"<![CDATA[", b"<?xml version=\"1.0\"?>", b"<!-- ", b" -->",
     b"<c r=\"XFD1048576\"><v>1</v></c>", b"<c r=\"A0\"><v>1</v></c>", b"<is><t>x</t></is>", b"\"", b"'"]
)  # fmt: skip


@FUZZ
@given(
    member=st.sampled_from(sorted(MEMBERS)),
    edits=st.lists(st.tuples(st.floats(0, 1), GARBAGE), min_size=1, max_size=6),
    drop=st.lists(st.sampled_from(sorted(MEMBERS)), max_size=2),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_garbled_xml_and_missing_parts(work: Path, member: str, edits, drop, cut) -> None:
    """A workbook with garbage inserted into one XML part, parts missing or a part cut short: a table of
    strings or a VielfaltError, nothing else."""
    members = dict(MEMBERS)
    data = members[member]
    for where, junk in edits:
        at = int(where * len(data))
        data = data[:at] + junk + data[at:]
    if cut is not None:
        data = data[: int(cut * len(data))]
    members[member] = data
    for name in drop:
        members.pop(name, None)
    _read(work, _zip(members))


def _with_sheet(xml: bytes) -> bytes:
    return _zip({**MEMBERS, SHEET: xml})


def test_deeply_nested_xml(work: Path) -> None:
    """200 000 nested elements in the sheet neither crash the reader nor escape as a non-VielfaltError."""
    depth = 200_000
    xml = b'<?xml version="1.0"?><worksheet>' + b"<a>" * depth + b"</a>" * depth + b"</worksheet>"
    _read(work, _with_sheet(xml))


def test_entity_expansion_bomb_is_not_expanded(work: Path) -> None:
    """A 'billion laughs' DTD in the shared strings is refused (expat's amplification limit) or read without
    expanding; no cell ever holds the expansion."""
    lol = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    lol += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    xml = (
        '<?xml version="1.0"?><!DOCTYPE sst [' + "".join(lol) + "]>"
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&lol9;</t></si></sst>"
    ).encode()
    df = _read(work, _zip({**MEMBERS, "xl/sharedStrings.xml": xml}))
    if df is not None:
        assert max((len(v) for c in df.columns for v in df[c]), default=0) < 10_000


def test_external_entity_is_not_resolved(work: Path, tmp_path: Path) -> None:
    """An external entity pointing at a local file (XXE) never brings that file's content into a cell."""
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM-4711", encoding="utf-8")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&x;</t></si></sst>"
    ).encode()
    df = _read(work, _zip({**MEMBERS, "xl/sharedStrings.xml": xml}))
    if df is not None:
        assert not any("GEHEIM" in v for c in df.columns for v in df[c])


def test_workbook_inside_a_workbook_is_not_unpacked(work: Path) -> None:
    """A zip nested as a part (a 'matryoshka') is just bytes to the reader: never unpacked, no crash."""
    inner = _zip({"a.xml": b"\0" * 5_000_000})
    _read(work, _zip({**MEMBERS, "xl/media/inner.zip": inner}))


@pytest.mark.parametrize("kind", ["declared", "ratio", "many"])
def test_zip_bombs_are_refused_before_unpacking(
    work: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Zip bombs (a lying size, a 100:1 member, thousands of members adding up) are refused by the sizes in
    the archive's directory; openpyxl is never asked to open them."""
    if kind == "declared":
        from tests.test_ingest import _patched_zip_sizes

        data = _patched_zip_sizes(_zip(MEMBERS), 0xF0000000)
    elif kind == "ratio":
        data = _zip({**MEMBERS, SHEET: b"<worksheet>" + b" " * 60_000_000 + b"</worksheet>"})
    else:
        blob = b"\0" * 200_000
        data = _zip({**MEMBERS, **{f"xl/media/p{i}.bin": blob for i in range(2_000)}})

    def opened(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", opened)
    path = work / f"bomb-{kind}.xlsx"
    path.write_bytes(data)
    with pytest.raises(DataError, match=r"entpackt|ungewöhnlich stark komprimiert"):
        read_table(path, max_bytes=10_000_000)


# -------------------------------------------------------------------------------- hostile CSV


HEADING = st.sampled_from(
    ["id", "A01", "", " ", "\ufeffid", "A01", "=cmd", "x" * 300, "A05[total]", "ä;ö", '"q"']
)
CELL = st.sampled_from(
    ["", "1", "x", '"', '""', ";", "\r", "\n", "\r\n", "\t", "=1+1", "ä", "\u2028", " " * 50]
)


@FUZZ
@given(
    headings=st.lists(HEADING, min_size=1, max_size=8),
    rows=st.lists(st.lists(CELL, max_size=10).map("".join), max_size=12),
    delimiter=st.sampled_from([";", ",", "\t", "|"]),
    terminator=st.sampled_from(["\r\n", "\n", "\r"]),
    bom=st.booleans(),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-16", "utf-32", "latin-1"]),
)
def test_hostile_csv_structure(work: Path, headings, rows, delimiter, terminator, bom, encoding) -> None:
    """Duplicate, empty and formula headings, unbalanced quotes, mixed line ends and odd encodings: a table of
    strings or a VielfaltError."""
    text = delimiter.join(headings) + terminator + terminator.join(rows)
    data = text.encode(encoding, errors="replace")
    if bom and encoding == "utf-8":
        data = b"\xef\xbb\xbf" + data
    _read(work, data, ".csv")


def test_very_wide_and_very_long_fields(work: Path) -> None:
    """5 000 columns and a 2 MB unquoted field are read as strings."""
    wide = ";".join(f"c{i}" for i in range(5_000)) + "\r\n" + ";".join("1" for _ in range(5_000)) + "\r\n"
    df = _read(work, wide.encode(), ".csv")
    assert df is not None and df.shape == (1, 5_000)
    long = "id;text\r\n1;" + "ä" * 2_000_000 + "\r\n"
    df = _read(work, long.encode(), ".csv")
    assert df is not None and len(df.iloc[0, 1]) == 2_000_000


# ------------------------------------------------------------------------- hostile values, validated


@functools.lru_cache(maxsize=1)
def _ctx():
    """The demo edition and questionnaire (loaded once; not a fixture, so hypothesis does not print it)."""
    from vielfalt.config.edition import load_edition

    return load_edition(ROOT / "params" / "editions" / "demo2010.yaml", with_questionnaire=True)


HOSTILE_VALUE = st.one_of(
    st.sampled_from(["", " ", "=1+1", "-1", "+49", "@x", "\tx", "1e309", "nan", "inf", "-0", "1,5", "1.5",
                     "½", "٣", "1\u00a0000", "ca.", "k.A.", "-oth-", "Y", "y", "ja", "NEIN", "<b>x</b>",
                     "x" * 5000,
                     "2010-02-30 25:61:61", "31.12.9999", "0000-00-00", "\u202e", "\ufeff1"]),
    st.text(max_size=30),
)  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_values_in_every_column_only_raise_vielfalt_errors(data) -> None:
    """Random hostile text in any column of valid rows: every row ends accepted or quarantined with a reason;
    only a VielfaltError may escape."""
    ctx = _ctx()
    ed, q = ctx
    cols = ["id", "submitdate", *q.columns()]
    rows = []
    for i in range(data.draw(st.integers(1, 4))):
        row = valid_row(id=str(i + 1), A01=f"Firma {i}")
        for c in data.draw(st.lists(st.sampled_from(cols), max_size=12)):
            row[c] = data.draw(HOSTILE_VALUE)
        rows.append(row)
    try:
        rep = run(ctx, [], raw=raw_frame(q, rows))
    except VielfaltError:
        return
    assert rep.rows_read == len(rows) == rep.n_accepted + rep.n_quarantined
    assert all(isinstance(r, str) and r for r in rep.quarantine["reason"])


@FUZZ
@given(body=st.binary(max_size=3000))
def test_random_bytes_after_a_valid_header_only_raise_vielfalt_errors(work: Path, body: bytes) -> None:
    """A real header followed by arbitrary bytes, through read_table and the whole intake validation."""
    from vielfalt.config.edition import InputFile
    from vielfalt.intake.validate import validate_files

    ed, q = _ctx()
    header = ";".join(["id", "submitdate", *q.columns()]).encode() + b"\r\n"
    path = work / f"v{next(_counter)}.csv"
    path.write_bytes(header + body)
    try:
        rep = validate_files(
            ed, q, [(InputFile(file=path.name, source="online", dialect="limesurvey"), path)]
        )
    except VielfaltError:
        return
    finally:
        path.unlink()
    assert rep.rows_read == rep.n_accepted + rep.n_quarantined


# ------------------------------------------------------------------------------------------ YAML


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A project folder with the shipped params (editions, questionnaire) and an empty data folder."""
    shutil.copytree(ROOT / "params", tmp_path / "params")
    (tmp_path / "data" / "demo2010").mkdir(parents=True)
    return tmp_path


def _edition_file(project: Path) -> Path:
    return project / "params" / "editions" / "demo2010.yaml"


@pytest.mark.parametrize(
    "payload",
    [
        "title: !!python/object/apply:os.system ['echo pwned > /tmp/vielfalt-pwned']\n",
        "title: !!python/name:os.system\n",
        "title: !!python/object/new:subprocess.Popen [['touch', '/tmp/vielfalt-pwned']]\n",
        "title: !!python/module:os\n",
    ],
)
def test_edition_yaml_cannot_execute_code(project: Path, payload: str) -> None:
    """Python tags in an edition file are refused by the safe loader; nothing is executed."""
    from vielfalt.config.edition import load_edition

    path = _edition_file(project)
    path.write_text(payload + path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InstrumentError, match="kein gültiges YAML"):
        load_edition(path)
    assert not Path("/tmp/vielfalt-pwned").exists()


def test_edition_alias_bomb_is_refused(project: Path) -> None:
    """A billion-laughs document as edition file is refused before it expands."""
    from vielfalt.config.edition import load_edition

    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    lines += [
        f"{chr(97 + k)}: &{chr(97 + k)} [{', '.join('*' + chr(96 + k) for _ in range(9))}]"
        for k in range(1, 9)
    ]
    _edition_file(project).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match="Aliase"):
        load_edition(_edition_file(project))


def test_edition_alias_cycle_is_refused(project: Path) -> None:
    """An alias inside its own anchor (a structure containing itself) is refused, not constructed."""
    from vielfalt.config.edition import load_edition

    _edition_file(project).write_text("edition: &e {title: x, again: [*e]}\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match="zyklisch"):
        load_edition(_edition_file(project))


def test_fast_yaml_loader_reads_every_shipped_file_as_the_pure_python_safe_loader() -> None:
    """libyaml's parser (where available) gives exactly what PyYAML's own SafeLoader gives, with the same
    YAML-1.2-like booleans, on every YAML file the project ships."""
    import yaml

    from vielfalt.config import _yaml

    class PurePython(yaml.SafeLoader):
        yaml_implicit_resolvers = _yaml._SafeLoader.yaml_implicit_resolvers

    files = sorted((ROOT / "params").rglob("*.yaml"))
    assert len(files) >= 5
    for path in files:
        expected = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=PurePython)  # noqa: S506
        assert _yaml.load_yaml(path) == expected, path


def test_no_unsafe_yaml_and_no_eval_anywhere_in_the_package() -> None:
    """Static check of src/: YAML is only loaded through _yaml's SafeLoader, and no code path evaluates text
    (eval, exec, compile, pickle, marshal)."""
    unsafe = re.compile(
        r"yaml\.(unsafe_load|full_load|load_all)|Loader=yaml\.(Full|Unsafe)?Loader\b|UnsafeLoader"
    )
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not unsafe.search(text), path
        if path.name != "_yaml.py":
            assert "yaml.load(" not in text, path
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec", "compile"}, (path, node.lineno)
                if node.func.id == "__import__":  # only of a fixed module name
                    assert all(isinstance(a, ast.Constant) for a in node.args), (path, node.lineno)
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not {"pickle", "marshal", "shelve", "dill"} & set(names), (path, node.lineno)


# ------------------------------------------------------------------------------------------ paths


@pytest.mark.parametrize("name", ["../secret.csv", "../../etc/passwd", "/etc/passwd", "sub/../../x.csv"])
def test_input_paths_cannot_leave_the_data_folder(project: Path, name: str) -> None:
    """An input named with .. or an absolute path outside data/<edition>/ is refused."""
    from vielfalt.config.edition import resolve_data_path
    from vielfalt.stages import load_context

    ed, _ = load_context(project, "demo2010")
    with pytest.raises(InstrumentError, match="außerhalb"):
        resolve_data_path(project, ed, name)


@pytest.mark.parametrize("which", ["editions/demo2010.yaml", "questionnaire/vg2010.yaml"])
def test_params_symlink_out_of_the_project_is_refused(project: Path, tmp_path_factory, which: str) -> None:
    """An edition or questionnaire file that is a link to a file outside params/ is not read."""
    from vielfalt.stages import load_context

    outside = tmp_path_factory.mktemp("elsewhere") / Path(which).name
    link = project / "params" / which
    shutil.move(link, outside)
    link.symlink_to(outside)
    with pytest.raises(InstrumentError, match="außerhalb von .*params"):
        load_context(project, "demo2010")


def test_rating_sheet_linked_from_outside_is_not_read(tmp_path: Path) -> None:
    """A rating sheet in data/<ed>/ratings/ that links to a file elsewhere is reported, never read."""
    from vielfalt.ratings import read_rating_sheets

    outside = tmp_path / "elsewhere.xlsx"
    outside.write_bytes(_zip(MEMBERS))
    folder = tmp_path / "ratings"
    folder.mkdir()
    link = folder / "bewertung_demo2010_G1.xlsx"
    link.symlink_to(outside)
    design = pd.DataFrame({"entry_id": ["VG-1"], "rater": ["G1"]})
    ret = read_rating_sheets(
        [link], edition="demo2010", design=design, accepted={"VG-1"}, rubric_items=["F01"], raters=["G1"]
    )
    assert "Verknüpfung auf eine Datei außerhalb" in " ".join(ret.failures["reason"].astype(str))
    assert ret.ratings.empty


def test_run_and_edition_ids_cannot_leave_the_runs_folder(tmp_path: Path) -> None:
    """Edition and run ids with separators or dots are refused before anything is written."""
    from vielfalt.exceptions import ConfigError
    from vielfalt.runs.runner import StageSpec, run_stages

    stage = [StageSpec(name="w", notebook=ROOT / "tests" / "data" / "notebooks" / "write_stage.py")]
    for kwargs in ({"edition": ".."}, {"edition": "../x"}, {"edition": "ok", "run_id": "../../x"},
                   {"edition": "ok", "run_id": ".."}):  # fmt: skip
        with pytest.raises(ConfigError):
            run_stages(stage, runs_root=tmp_path / "runs", **kwargs)
    assert not (tmp_path / "runs").exists()

"""Safe YAML loading and pydantic error translation shared by the two config models.

YAML is loaded with a safe loader only (never constructs Python objects) and refuses alias expansion
beyond a small budget, so a "billion laughs" document cannot blow up memory.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from vielfalt.exceptions import InstrumentError

__all__ = ["load_yaml", "model_from_yaml", "did_you_mean", "translate_validation_error"]

MAX_YAML_BYTES = 2_000_000
MAX_ALIASES = 16  # configs need none; 16 keep any expansion below 2**8


class _SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loader (libyaml's C parser where PyYAML has it) limiting aliases, keeping `no`/`yes` as strings.

    The C parser reads a 30 KB questionnaire about seven times as fast as the pure-Python parser, and every
    stage reads it. Aliases are counted in the composed node graph, before anything is constructed: composing
    never expands an alias (it only points at the anchored node again), so a "billion laughs" document stays
    as small as its text until construction, which is refused. YAML 1.1 turns `no`, `yes`, `on`, `off` into
    booleans (NOTEBOOKS.md P3); option codes such as `no` must stay strings, so only `true`/`false` are
    booleans here.
    """

    def get_single_node(self) -> Any:  # noqa: D102
        node = super().get_single_node()
        if node is not None:
            _check_aliases(node)
        return node


def _check_aliases(root: Any) -> None:
    """Raise YAMLError for more than MAX_ALIASES alias uses, or for an alias inside its own anchor (a cycle).

    An alias use is a reference to a node met before; a cycle would construct a structure containing itself.
    """
    done: set[int] = set()
    open_: set[int] = set()  # the nodes on the path from the root to the current one
    aliases = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            open_.discard(id(node))
            done.add(id(node))
            continue
        if id(node) in open_:
            msg = (
                "ein YAML-Alias verweist auf den eigenen Anker (zyklisch); Aliase sind hier nicht vorgesehen"
            )
            raise yaml.YAMLError(msg)
        if id(node) in done:
            aliases += 1
            if aliases > MAX_ALIASES:
                msg = f"zu viele YAML-Aliase (> {MAX_ALIASES}); Aliase sind hier nicht vorgesehen"
                raise yaml.YAMLError(msg)
            continue
        open_.add(id(node))
        stack.append((node, True))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, False) for child in reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend(((value, False), (key, False)))


# Replace the YAML 1.1 bool resolver with a YAML 1.2-like one (true/false only).
_SafeLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def load_yaml(path: str | Path, *, kind: str = "YAML") -> Any:
    """Load one YAML file safely.

    Parameters
    ----------
    path : str or Path
        The file.
    kind : str, default "YAML"
        What the file is, for messages ("Fragebogen", "Edition").

    Returns
    -------
    object
        The parsed document (plain dicts, lists, str, int, float, bool, None).

    Raises
    ------
    InstrumentError
        When the file is missing, too large, or not valid YAML; the message names file and line.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"{kind}-Datei nicht gefunden: {p}"
        raise InstrumentError(msg)
    size = p.stat().st_size
    if size > MAX_YAML_BYTES:
        msg = (
            f"{kind}-Datei {p} ist {size} Bytes groß (Grenze {MAX_YAML_BYTES}); das ist keine "
            "Konfigurationsdatei."
        )
        raise InstrumentError(msg)
    text = p.read_text(encoding="utf-8-sig")
    try:
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - _SafeLoader derives from SafeLoader
    except yaml.YAMLError as err:
        where = ""
        mark = getattr(err, "problem_mark", None)
        if mark is not None:
            where = f", Zeile {mark.line + 1}, Spalte {mark.column + 1}"
        msg = f"{kind}-Datei {p}{where}: kein gültiges YAML ({getattr(err, 'problem', None) or err})."
        raise InstrumentError(msg) from err


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' Meinten Sie „x“?' for the closest choice, or an empty string."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" Meinten Sie „{close[0]}“?" if close else ""


def _describe_location(loc: tuple[Any, ...], data: Any) -> str:
    """Turn a pydantic location into a path naming items by id, e.g. ``sections[S].items[S1].scoring``."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
            child = node[key]
            ident = child.get("id") or child.get("code") if isinstance(child, Mapping) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{ident if ident is not None else key}]"]
            node = child
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, Mapping) else None
    return ".".join(parts)


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Best effort: the field names of the model at `loc` (for did-you-mean on unknown keys)."""
    current: Any = model
    for key in loc[:-1]:
        if isinstance(key, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or key not in fields:
            return []
        ann = fields[key].annotation
        current = _first_model(ann)
        if current is None:
            return []
    fields = getattr(current, "model_fields", None)
    # a field with an alias (``from`` for ``source``) is written under its alias in the YAML
    return [f.alias or name for name, f in fields.items()] if fields else []


def _first_model(ann: Any) -> Any:
    """Find a BaseModel class inside an annotation such as list[Item] or dict[str, Scale] | None."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def translate_validation_error(
    err: ValidationError, data: Any, *, model: type[BaseModel], path: str | Path, kind: str
) -> InstrumentError:
    """Convert a pydantic ValidationError into one InstrumentError listing every problem readably."""
    lines = []
    for e in err.errors():
        loc = tuple(e.get("loc", ()))
        where = _describe_location(loc, data) or "(oberste Ebene)"
        if e.get("type") == "extra_forbidden":
            key = loc[-1] if loc else "?"
            hint = did_you_mean(str(key), _allowed_keys(model, loc))
            lines.append(f"- {where}: unbekannter Schlüssel „{key}“.{hint}")
        else:
            value = e.get("input")
            shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
            text = str(e.get("msg", "")).removeprefix("Value error, ")
            lines.append(f"- {where}: {text} (Wert: {shown[:80]})")
    msg = f"{kind}-Datei {path} ist fehlerhaft:\n" + "\n".join(lines)
    return InstrumentError(msg)


def model_from_yaml(model: type[BaseModel], path: str | Path, *, kind: str) -> Any:
    """Load `path` and validate it into `model`, translating every error into an InstrumentError."""
    data = load_yaml(path, kind=kind)
    if not isinstance(data, Mapping):
        msg = f"{kind}-Datei {path}: erwartet wird eine Zuordnung (Schlüssel: Wert) auf oberster Ebene."
        raise InstrumentError(msg)
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise translate_validation_error(err, data, model=model, path=path, kind=kind) from err

"""From a path to text: read a file's bytes safely, then decode them (explicit encoding, BOM, UTF-8, cp1252).

The file must be a regular file no larger than ``max_bytes`` (a FIFO or a device could block or never
end). Text is decoded with the encoding given, else the one a BOM names (UTF-8, UTF-16, UTF-32), else strict
UTF-8, else cp1252 (Windows "ANSI", as German Excel writes "CSV (Trennzeichen-getrennt)"). Binary content —
NUL bytes or many control characters — is refused with a message that says how to save the table instead.

Examples
--------
>>> decode_text(b"\\xef\\xbb\\xbfid;Name\\r\\n", "a.csv", None, "de")
('id;Name\\r\\n', 'utf-8-sig', 'bom')
>>> decode_text("Müller".encode("cp1252"), "a.csv", None, "de")[1:]
('cp1252', 'fallback')
"""

from __future__ import annotations

import codecs
import re
import stat
from pathlib import Path

from vielfalt._params import Predicate, check_param
from vielfalt.exceptions import DataError
from vielfalt.i18n import t

__all__ = ["DEFAULT_MAX_BYTES", "ENCODING", "decode_text", "fmt_int", "is_text_encoding", "read_bytes"]

DEFAULT_MAX_BYTES = 150_000_000
"""Largest input file read by default (150 MB); raise it with ``max_bytes=`` or the CLI's ``--max-mb``."""

_CONTROL_SAMPLE = 1 << 20
_CONTROL_SHARE = 0.05
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def fmt_int(n: int, lang: str) -> str:
    """Group digits the reader's way: 1.234.567 in German, 1,234,567 in English.

    Parameters
    ----------
    n : int
        The number.
    lang : {"de", "en"}
        The reader's language.

    Returns
    -------
    str

    Examples
    --------
    >>> fmt_int(1234567, "de"), fmt_int(1234567, "en")
    ('1.234.567', '1,234,567')
    """
    s = f"{n:,}"
    return s.replace(",", ".") if lang == "de" else s


def is_text_encoding(name: object) -> bool:
    """Whether ``name`` names a codec that decodes bytes to text (``'cp1252'`` yes, ``'rot13'`` no).

    Examples
    --------
    >>> is_text_encoding("cp1252"), is_text_encoding("rot13"), is_text_encoding("keine")
    (True, False, False)
    """
    if not isinstance(name, str):
        return False
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    # what bytes.decode checks: 'rot13', 'hex' or 'zlib' are codecs, but no text encodings
    return bool(getattr(info, "_is_text_encoding", True))


#: What ``encoding=`` must be (besides None), for the parameter check of read_table.
ENCODING = Predicate(is_text_encoding, (t("intake.param_encoding", "de"), t("intake.param_encoding", "en")))


def read_bytes(path: Path, shown: str, max_bytes: int, lang: str) -> bytes:
    """Read the whole file after checking that it is a regular file within the size limit.

    Parameters
    ----------
    path : Path
        The file.
    shown : str
        The path as the user gave it, for messages.
    max_bytes : int
        Larger files are refused before being read.
    lang : {"de", "en"}
        Language of the messages.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    DataError
        When the file is missing, a folder, not a regular file, unreadable or too large.
    """
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            key = "is_dir"
        elif not stat.S_ISREG(st.st_mode):
            # a FIFO or device could block or never end
            key = "not_regular"
        else:
            key = ""
        if key:
            msg = t(f"intake.{key}", lang, path=shown)
            raise DataError(msg, path=shown)
        if st.st_size > max_bytes:
            raise _too_large(shown, st.st_size, max_bytes, lang)
        with path.open("rb") as fh:
            # read one byte more than allowed: the file may have grown since stat()
            data = fh.read(max_bytes + 1)
    except FileNotFoundError as err:
        msg = t("intake.not_found", lang, path=shown)
        raise DataError(msg, path=shown) from err
    except IsADirectoryError as err:
        msg = t("intake.is_dir", lang, path=shown)
        raise DataError(msg, path=shown) from err
    except PermissionError as err:
        msg = t("intake.permission", lang, path=shown)
        raise DataError(msg, path=shown) from err
    except (OSError, ValueError) as err:
        # ValueError: e.g. an embedded NUL in the path
        msg = t("intake.os_error", lang, path=shown, error=err)
        raise DataError(msg, path=shown) from err
    if len(data) > max_bytes:
        raise _too_large(shown, len(data), max_bytes, lang)
    return data


def _too_large(shown: str, size: int, limit: int, lang: str) -> DataError:
    msg = t("intake.too_large", lang, path=shown, size=fmt_int(size, lang), limit=fmt_int(limit, lang))
    return DataError(msg, path=shown)


def _position(data: bytes, offset: int) -> int:
    """1-based physical line of a byte offset, for messages."""
    return data.count(b"\n", 0, offset) + 1


def _decode_error(data: bytes, err: UnicodeDecodeError, shown: str, encoding: str, lang: str) -> DataError:
    """The message for bytes that do not decode with the chosen encoding, naming line and byte offset."""
    msg = t(
        "intake.decode_explicit",
        lang,
        path=shown,
        encoding=encoding,
        line=_position(data, err.start),
        offset=err.start,
    )
    return DataError(msg, path=shown)


def decode_text(data: bytes, shown: str, encoding: str | None, lang: str) -> tuple[str, str, str]:
    """Decode a text table's bytes.

    Parameters
    ----------
    data : bytes
        The file's content.
    shown : str
        The path for messages.
    encoding : str or None
        A codec to use; None: BOM, else strict UTF-8, else cp1252.
    lang : {"de", "en"}
        Language of the messages.

    Returns
    -------
    (text, codec, how)
        The text without a leading BOM, the codec used and how it was chosen (``"explicit"``, ``"bom"``,
        ``"utf-8"`` or ``"fallback"``).

    Raises
    ------
    DataError
        When the bytes do not decode or are binary.
    ConfigError
        When ``encoding`` names a codec that is no text encoding.
    """
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as err:
            raise _decode_error(data, err, shown, encoding, lang) from err
        except LookupError:
            # a codec that is no text encoding, e.g. 'rot13' or 'zlib' (read_table's check refuses them first)
            check_param("encoding", encoding, [ENCODING, None], func="read_table", lang=lang)
            raise  # not reached: check_param raises for every codec that gets here
        except Exception as err:  # a non-text codec (e.g. 'hex', 'zlib') raises its own types
            msg = t("intake.os_error", lang, path=shown, error=err)
            raise DataError(msg, path=shown) from err
        if not isinstance(text, str):
            msg = t("intake.binary", lang, path=shown)
            raise DataError(msg, path=shown)
        used, how = encoding, "explicit"
    else:
        bom = next((enc for b, enc in _BOMS if data.startswith(b)), None)
        if bom is not None:
            try:
                text = data.decode(bom)
            except UnicodeDecodeError as err:
                raise _decode_error(data, err, shown, bom, lang) from err
            used, how = bom, "bom"
        else:
            if b"\x00" in data:
                # NUL never occurs in a UTF-8 or ANSI text table; UTF-16 without BOM would need encoding=
                msg = t("intake.binary", lang, path=shown)
                raise DataError(msg, path=shown)
            try:
                text, used, how = data.decode("utf-8"), "utf-8", "utf-8"
            except UnicodeDecodeError as err:
                try:
                    text, used, how = data.decode("cp1252"), "cp1252", "fallback"
                except UnicodeDecodeError:
                    if _looks_binary(data[:_CONTROL_SAMPLE].decode("latin-1")):
                        msg = t("intake.binary", lang, path=shown)
                    else:
                        msg = t(
                            "intake.unknown_encoding",
                            lang,
                            path=shown,
                            line=_position(data, err.start),
                            offset=err.start,
                        )
                    raise DataError(msg, path=shown) from err
    # a BOM decoded by a BOM-less codec (explicit "utf-8", "utf-16-le") is not part of the first heading
    text = text.removeprefix("\ufeff")
    if "\x00" in text or _looks_binary(text[:_CONTROL_SAMPLE]):
        msg = t("intake.binary", lang, path=shown)
        raise DataError(msg, path=shown)
    return text, used, how


def _looks_binary(sample: str) -> bool:
    """A text table has (almost) no control characters other than tab and line breaks."""
    if not sample:
        return False
    n = sum(1 for _ in _CONTROL_CHARS.finditer(sample))
    return n / len(sample) > _CONTROL_SHARE

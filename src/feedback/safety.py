"""Protections for untrusted uploads, shared by every area's readers.

An upload may be huge, a zip bomb posing as XLSX/DOCX, an XML bomb, a sheet
that claims a billion cells, or a crafted file that crashes or hangs a C or
Rust parser. The checks here run *before* a parser sees the bytes; every
reader also runs in a child process with a time and memory limit
(``feedback.isolation``, re-exported here as ``run_limited`` /
``parse_untrusted``) so the server survives whatever is left.
"""

from __future__ import annotations

import codecs
import csv
import io
import pyexpat
import re
import tomllib
import zipfile
import zlib
from dataclasses import dataclass

import defusedxml  # noqa: F401 - required: openpyxl parses untrusted XML through it when it is installed

from feedback.errors import InputError
from feedback.isolation import (  # noqa: F401 - re-exported: one mechanism for every reader
    CHILD_TIMEOUT_S,
    LimitExceeded,
    in_process,
    parse_untrusted,
    parsing_busy,
    run_limited,
    start_forkserver,
)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024          # one upload (Streamlit's server.maxUploadSize is 50 MB too)
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024       # everything inside an XLSX/DOCX, decompressed
MAX_ZIP_MEMBERS = 10_000                     # parts inside an XLSX/DOCX
MAX_ZIP_RATIO = 200                          # decompressed / compressed, per part (real sheets: ~5-30)
# Worksheet size: what the file format allows, and what this app reads.
SHEET_MAX_ROWS, SHEET_MAX_COLUMNS = 1_048_576, 16_384
MAX_ROWS = 1_000_000
MAX_COLUMNS = 2_000
MAX_CELLS = 25_000_000        # rows x columns of one sheet's grid (a parser allocates for all of it)
# Text files.
MAX_CSV_COLUMNS = 2_000
MAX_FIELD_CHARS = 1_000_000   # one CSV cell; the csv module's own default is 131,072
_CHUNK = 1 << 20
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


def check_size(name: str, content: bytes, limit: int | None = None) -> None:
    """Refuse an empty upload or one over the size limit."""
    limit = MAX_UPLOAD_BYTES if limit is None else limit
    if not content:
        raise InputError(f"{name} is empty (0 bytes): choose the file again, or export it again from its program.")
    if len(content) > limit:
        raise InputError(f"{name} is {len(content) / 2**20:.1f} MB, over the {limit / 2**20:.0f} MB upload limit: "
                         "remove unused sheets or columns, or split the file.")


def check_zip(name: str, content: bytes, *, max_total: int | None = None, max_members: int | None = None,
              max_ratio: float | None = None) -> None:
    """Refuse a damaged zip package (XLSX/DOCX), a zip bomb, or XML with a DTD.

    Declared sizes can lie, so every part is actually decompressed (in 1 MB
    chunks, never held whole) and counted against the limits. Office Open XML
    never carries a DTD, so ``<!DOCTYPE``/``<!ENTITY`` (the XML-bomb vehicle)
    is refused outright instead of being left to a parser to expand.
    """
    max_total = MAX_UNZIPPED_BYTES if max_total is None else max_total
    max_members = MAX_ZIP_MEMBERS if max_members is None else max_members
    max_ratio = MAX_ZIP_RATIO if max_ratio is None else max_ratio
    check_size(name, content)
    damaged = (f"{name} is damaged or is not an Office file (its zip package cannot be opened): "
               "open it in Excel or Word and save it again.")
    if not content.startswith(b"PK"):
        raise InputError(damaged)
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InputError(damaged) from None
    if len(infos) > max_members:
        raise InputError(f"{name} holds {len(infos):,} parts, more than the {max_members:,} a real Office file has: "
                         "refused as unsafe. Save it again from Excel or Word.")
    seen: set[str] = set()
    for info in infos:  # which of two same-named parts a reader takes is undefined: refuse, never guess
        key = info.filename.replace("\\", "/").lstrip("/").casefold()
        if key in seen:
            raise InputError(f"{name} holds two parts named {info.filename!r} (one can hide the other): refused as "
                             "unsafe. Open the file in Excel or Word and save it again.")
        seen.add(key)
    bomb = (f"{name} expands to more than {max_total / 1e6:.0f} MB (or {max_ratio:.0f} times its size) when "
            "opened: refused as a possible zip bomb. If it is genuine, remove unused sheets or pictures, or save "
            "the data as CSV.")
    if sum(i.file_size for i in infos) > max_total:
        raise InputError(bomb)
    total = 0
    try:
        for info in infos:
            if info.is_dir():
                continue
            part, tail = 0, b""
            with zf.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    part += len(chunk)
                    total += len(chunk)
                    if total > max_total or part > max(max_ratio * info.compress_size, _CHUNK):
                        raise InputError(bomb)
                    window = tail + chunk
                    if any(m in window for m in _DTD_MARKERS):
                        raise InputError(f"{name}: part {info.filename} declares XML entities (a DTD), which "
                                         "Office files never do: refused as a possible XML bomb. "
                                         "Save the file again from Excel or Word.")
                    tail = chunk[-16:]
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
            zlib.error, ValueError):
        raise InputError(damaged) from None


def decode_text(name: str, content: bytes) -> str:
    """Text of an upload: UTF-8 (with or without BOM), else Windows-1252."""
    return content.decode(text_encoding(name, content))


def text_encoding(name: str, content: bytes) -> str:
    """The encoding ``decode_text`` reads an upload with ("utf-8-sig" or "cp1252"), checked over the
    whole file a megabyte at a time, so a large CSV need not be held as text as well as bytes."""
    if b"\x00" in content[:8192]:
        raise InputError(f"{name} is not a text file (it holds binary data): export the data as CSV "
                         "(comma, semicolon or tab separated) and upload that.")
    view = memoryview(content)
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(content), _CHUNK):
                decoder.decode(view[start:start + _CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InputError(f"{name}: the text is neither UTF-8 nor Windows-1252: save it again as "
                     "'CSV UTF-8' (Excel: File > Save As).")


# ------------------------------------------------------------------ TOML from people
def load_toml(text: str, name: str) -> dict:
    """``tomllib.loads(text)``, with arrays or inline tables nested inside one another thousands
    of levels deep (tomllib recurses once per level) refused in one line naming ``name``,
    instead of a RecursionError and its traceback. ``TOMLDecodeError`` is left to the caller,
    whose message says what the file is for."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise InputError(f"{name} is nested too deeply to read (arrays or inline tables inside one another "
                         "hundreds of levels deep), where a few levels are all it needs. Fix or remove "
                         "the nested value and save again.") from None


# ------------------------------------------------------------------ CSV limits
def csv_field_limit() -> int:
    """Set (deliberately) and return the longest CSV field the app reads."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    return MAX_FIELD_CHARS


# ------------------------------------------------------------------ worksheet size, before any grid is built
_DIMENSION_TAG = re.compile(rb"<([A-Za-z_][\w.-]*:)?dimension\b[^>]*>")  # every start tag, whatever its attributes
_DIMENSION_TAG_WHOLE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*>")
_REF = re.compile(r"^\$?([A-Za-z]{1,7})\$?([0-9]{1,12})$")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def column_number(letters: str | bytes) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(number: int) -> str:
    """1 -> 'A', 16384 -> 'XFD'."""
    letters = ""
    while number > 0:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class SheetExtent:
    """What a worksheet really holds, read from its cells (not from ``<dimension>``)."""

    sheet: str
    part: str
    rows: int = 0
    columns: int = 0
    dimension: str | None = None  # as the file states it (the first <dimension>)
    dimensions: int = 0  # how many <dimension> elements (more than one is rewritten to one)


def _sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) for every worksheet, in workbook order."""
    from defusedxml import ElementTree

    names = set(zf.namelist())
    try:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return [(p.rsplit("/", 1)[-1], p) for p in sorted(names) if re.match(r"xl/worksheets/[^/]+\.xml$", p)]
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = re.sub(r"/[^/]+/\.\./", "/", target)
    out = []
    for sheet in book.iter(f"{_MAIN_NS}sheet"):
        part = targets.get(sheet.get(f"{_REL_NS}id"))
        if part in names:
            out.append((sheet.get("name") or part, part))
    return out


def sheet_extents(name: str, content: bytes) -> list[SheetExtent]:
    """The real size of every worksheet, streamed from its XML; refuses sheets beyond the limits.

    A sheet written the way Excel, LibreOffice and openpyxl write one (every
    row and cell tag starts ``<c r="B7"``, ``<row r="7"``, and no other ``r=``
    is in the sheet) is measured from those tags by byte searches, 1 MB at a
    time (``_quick_extent``). Any other sheet, and any sheet beyond a limit
    (for the message), goes through an XML parser (expat, never building a
    tree or a grid), which reads every row's and cell's ``r`` attribute as
    calamine and openpyxl will: in either quotes, after any whitespace, with
    character references decoded, a cell without one placed after the cell
    before it. A sheet claiming a far corner is refused before a parser
    allocates for it; the message names the sheet and the cell. On that path,
    XML that expat cannot parse is refused (a lenient parser might read cells
    a strict one never saw); the byte searches see every tag-like text, parsed
    or not, so a lenient parser cannot find a cell they missed.
    """
    extents = []
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        for sheet, part in _sheet_parts(zf):
            extent = SheetExtent(sheet, part)
            if _quick_extent(zf, part, extent) and extent.rows <= MAX_ROWS and extent.columns <= MAX_COLUMNS:
                _check_cells(name, extent)
                extents.append(extent)
                continue
            extent = SheetExtent(sheet, part)
            scan = _SheetScan(name, extent)
            with zf.open(part) as stream:
                try:
                    while chunk := stream.read(_CHUNK):
                        scan.parser.Parse(chunk, False)
                    scan.parser.Parse(b"", True)
                except pyexpat.ExpatError as err:
                    raise InputError(f"{name}, sheet {sheet!r}: the sheet's XML is damaged "
                                     f"({pyexpat.ErrorString(err.code)}"
                                     f", line {err.lineno}): open the file in Excel and save it again.") from None
            _check_cells(name, extent)
            extents.append(extent)
    return extents


def _check_cells(name: str, extent: SheetExtent) -> None:
    if extent.rows * extent.columns > MAX_CELLS:
        raise InputError(f"{name}, sheet {extent.sheet!r} spans A1:{column_letters(extent.columns)}{extent.rows} "
                         f"({extent.rows * extent.columns:,} cells), more than the {MAX_CELLS:,} this app "
                         "reads: delete unused rows and columns (cells far from the data), or split it.")


_PREFIXED_TAG = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row)[\s/>]")
_DIMENSION_STRICT = re.compile(rb'<dimension ref="([A-Z0-9:]*)"\s*/>')
_LOOKUPS: dict = {}


def _lookups():
    """Byte classes for ``_quick_chunk`` (numpy is imported when a sheet is first checked)."""
    if not _LOOKUPS:
        import numpy as np

        ws = np.zeros(256, dtype=bool)
        ws[[0x20, 0x09, 0x0A, 0x0D]] = True
        delim = ws.copy()
        delim[[0x3E, 0x2F]] = True
        upper = np.zeros(256, dtype=bool)
        upper[65:91] = True
        kind = np.zeros(256, dtype=np.int8)
        kind[48:58] = 1
        kind[0x22] = 2
        _LOOKUPS.update(np=np, ws=ws, delim=delim, upper=upper, kind=kind)
    return _LOOKUPS


def _refs(a, starts, letters_max: int):
    """Column and row numbers of the references starting at ``starts`` (1 to ``letters_max`` capital
    letters, none for a row number, then 1-7 digits, then a double quote), or None if any is
    written otherwise. Vectorised: a few array operations per chunk, not per cell."""
    k = _lookups()
    np = k["np"]
    if len(starts) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    width = letters_max + 8
    window = a[starts[:, None] + np.arange(width, dtype=starts.dtype)]
    index = np.arange(len(starts))
    if letters_max:
        letters = np.argmin(k["upper"][window[:, :letters_max + 1]], axis=1)
    else:
        letters = np.zeros(len(starts), np.intp)
    kind = k["kind"][window]  # 1 digit, 2 double quote, 0 anything else
    digits = np.zeros(len(starts), np.intp)
    for i in range(8):
        digits += (kind[index, np.minimum(letters + i, width - 1)] == 1) & (digits == i)
    end = kind[index, np.minimum(letters + digits, width - 1)]
    if not ((digits >= 1).all() and (digits <= 7).all() and (end == 2).all()
            and (not letters_max or ((letters >= 1) & (letters <= letters_max)).all())):
        return None
    row = np.zeros(len(starts), np.int64)
    for i in range(7):
        value = window[index, np.minimum(letters + i, width - 1)].astype(np.int64) - 48
        row = np.where(i < digits, row * 10 + value, row)
    column = np.zeros(len(starts), np.int64)
    for i in range(letters_max):
        column = np.where(i < letters, column * 26 + window[:, i].astype(np.int64) - 64, column)
    return column, row


def _quick_chunk(body: bytes) -> tuple[int, int] | None:
    """(last column, last row) of the cells and rows in ``body`` if every row and cell tag is
    written ``<row r="7"``, ``<c r="B7"`` (no prefix), and no other ``r=`` is there; else None."""
    k = _lookups()
    np, ws, delim = k["np"], k["ws"], k["delim"]
    if (b":c" in body or b":row" in body) and _PREFIXED_TAG.search(body):
        return None
    n = len(body)
    a = np.frombuffer(body + b"\0" * 16, dtype=np.uint8)
    lt = np.flatnonzero(a[:n] == 0x3C)
    c = lt[(a[lt + 1] == 0x63) & delim[a[lt + 2]]]
    row = lt[(a[lt + 1] == 0x72) & (a[lt + 2] == 0x6F) & (a[lt + 3] == 0x77) & delim[a[lt + 4]]]
    r = np.flatnonzero(a[:n] == 0x72)
    r = r[r > 0]
    if np.count_nonzero(ws[a[r - 1]] & ((a[r + 1] == 0x3D) | ws[a[r + 1]])) != len(c) + len(row):
        return None  # an r= on something else, twice in a tag, or spelt another way
    for at in (c + 2, row + 4):
        if not ((a[at] == 0x20).all() and (a[at + 1] == 0x72).all() and (a[at + 2] == 0x3D).all()
                and (a[at + 3] == 0x22).all()):
            return None
    cells, rows = _refs(a, c + 6, 3), _refs(a, row + 8, 0)
    if cells is None or rows is None:
        return None
    return (int(cells[0].max()) if len(c) else 0,
            max(int(cells[1].max()) if len(c) else 0, int(rows[1].max()) if len(row) else 0))


def _quick_extent(zf: zipfile.ZipFile, part: str, extent: SheetExtent) -> bool:
    """Measure a sheet written the usual way (``_quick_chunk``, 1 MB at a time); False, having
    measured nothing, if anything is written otherwise (then expat reads it)."""
    tail = b""
    with zf.open(part) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            window = tail + chunk
            if b"\x00" in window:  # UTF-16 or UTF-32: the tags are not these bytes
                return False
            cut = window.rfind(b"<") if chunk else len(window)  # a tag split across chunks waits
            body, tail = window[:cut], window[cut:]
            if len(tail) > 65_536:
                return False
            found = _quick_chunk(body)
            if found is None:
                return False
            for tag in _DIMENSION_TAG_WHOLE.findall(body) if b"dimension" in body else ():
                strict = _DIMENSION_STRICT.fullmatch(tag)
                if strict is None:
                    return False
                extent.dimensions += 1
                if extent.dimension is None:
                    extent.dimension = strict.group(1).decode("ascii")
            extent.columns = max(extent.columns, found[0])
            extent.rows = max(extent.rows, found[1])
            if not chunk:
                return True


_CELL_REF = re.compile(r"\$?([A-Za-z]+)\$?([0-9]+)")


class _SheetScan:
    """Expat handlers that follow the position of every row and cell of one sheet (about a
    microsecond per cell) and refuse the first cell beyond the limits."""

    def __init__(self, name: str, extent: SheetExtent):
        self.name, self.extent = name, extent
        self.row = self.column = 0
        self.parser = pyexpat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EntityDeclHandler = self.entity
        self.parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)

    def entity(self, *_args) -> None:
        raise InputError(f"{self.name}, sheet {self.extent.sheet!r} declares XML entities (a DTD), which Excel never "
                         "writes: refused as a possible XML bomb. Save the file again from Excel.")

    def start(self, tag: str, attrs: dict) -> None:
        local = tag.rpartition(":")[2]
        if local == "c":
            ref = attrs.get("r")
            if ref is None:
                self.column += 1
            else:
                found = _CELL_REF.fullmatch(ref.strip())
                if not found:
                    raise InputError(f"{self.name}, sheet {self.extent.sheet!r}: a cell's reference {ref[:40]!r} is "
                                     "not a cell reference (such as B7): the file is damaged. Open it in Excel and "
                                     "save it again.")
                letters, digits = found.groups()
                self.column = column_number(letters) if len(letters) <= 7 else SHEET_MAX_COLUMNS + 1
                self.row = int(digits) if len(digits) <= 12 else 10**12
            self._check(ref)
        elif local == "row":
            ref = attrs.get("r")
            if ref is None:
                self.row += 1
            elif ref.strip().isdigit() and ref.strip().isascii():
                self.row = int(ref) if len(ref.strip()) <= 12 else 10**12
            else:
                raise InputError(f"{self.name}, sheet {self.extent.sheet!r}: a row's number {ref[:40]!r} is not a "
                                 "number: the file is damaged. Open it in Excel and save it again.")
            self.column = 0
            self._check(None, row_only=True)
        elif local == "dimension":
            self.extent.dimensions += 1
            if self.extent.dimension is None:
                self.extent.dimension = attrs.get("ref", "")

    def _check(self, ref: str | None, row_only: bool = False) -> None:
        extent = self.extent
        extent.rows = max(extent.rows, self.row)
        if not row_only:
            extent.columns = max(extent.columns, self.column)
        if self.row <= MAX_ROWS and self.column <= MAX_COLUMNS:
            return
        where = f"{self.name}, sheet {extent.sheet!r}"
        if ref is not None:
            cell = " ".join(ref.split())[:40].upper().replace("$", "")
        elif row_only:
            cell = f"row {self.row:,}" if self.row < 10**12 else "a row numbered beyond 999,999,999,999"
        else:
            cell = f"{column_letters(min(self.column, 10**6))}{self.row}"
        if self.row > SHEET_MAX_ROWS or self.column > SHEET_MAX_COLUMNS:
            raise InputError(f"{where} has a cell at {cell}, beyond the {SHEET_MAX_ROWS:,} rows x "
                             f"{SHEET_MAX_COLUMNS:,} columns a worksheet can hold: the file is damaged. Open it in "
                             "Excel and save it again.")
        if self.column > MAX_COLUMNS:
            raise InputError(f"{where} has data in cell {cell} (column {self.column:,}): this app reads at most "
                             f"{MAX_COLUMNS:,} columns. Delete unused columns (or split the sheet) and upload it "
                             "again.")
        raise InputError(f"{where} has data at {cell}: this app reads at most {MAX_ROWS:,} rows. Delete unused "
                         "rows (or split the file) and upload it again.")


def _dimension_matches(extent: SheetExtent) -> bool:
    if extent.dimensions > 1:
        return False
    if extent.dimension is None:
        return True
    end = extent.dimension.split(":")[-1]
    found = _REF.match(end.strip())
    if not found:
        return False
    return (column_number(found.group(1)), int(found.group(2))) == (max(extent.columns, 1), max(extent.rows, 1))


class _Stop(Exception):
    pass


def _check_shared_strings(name: str, content: bytes) -> None:
    """Refuse a shared-strings part that claims more distinct strings (``uniqueCount``) than it could
    hold: calamine reserves memory for the claim first (99,999,999,999,999 made it abort).
    ``count`` (every use of a string in the workbook) may rightly exceed the part's size."""
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        for info in zf.infolist():
            if not info.filename.lower().endswith("sharedstrings.xml"):
                continue
            root: dict = {}

            def start(_tag, attrs, root=root):
                root.update(attrs)
                raise _Stop

            parser = pyexpat.ParserCreate()
            parser.StartElementHandler = start
            with zf.open(info) as stream:
                try:
                    while chunk := stream.read(65_536):
                        parser.Parse(chunk, False)
                except (_Stop, pyexpat.ExpatError):
                    pass
            claim = root.get("uniqueCount", "0").strip()
            if not claim.isdigit() or len(claim) > 12 or int(claim) > info.file_size // 5 + 1:  # <si/> is 5 bytes
                raise InputError(f"{name}: its shared strings part says it holds {claim[:20]!r} strings in "
                                 f"{info.file_size:,} bytes, which cannot be: the file is damaged. Open it in "
                                 "Excel and save it again.")


def checked_workbook(name: str, content: bytes) -> bytes:
    """An XLSX's bytes, safe to give to calamine or openpyxl: zip checked, every sheet's real
    size within the limits, and any ``<dimension>`` that disagrees with the real cells
    (stale, or claiming a far corner) rewritten to the real extent, since both parsers
    trust it (a stale one drops rows; a huge one makes them allocate for it)."""
    check_zip(name, content)
    try:
        extents = sheet_extents(name, content)
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - malformed package parts: a damaged file to the person
        raise InputError(f"{name} is damaged or is not an Excel workbook ({type(err).__name__}): open it in Excel "
                         "and save it again as .xlsx.") from None
    _check_shared_strings(name, content)
    wrong = {e.part: e for e in extents if not _dimension_matches(e)}
    if not wrong:
        return content
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                      compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            extent = wrong.get(info.filename)
            if extent is not None:
                real = f"A1:{column_letters(max(extent.columns, 1))}{max(extent.rows, 1)}".encode()
                data = _DIMENSION_TAG.sub(lambda m, real=real: b"<" + (m.group(1) or b"") + b'dimension ref="'
                                          + real + b'"' + (b"/>" if m.group(0).endswith(b"/>") else b">"), data)
            dst.writestr(info.filename, data)
    return out.getvalue()

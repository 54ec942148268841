"""XLSX round-trip of items, Panel responses and actions.

Export writes three sheets keyed by references (not database ids), so a
workbook can move between databases. Import reads every row, checks every
row, and only then writes, in one transaction: one bad row means nothing
changes, and the person gets every problem at once, by sheet, row and column.
Rows whose reference already exists are edits; the ``Version`` column must
still be the row's current version, so an import never overwrites a change
made after the export.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from feedback import access, access_log, db, safety
from feedback.errors import InputError
from feedback.export import DANGEROUS_PREFIXES, to_xlsx_bytes
from feedback.tracker import service
from feedback.tracker.models import Action, Item, Response

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
IMPORT_REASON = "imported from spreadsheet"

# (sheet, [(field, header)]) in the order written. "item" = the item's reference.
SHEETS: dict[str, list[tuple[str, str]]] = {
    "Items": [("reference", "Reference"), ("text", "Text"), ("source", "Source"),
              ("source_detail", "Source detail"), ("date_raised", "Date raised"), ("regions", "Regions"),
              ("themes", "Themes"), ("is_sample", "Sample data"), ("version", "Version")],
    "Responses": [("item", "Item reference"), ("decision", "Decision"), ("text", "Response text"),
                  ("decided_on", "Decided on"), ("decided_by", "Decided by"), ("is_sample", "Sample data"),
                  ("version", "Version"), ("published", "Published")],
    "Actions": [("reference", "Reference"), ("item", "Item reference"), ("description", "Description"),
                ("owner", "Owner"), ("due_date", "Due date"), ("revised_due_date", "Revised due date"),
                ("status", "Status"), ("rag", "RAG"), ("completion_criteria", "Completion criteria"),
                ("evidence", "Evidence"), ("is_sample", "Sample data"), ("version", "Version"),
                ("revision_reason", "Reason for revised date"), ("completed_on", "Completed on")],
}
DATE_FIELDS = {"date_raised", "decided_on", "due_date", "revised_due_date", "completed_on"}
# Columns a sheet may leave out (files exported before they existed still import); the newer
# ones come last, so the older columns keep their letters.
OPTIONAL = ("version", "is_sample", "published", "revision_reason", "completed_on")
BOOL_FIELDS = ("is_sample", "published")
NOTES = [
    "Panel response tracker: items raised, the Panel's responses, and the actions.",
    "Edit cells and import the file again on the 'Import, export and backup' page "
    "(or: python -m feedback tracker import FILE.xlsx).",
    "A row whose Reference already exists changes that row; a new Reference adds a row. "
    "Rows left out of the file are not deleted.",
    "Version: leave it as exported. If someone changed the row after your export, the import refuses "
    "that row and changes nothing; export again and redo your change.",
    "Regions and Themes: several values separated by ';'. Empty Regions means a national item.",
    "Sources: " + ", ".join(service.SOURCES) + ".",
    "Decisions: " + ", ".join(service.DECISIONS) + ".",
    "Statuses: " + ", ".join(service.STATUSES) + ". An action can be complete only with Evidence.",
    "RAG: red, amber, green or empty. Dates: a date cell, or text as 2023-03-31 or 31/03/2023.",
    "Sample data = yes marks invented sample content. Published = yes puts the response, its item and "
    "its actions in the public progress record.",
    "Due date is the original target date. A new target date (a revised date, or a changed due date) "
    "needs its reason in 'Reason for revised date': it is published beside the date.",
    "Text starting with = + - @ is written with a leading apostrophe so spreadsheets do not run it; "
    "the import removes that apostrophe again.",
]


# --------------------------------------------------------------------------- export


def frames(session: Session, region: str | None = None, include_national: bool = True) -> dict[str, pd.DataFrame]:
    """The three sheets as frames with their spreadsheet headers; ``region``: only the items
    raised for that region (and national ones, with ``include_national``), with their rows."""
    items = [item for item in service.all_items(session)
             if region is None or service.in_region(item, region, include_national)]
    rows: dict[str, list[dict]] = {name: [] for name in SHEETS}
    yes = {True: "yes", False: "no"}
    for item in items:
        rows["Items"].append({"reference": item.reference, "text": item.text, "source": item.source,
                              "source_detail": item.source_detail, "date_raised": item.date_raised,
                              "regions": item.regions, "themes": item.themes,
                              "is_sample": yes[item.is_sample], "version": item.version})
        if item.response:
            r = item.response
            rows["Responses"].append({"item": item.reference, "decision": r.decision, "text": r.text,
                                      "decided_on": r.decided_on, "decided_by": r.decided_by,
                                      "published": yes[r.published], "is_sample": yes[r.is_sample],
                                      "version": r.version})
        for a in item.actions:
            rows["Actions"].append({"reference": a.reference, "item": item.reference,
                                    "description": a.description, "owner": a.owner, "due_date": a.due_date,
                                    "revised_due_date": a.revised_due_date, "revision_reason": a.revision_reason,
                                    "status": a.status, "completed_on": a.completed_on, "rag": a.rag,
                                    "completion_criteria": a.completion_criteria, "evidence": a.evidence,
                                    "is_sample": yes[a.is_sample], "version": a.version})
    out = {}
    for name, spec in SHEETS.items():
        frame = pd.DataFrame(rows[name], columns=[f for f, _ in spec])
        frame["version"] = frame["version"].astype("Int64")
        out[name] = frame.rename(columns=dict(spec))
    return out


def export_workbook(session: Session, region: str | None = None, include_national: bool = True) -> bytes:
    """The tracker as an XLSX workbook (Items, Responses, Actions, Notes): all of it, or the
    items of one region (with the national ones unless ``include_national`` is False)."""
    notes = NOTES if region is None else [
        f"Region: {region}: items raised for {region}" + (" and national items (no region)." if include_national
                                                          else " only."), *NOTES]
    return to_xlsx_bytes(frames(session, region, include_national), notes=notes, percent_columns=(),
                         title="Panel response tracker export" + (f", {region}" if region else ""))


def export_from(engine: Engine, region: str | None = None, include_national: bool = True) -> bytes:
    """:func:`export_workbook` read in its own transaction (for the pages, which hold no session)."""
    with db.session_scope(engine) as session:
        return export_workbook(session, region, include_national)


# --------------------------------------------------------------------------- import: reading


@dataclass
class Row:
    sheet: str
    number: int  # the row number a spreadsheet shows
    values: dict[str, Any]

    @property
    def where(self) -> str:
        key = self.values.get("reference") or self.values.get("item") or ""
        return f"{self.sheet} sheet, row {self.number}" + (f" ({key})" if key else "")


@dataclass
class ImportReport:
    """What an import did: counts per sheet of rows added, changed and left as they were."""

    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SHEETS, 0))
    changed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SHEETS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SHEETS, 0))

    def summary(self) -> str:
        parts = [f"{name}: {self.added[name]} added, {self.changed[name]} changed, "
                 f"{self.unchanged[name]} unchanged" for name in SHEETS]
        return "; ".join(parts) + "."


class ImportProblems(InputError):
    """Every problem found in an import file; nothing was written. ``problems`` is the list."""

    def __init__(self, filename: str, problems: list[str]):
        self.problems = problems
        shown = problems[:50]
        more = f"\n... and {len(problems) - len(shown)} more." if len(problems) > len(shown) else ""
        super().__init__(f"{filename}: nothing was imported, because of {len(problems)} problem(s). "
                         "Fix them in the spreadsheet and import it again:\n- " + "\n- ".join(shown) + more)


def _unneutralise(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(DANGEROUS_PREFIXES):
        return text[1:]
    return text


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()
    return _unneutralise(str(value))


def _cell_date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date (use a date cell, or 2023-03-31, or 31/03/2023)")


def _cell_bool(value: Any) -> bool:
    text = _cell_text(value).strip().casefold()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("", "no", "n", "false", "0"):
        return False
    raise ValueError(f"'{_cell_text(value)}' should be yes or no")


def _cell_version(value: Any) -> int | None:
    text = _cell_text(value).strip()
    if not text:
        return None
    try:
        version = int(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a whole number (leave Version as exported)") from None
    if version < 1:
        raise ValueError(f"'{text}' is not a version number (leave Version as exported)")
    return version


def read_rows(filename: str, content: bytes) -> tuple[dict[str, list[Row]], list[str]]:
    """Every non-empty row of each sheet, converted; plus the problems found while converting.

    Parsed in a limited child process (``feedback.isolation``): the zip and
    sheet sizes are checked first, and any other failure is one message.
    """
    if len(content) > MAX_BYTES:
        raise InputError(f"{filename}: the file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if not content.startswith(b"PK"):
        raise InputError(f"{filename}: this is not an XLSX workbook Excel can open. Export from this page, edit, "
                         "and import that file.")
    return safety.parse_untrusted(_read_rows, filename, content)


def _read_rows(filename: str, content: bytes) -> tuple[dict[str, list[Row]], list[str]]:
    import python_calamine

    content = safety.checked_workbook(filename, content)
    try:  # python-calamine: ~10x faster than openpyxl on a 20,000-row sheet
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except BaseException as err:  # noqa: BLE001 - includes calamine's PanicException (a BaseException)
        if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        raise InputError(f"{filename}: this is not an XLSX workbook Excel can open ({type(err).__name__}). "
                         "Export from this page, edit, and import that file.") from None
    problems: list[str] = []
    rows: dict[str, list[Row]] = {name: [] for name in SHEETS}
    try:
        sheet_by_name = {title.strip().casefold(): title for title in wb.sheet_names}
        if "items" not in sheet_by_name:
            raise InputError(f"{filename}: there is no 'Items' sheet. Use a workbook exported from this app.")
        for name, spec in SHEETS.items():
            title = sheet_by_name.get(name.casefold())
            if title is None:
                continue  # Responses / Actions may be left out
            try:  # every row from A1, so row numbers are the ones the spreadsheet shows
                grid = wb.get_sheet_by_name(title).to_python(skip_empty_area=False, nrows=MAX_ROWS + 2)
            except BaseException as err:  # noqa: BLE001 - as above
                if isinstance(err, (KeyboardInterrupt, SystemExit, MemoryError)):
                    raise
                raise InputError(f"{filename}: the {name} sheet cannot be read ({type(err).__name__}).") from None
            it = iter(grid)
            header_to_field = {h.casefold(): f for f, h in spec}
            header = next(it, None) or ()
            columns: dict[int, str] = {}
            for j, cell in enumerate(header):
                key = _cell_text(cell).strip().casefold()
                if key in header_to_field:
                    columns[j] = header_to_field[key]
            missing = [h for f, h in spec if f not in columns.values() and f not in OPTIONAL]
            if missing:
                problems.append(f"{name} sheet: column(s) {', '.join(missing)} missing from row 1.")
                continue
            for number, raw in enumerate(it, start=2):
                if number > MAX_ROWS + 1:
                    problems.append(f"{name} sheet: more than {MAX_ROWS} rows; split the file.")
                    break
                cells = {columns[j]: (None if v == "" else v) for j, v in enumerate(raw) if j in columns}
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                    continue
                values: dict[str, Any] = {}
                row_problems = []
                header_of = dict(spec)
                for fld, v in cells.items():
                    try:
                        if fld in DATE_FIELDS:
                            values[fld] = _cell_date(v)
                        elif fld in BOOL_FIELDS:
                            values[fld] = _cell_bool(v)
                        elif fld == "version":
                            values[fld] = _cell_version(v)
                        else:
                            values[fld] = _cell_text(v)
                    except ValueError as err:
                        row_problems.append(f"column {header_of[fld]}: {err}")
                row = Row(name, number, values)
                problems.extend(f"{row.where}: {p}." for p in row_problems)
                rows[name].append(row)
    except (InputError, MemoryError):
        raise
    except Exception as err:  # noqa: BLE001 - a sheet's XML broken part-way: one message, nothing imported
        sheet = locals().get("name", "a")
        raise InputError(f"{filename}: the {sheet} sheet cannot be read ({type(err).__name__}: "
                         f"{' '.join(str(err).split())[:120]}); the file is damaged. Export from this page, "
                         "edit, and import that file.") from None
    finally:
        close = getattr(wb, "close", None)
        if close:
            close()
    return rows, problems


# --------------------------------------------------------------------------- import: checking and writing

_SHEET_MODEL = {"Items": Item, "Responses": Response, "Actions": Action}


def _changes(obj, values: dict[str, Any]) -> dict[str, Any]:
    fields = service.EDITABLE[type(obj)]
    normalised = service._normalise(type(obj), {k: v for k, v in values.items() if k in fields})
    return {k: v for k, v in normalised.items() if getattr(obj, k) != v}


def _check(session: Session, rows: dict[str, list[Row]]) -> list[str]:
    """Every rule, for every row, against the file and the database; nothing written."""
    problems: list[str] = []
    items_db = {i.reference: i for i in session.scalars(select(Item))}
    actions_db = {a.reference: a for a in session.scalars(select(Action))}
    file_items = {}
    for name in SHEETS:
        seen: dict[str, int] = {}
        for row in rows[name]:
            key = row.values.get("item" if name == "Responses" else "reference", "")
            if key and key in seen:
                what = "item reference" if name == "Responses" else "reference"
                problems.append(f"{row.where}: the {what} {key} is also on row {seen[key]}; keep one row each.")
            elif key:
                seen[key] = row.number
            if name == "Items" and key:
                file_items[key] = row

    def version_problem(row: Row, obj) -> str | None:
        given = row.values.get("version")
        if given is None:
            return (f"{row.where}: this row already exists but its Version is empty; export again and "
                    "redo your change.")
        if given != obj.version:
            who = db._last_changed_by(session, obj.__tablename__, obj.id)
            by = f" by {who}" if who else ""
            return (f"{row.where}: changed{by} since this file was exported (file has version {given}, "
                    f"the tracker has version {obj.version}); export again and redo your change.")
        return None

    for row in rows["Items"]:
        existing = items_db.get(row.values.get("reference", ""))
        merged = {**(service._values(existing) if existing else {"is_sample": False}),
                  **service._normalise(Item, {k: v for k, v in row.values.items() if k in service.ITEM_FIELDS})}
        problems.extend(f"{row.where}: {p}." for p in service.item_problems(merged))
        if existing and _changes(existing, row.values):
            problem = version_problem(row, existing)
            if problem:
                problems.append(problem)

    def item_known(row: Row) -> bool:
        ref = row.values.get("item", "")
        if not ref:
            problems.append(f"{row.where}: the Item reference is empty.")
            return False
        if ref not in items_db and ref not in file_items:
            problems.append(f"{row.where}: there is no item {ref} in the tracker or on the Items sheet.")
            return False
        return True

    for row in rows["Responses"]:
        if not item_known(row):
            continue
        item = items_db.get(row.values["item"])
        existing = item.response if item else None
        merged = {**(service._values(existing) if existing else {"is_sample": False}),
                  **service._normalise(Response, {k: v for k, v in row.values.items()
                                                  if k in service.RESPONSE_FIELDS})}
        problems.extend(f"{row.where}: {p}." for p in service.response_problems(merged))
        if existing and _changes(existing, row.values):
            problem = version_problem(row, existing)
            if problem:
                problems.append(problem)

    for row in rows["Actions"]:
        known = item_known(row)
        existing = actions_db.get(row.values.get("reference", ""))
        merged = {**(service._values(existing) if existing else {"status": "not started", "rag": "",
                                                                  "is_sample": False}),
                  **service._normalise(Action, {k: v for k, v in row.values.items() if k in service.ACTION_FIELDS})}
        problems.extend(f"{row.where}: {p}." for p in service.action_problems(merged))
        if existing is None and merged.get("revised_due_date") is not None and not merged.get("revision_reason"):
            problems.append(f"{row.where}: a revised date needs its reason in the column 'Reason for revised date'.")
        elif existing is not None and service.target_changed(existing, _changes(existing, row.values)) and \
                merged.get("revision_reason", "") in ("", existing.revision_reason):
            problems.append(f"{row.where}: a new target date needs a new reason in the column 'Reason for revised "
                            "date' (it is published beside the date).")
        if existing and known and existing.item.reference != row.values["item"]:
            problems.append(f"{row.where}: this action belongs to item {existing.item.reference}; moving it to "
                            f"{row.values['item']} is not supported.")
        if existing and _changes(existing, row.values):
            problem = version_problem(row, existing)
            if problem:
                problems.append(problem)
    return problems


# Values a new row gets for the columns a sheet leaves out.
_NEW_DEFAULTS = {
    Item: {"source_detail": "", "date_raised": None, "regions": "", "themes": "", "is_sample": False},
    Response: {"text": "", "decided_on": None, "decided_by": "", "is_sample": False, "published": False},
    Action: {"owner": "", "due_date": None, "revised_due_date": None, "revision_reason": "", "completed_on": None,
             "completion_criteria": "", "evidence": "",
             "status": "not started", "rag": "", "is_sample": False},
}


def _insert_new(session: Session, model, rows: list[dict[str, Any]], key: str, labels: list[str], who: str,
                now: dt.datetime) -> dict[Any, int]:
    """Bulk INSERT new rows (checked already) and their "created" history rows.

    One executemany per table instead of an ORM flush per row, so a 20,000-row
    import holds SQLite's write lock for about a second. Returns ``{key value: id}``
    (``key`` is unique: the reference, or the item of a response).
    """
    if not rows:
        return {}
    from sqlalchemy import insert

    table = model.__table__
    audit = {"created_by": who, "created_at": now, "version": 1}
    session.execute(insert(table), [{**_NEW_DEFAULTS[model], **row, **audit} for row in rows])
    wanted = {row[key] for row in rows}
    ids = {k: i for i, k in session.execute(select(table.c.id, table.c[key])) if k in wanted}
    session.execute(insert(db.History.__table__), [
        {"entity": table.name, "entity_id": str(ids[row[key]]), "field": "created", "old_value": None,
         "new_value": label, "changed_by": who, "changed_at": now, "reason": "created"}
        for row, label in zip(rows, labels, strict=True)])
    return ids


def _write(session: Session, rows: dict[str, list[Row]], who: access.User, report: ImportReport) -> None:
    """Apply checked rows: changed rows through ``service.edit`` (version-checked, with
    history), then every new row by bulk INSERT, all in the caller's transaction.

    New rows are prepared before the first INSERT, so SQLite's write lock (taken at the
    first write) is held only for the writes themselves.
    """
    items = {i.reference: i for i in session.scalars(select(Item))}
    actions = {a.reference: a for a in session.scalars(select(Action))}
    responses = {r.item_id: r for r in session.scalars(select(Response))}
    now = db.utcnow()
    label = who.label

    def prepare(name: str, existing_of) -> list[tuple[Row, dict[str, Any]]]:
        """Edit the rows that exist (counting them); return the new ones with normalised values."""
        model = _SHEET_MODEL[name]
        fields = service.EDITABLE[model]
        new = []
        for row in rows[name]:
            existing = existing_of(row)
            if existing is None:
                new.append((row, service._normalise(model, {k: v for k, v in row.values.items() if k in fields})))
                continue
            changes = _changes(existing, row.values)
            if changes:
                service.edit(session, existing, row.values["version"], changes, who, IMPORT_REASON)
                report.changed[name] += 1
            else:
                report.unchanged[name] += 1
        report.added[name] += len(new)
        return new

    def response_of(row: Row):
        item = items.get(row.values["item"])
        return responses.get(item.id) if item is not None else None

    new_items = prepare("Items", lambda row: items.get(row.values["reference"]))
    new_responses = prepare("Responses", response_of)
    new_actions = prepare("Actions", lambda row: actions.get(row.values["reference"]))

    item_ids = {ref: item.id for ref, item in items.items()}
    item_ids |= _insert_new(session, Item, [v for _, v in new_items], "reference",
                            [v["reference"] for _, v in new_items], label, now)
    _insert_new(session, Response, [{**v, "item_id": item_ids[row.values["item"]]} for row, v in new_responses],
                "item_id", [f"response to {row.values['item']}" for row, _ in new_responses], label, now)
    _insert_new(session, Action, [{**v, "item_id": item_ids[row.values["item"]]} for row, v in new_actions],
                "reference", [v["reference"] for _, v in new_actions], label, now)


def _require_roles(session: Session, rows: dict[str, list[Row]], user: access.User) -> None:
    """Refuse the whole import, before anything is written, unless ``user`` may make every change:
    changing existing rows is an admin's job; adding rows needs an editor (a regional lead: of
    the items' regions)."""
    items_db = {i.reference: i for i in session.scalars(select(Item))}
    actions_db = {a.reference: a for a in session.scalars(select(Action))}
    file_regions = {row.values.get("reference"): row.values.get("regions") for row in rows["Items"]}

    def regions_of(ref: str):
        item = items_db.get(ref)
        return service.split_list(item.regions if item is not None else file_regions.get(ref))

    existing_rows = [(items_db.get(r.values.get("reference", "")), r) for r in rows["Items"]]
    existing_rows += [(getattr(items_db.get(r.values.get("item", "")), "response", None), r) for r in rows["Responses"]]
    existing_rows += [(actions_db.get(r.values.get("reference", "")), r) for r in rows["Actions"]]
    if any(obj is not None and _changes(obj, row.values) for obj, row in existing_rows):
        access.require(user, access.REPLACE, what="tracker records", log=access_log.refusals(session))
    for obj, row in existing_rows:  # rows to add (unchanged rows need nothing)
        if obj is None:
            name = row.sheet
            regions = (service.split_list(row.values.get("regions")) if name == "Items"
                       else regions_of(row.values.get("item", "")))
            access.require(user, access.EDIT, regions, what=service.WHAT[_SHEET_MODEL[name]],
                           log=access_log.refusals(session))


def import_workbook(engine: Engine, filename: str, content: bytes, who: str | access.User) -> ImportReport:
    """Check every row of the workbook, then apply it all in one transaction, or nothing.

    Raises :class:`ImportProblems` (an ``InputError``) listing every problem,
    with the database unchanged, or ``feedback.errors.Refused`` when the
    person's role does not cover every change (changing existing rows is for
    admins). A completed import is written to the access log.
    """
    user = access.actor(who)
    if not user.name.strip():
        raise InputError("Give your name first: every change an import makes records who made it.")
    rows, problems = read_rows(filename, content)
    report = ImportReport()
    with db.session_scope(engine) as session:
        problems += _check(session, rows)
        if problems:
            raise ImportProblems(filename, problems)
        _require_roles(session, rows, user)
        try:
            _write(session, rows, user, report)
        except (db.StaleEdit, service.TrackerError) as err:  # a change landed between check and write
            raise ImportProblems(filename, [str(err)]) from None
        access_log.add(session, user, access_log.IMPORT, f"tracker workbook {filename}: {report.summary()}")
    return report

"""Storing the register and the audits, through ``feedback.db`` only.

Every write is one transaction with its history rows: new rows get one
``record_change`` entry ("entered" / "added"), corrections go through
``apply_edit`` so an edit made on stale values is refused, not lost. Imports
are validated in full before this module is called, and a clash found here
(an audit already stored) rolls the whole import back.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback import access, access_log, db
from feedback.audits.entry import AuditRecord, validate_audit
from feedback.audits.framework import SCORES, Framework
from feedback.audits.models import Audit, AuditCode, AuditFinding, AuditScore, Partnership, YearlyReport
from feedback.audits.register import REGISTER_COLUMNS
from feedback.errors import InputError

# --------------------------------------------------------------------------- register


def save_register(engine, register: pd.DataFrame, who: str | access.User, *, reason: str = "",
                  is_sample: bool = False, source: str = "") -> dict:
    """Add the partnerships and yearly reports of a register checked by ``validate_register``;
    update dates that changed.

    Returns counts ``{"partnerships": added, "reports": added, "dates": changed}``.
    A partnership already stored under another region is an error (nothing saved).
    Changing stored dates replaces data (admins only); adding needs an editor (a
    regional lead: of every region in the file). ``source`` (the file's name)
    writes the import to the access log.
    """
    user = access.actor(who)
    who = user.label
    counts = {"partnerships": 0, "reports": 0, "dates": 0}
    for region in sorted(set(register["region"])):
        access.require(user, access.EDIT, region, what="register entries", log=access_log.refusals(engine))
    with db.session_scope(engine) as session:
        stored = {p.name.casefold(): p for p in session.scalars(select(Partnership))}
        reports = {(r.partnership_id, r.reporting_year): r for r in session.scalars(select(YearlyReport))}
        for rec in register.to_dict("records"):
            p = stored.get(rec["partnership"].casefold())
            report = reports.get((p.id, rec["reporting_year"])) if p is not None else None
            received = rec["received_on"] if pd.notna(rec["received_on"]) else None
            if report is not None and report.received_on != received:
                access.require(user, access.REPLACE, what="register dates", log=access_log.refusals(engine))
                break
        clashes = []
        for name, region in register.drop_duplicates("partnership")[["partnership", "region"]].itertuples(index=False):
            p = stored.get(name.casefold())
            if p is not None and p.region != region:
                clashes.append(f"{name} is on the register in {p.region}, not {region}")
        if clashes:
            raise InputError("Nothing was saved: " + "; ".join(clashes[:20]) + ". Correct the region in the file.")
        for name, region in register.drop_duplicates("partnership")[["partnership", "region"]].itertuples(index=False):
            if name.casefold() not in stored:
                p = Partnership(name=name, region=region, is_sample=is_sample)
                session.add(p)
                session.flush()
                db.record_change(session, "audit_partnership", p.id, "added", None, f"{name} ({region})", who, reason)
                stored[name.casefold()] = p
                counts["partnerships"] += 1
        for rec in register.to_dict("records"):
            p = stored[rec["partnership"].casefold()]
            received = rec["received_on"] if pd.notna(rec["received_on"]) else None
            report = reports.get((p.id, rec["reporting_year"]))
            if report is None:
                report = YearlyReport(partnership_id=p.id, reporting_year=rec["reporting_year"], received_on=received)
                session.add(report)
                session.flush()
                db.record_change(session, "audit_yearly_report", report.id, "added", None,
                                 f"{p.name} {rec['reporting_year']} received {received or 'not yet'}", who, reason)
                counts["reports"] += 1
            elif report.received_on != received:
                db.apply_edit(session, report, report.version, {"received_on": received}, who,
                              reason or "register import")
                counts["dates"] += 1
        if source:
            access_log.add(session, user, access_log.IMPORT,
                           f"register {source}: {counts['partnerships']} partnerships and {counts['reports']} "
                           f"reports added, {counts['dates']} dates changed",
                           "; ".join(sorted(set(register["region"]))))
    return counts


def load_register(engine) -> pd.DataFrame:
    """The register as a frame: one row per partnership and reporting year (partnerships with no
    report rows appear once with an empty year), plus ``report_id`` and ``version`` for edits."""
    stmt = (select(Partnership.name, Partnership.region, YearlyReport.reporting_year, YearlyReport.received_on,
                   YearlyReport.id, YearlyReport.version, Partnership.is_sample)
            .outerjoin(YearlyReport, YearlyReport.partnership_id == Partnership.id)
            .order_by(Partnership.region, Partnership.name, YearlyReport.reporting_year))
    with db.session_scope(engine) as session:
        rows = session.execute(stmt).all()
    return pd.DataFrame(rows, columns=[*REGISTER_COLUMNS, "report_id", "version", "is_sample"])


def partnership_regions(engine) -> dict[str, str]:
    with db.session_scope(engine) as session:
        return dict(session.execute(select(Partnership.name, Partnership.region).order_by(Partnership.name)).all())


def set_received(engine, report_id: int, seen_version: int, received_on: dt.date | None,
                 who: str | access.User, reason: str = "") -> None:
    """Record (or correct) the date a yearly report arrived; refused with StaleEdit if changed meanwhile."""
    user = access.actor(who)
    with db.session_scope(engine) as session:
        report = session.get(YearlyReport, report_id)
        if report is None:
            raise InputError("That yearly report is no longer on the register.")
        access.require(user, access.EDIT, report.partnership.region, what="register entries",
                       log=access_log.refusals(engine))
        db.apply_edit(session, report, seen_version, {"received_on": received_on}, user.label, reason)


# --------------------------------------------------------------------------- audits


def _summary(record: AuditRecord) -> str:
    parts = [f"{record.partnership} {record.reporting_year} ({record.framework}) by {record.auditor}"]
    parts += [f"{cid}={s.score}" + (f" p.{s.page}" if s.page else "") for cid, s in record.scores.items()]
    parts += [f"{lid}: {', '.join(codes)}" for lid, codes in record.codes.items() if codes]
    return "; ".join(parts)


def add_audits(engine, records: list[AuditRecord], who: str | access.User, *, reason: str = "",
               is_sample: bool = False, source: str = "") -> list[int]:
    """Store validated audits in one transaction (all or none); returns their ids.

    Refused, with every clash named, when a report is already audited or a
    partnership is not on the register; ``Refused`` when a regional lead's
    records include another region's partnership. ``source`` (the file's
    name) writes the import to the access log.
    """
    user = access.actor(who)
    who = user.label
    if not who:
        raise InputError("Give your name first: every change records who made it.")
    try:
        with db.session_scope(engine) as session:
            partners = {p.name: p for p in session.scalars(select(Partnership))}
            for region in sorted({partners[r.partnership].region for r in records if r.partnership in partners}):
                access.require(user, access.EDIT, region, what="audits", log=access_log.refusals(engine))
            done = set(session.execute(select(Partnership.name, Audit.reporting_year)
                                       .join(Audit, Audit.partnership_id == Partnership.id)).all())
            problems = [f"{r.partnership} is not on the register" for r in records if r.partnership not in partners]
            problems += [f"the {r.reporting_year} report of {r.partnership} is already audited"
                         for r in records if (r.partnership, r.reporting_year) in done]
            if problems:
                raise InputError("Nothing was saved: " + "; ".join(problems[:20])
                                 + (f" (and {len(problems) - 20} more)" if len(problems) > 20 else "") + ".")
            ids = []
            for r in records:
                audit = Audit(partnership_id=partners[r.partnership].id, reporting_year=r.reporting_year,
                              framework=r.framework, auditor=r.auditor, audited_on=r.audited_on, notes=r.notes,
                              is_sample=is_sample, entered_by=str(who).strip(), entered_at=db.utcnow())
                audit.scores = [AuditScore(criterion=cid, score=s.score, page=s.page, quote=s.quote)
                                for cid, s in r.scores.items()]
                audit.codes = [AuditCode(list=lid, code=code) for lid, codes in r.codes.items() for code in codes]
                session.add(audit)
                session.flush()
                db.record_change(session, "audit", audit.id, "entered", None, _summary(r), who, reason)
                ids.append(audit.id)
            if source:
                access_log.add(session, user, access_log.IMPORT, f"audits {source}: {len(ids)} audits",
                               "; ".join(sorted({partners[r.partnership].region for r in records})))
            return ids
    except IntegrityError:
        raise InputError("Nothing was saved: someone else stored an audit of one of these reports a moment "
                         "ago. Reload the page to see it.") from None


def enter_audit(engine, values: dict, framework: Framework, who: str | access.User, reason: str = "") -> int:
    """Check one audit from the form and store it; InputError lists every problem."""
    record, errors = validate_audit(values, framework, partnership_regions(engine))
    if errors:
        raise InputError(" ".join(errors))
    return add_audits(engine, [record], who, reason=reason)[0]


def edit_score(engine, score_id: int, seen_version: int, changes: dict, framework: Framework,
               who: str | access.User, reason: str = "") -> dict:
    """Correct one criterion's score, page or quote (apply_edit: refused if changed meanwhile)."""
    user = access.actor(who)
    who = user.label
    with db.session_scope(engine) as session:
        row = session.get(AuditScore, score_id)
        if row is None:
            raise InputError("That score is no longer stored.")
        audit = row.audit
        access.require(user, access.EDIT, audit.partnership.region, what="audits", log=access_log.refusals(engine))
        values = {"partnership": audit.partnership.name, "reporting_year": audit.reporting_year,
                  "auditor": audit.auditor}
        for s in audit.scores:
            values |= {s.criterion: s.score, f"{s.criterion}_page": s.page, f"{s.criterion}_quote": s.quote}
        values |= {f"{row.criterion}{'' if k == 'score' else '_' + k}": v for k, v in changes.items()}
        record, errors = validate_audit(values, framework)
        if errors:
            raise InputError(" ".join(errors))
        new = record.scores[row.criterion]
        return db.apply_edit(session, row, seen_version,
                             {"score": new.score, "page": new.page, "quote": new.quote}, who, reason)


def load_frames(engine) -> dict[str, pd.DataFrame]:
    """The tidy frames the summaries take (``audits``, ``scores``, ``codes``) and the ``register``."""
    with db.session_scope(engine) as session:
        audits = session.execute(
            select(Audit.id, Partnership.name, Partnership.region, Audit.reporting_year, Audit.framework,
                   Audit.auditor, Audit.audited_on, Audit.is_sample, Audit.entered_by, Audit.entered_at)
            .join(Partnership, Audit.partnership_id == Partnership.id).order_by(Audit.id)).all()
        scores = session.execute(select(AuditScore.audit_id, AuditScore.criterion, AuditScore.score,
                                        AuditScore.page, AuditScore.quote, AuditScore.id, AuditScore.version)
                                 .order_by(AuditScore.id)).all()
        codes = session.execute(select(AuditCode.audit_id, AuditCode.list, AuditCode.code)
                                .order_by(AuditCode.id)).all()
    return {
        "audits": pd.DataFrame(audits, columns=["audit_id", "partnership", "region", "reporting_year", "framework",
                                                "auditor", "audited_on", "is_sample", "entered_by", "entered_at"]),
        "scores": pd.DataFrame(scores, columns=["audit_id", "criterion", "score", "page", "quote", "score_id",
                                                "version"]),
        "codes": pd.DataFrame(codes, columns=["audit_id", "list", "code"]),
        "register": load_register(engine).dropna(subset=["reporting_year"]).reset_index(drop=True),
    }


def audit_table(frames: dict, framework: Framework) -> pd.DataFrame:
    """One row per audit with its scores in words, for people to read (and export)."""
    audits = frames["audits"][frames["audits"]["framework"] == framework.id]
    scores = frames["scores"].merge(audits[["audit_id"]], on="audit_id")
    wide = (scores.assign(score=scores["score"].map(SCORES))
            .pivot(index="audit_id", columns="criterion", values="score")
            .reindex(columns=[c.id for c in framework.criteria]))
    wide.columns = [framework.criterion(c).label for c in wide.columns]
    out = audits[["audit_id", "partnership", "region", "reporting_year", "auditor", "audited_on"]].merge(
        wide, left_on="audit_id", right_index=True, how="left")
    for lst in framework.lists:
        ticked = frames["codes"][frames["codes"]["list"] == lst.id]
        joined = ticked.assign(label=ticked["code"].map(lst.labels())).groupby("audit_id")["label"].agg("; ".join)
        out[lst.name] = out["audit_id"].map(joined).fillna("")
    return out.reset_index(drop=True)


HISTORY_COLUMNS = ["changed_at", "changed_by", "field", "old_value", "new_value", "reason"]


def history(engine, entity: str, entity_id) -> pd.DataFrame:
    """Every recorded change to one row, oldest first."""
    return histories(engine, [(entity, entity_id)]).drop(columns=["entity", "entity_id"])


def histories(engine, rows) -> pd.DataFrame:
    """Every recorded change to each ``(entity, entity_id)`` of ``rows``, read in one transaction:
    row by row in the order given, each oldest first, with ``entity`` and ``entity_id`` columns."""
    with db.session_scope(engine) as session:
        found = [{"entity": entity, "entity_id": entity_id, **{c: getattr(h, c) for c in HISTORY_COLUMNS}}
                 for entity, entity_id in rows for h in db.history_for(session, entity, entity_id)]
    return pd.DataFrame(found, columns=["entity", "entity_id", *HISTORY_COLUMNS])


def findings(engine) -> pd.DataFrame:
    """Findings already raised as tracker items."""
    with db.session_scope(engine) as session:
        rows = session.execute(select(AuditFinding.tracker_item_id, AuditFinding.reporting_year,
                                      AuditFinding.criterion, AuditFinding.raised_by, AuditFinding.raised_at)
                               .order_by(AuditFinding.id)).all()
    return pd.DataFrame(rows, columns=["tracker_item_id", "reporting_year", "criterion", "raised_by", "raised_at"])


# --------------------------------------------------------------------------- findings -> tracker

FINDING_SOURCE = "yearly-report audit"


def raise_finding(engine, *, text: str, reporting_year: str, who: str | access.User, criterion: str = "",
                  framework: Framework | None = None, region: str | None = None,
                  date_raised: dt.date | None = None) -> str:
    """Raise a finding from the audits as a tracker item (source "yearly-report audit").

    Uses the tracker's own ``create_item`` (its rules, its history) in the same
    transaction as the link kept here; returns the new item's reference
    (``YRA-<year>-NN``).
    """
    from feedback.tracker import service
    from feedback.tracker.models import Item

    user = access.actor(who)
    who = user.label
    if not who:
        raise InputError("Give your name first: every change records who made it.")
    access.require(user, access.EDIT, region, what="tracker items", log=access_log.refusals(engine))
    text = " ".join(str(text).split())
    if not text:
        raise InputError("Write the finding first: the tracker item needs its text.")
    label = framework.criterion(criterion).label if (framework and criterion) else ""
    prefix = f"YRA-{reporting_year}-"
    with db.session_scope(engine) as session:
        taken = session.scalars(select(Item.reference).where(Item.reference.like(f"{prefix}%"))).all()
        numbers = [int(r[len(prefix):]) for r in taken if r[len(prefix):].isdigit()]
        reference = f"{prefix}{max(numbers, default=0) + 1:02d}"
        try:
            item = service.create_item(
                session, user, reference=reference, text=text, source=FINDING_SOURCE,
                source_detail=f"Audits of {reporting_year} yearly reports" + (f": {label}" if label else ""),
                date_raised=date_raised or dt.date.today(), regions=region or "", themes=label)
        except service.TrackerError as err:
            raise InputError(str(err)) from None
        session.flush()
        session.add(AuditFinding(tracker_item_id=item.id, reporting_year=reporting_year, criterion=criterion,
                                 raised_by=str(who).strip(), raised_at=db.utcnow()))
    return reference

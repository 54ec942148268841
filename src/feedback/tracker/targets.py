"""Survey targets: the survey question(s) a tracker item or action aims to move,
and their re-measure (the latest change between waves), so the Panel can see
whether what it did moved the figure.

A target names an audience (``frontline``), a question id (``heard_of_panel``)
and a group (``total`` / ``Total``, or e.g. ``role`` / ``Police``). Table
``survey_target`` (migration 0004); adding, changing or removing one writes history.

Targets obey the roles like every other write (``feedback.access``): a viewer
changes none; a regional lead adds and changes the targets of their region's
items only; an editor adds and changes any; only an admin removes one. A refusal
is written to the access log. History names the person by their label.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from feedback import access, access_log, db
from feedback.db import Base, utcnow
from feedback.tracker.models import Action, Item, split_list
from feedback.tracker.service import TrackerError, editor

WHAT = "survey targets"  # how targets are named in a refusal ("Only editors can change survey targets: ...")

TARGET_COLUMNS = ["target_id", "item_id", "item_reference", "action_id", "action_reference", "description",
                  "status", "audience", "question", "by", "group", "is_sample"]
MOVED_UP, MOVED_DOWN, NO_CHANGE = "Moved up significantly", "Moved down significantly", "No significant change"
GROUPS = (MOVED_UP, MOVED_DOWN, NO_CHANGE)


class SurveyTarget(Base):
    """One survey question (in one group) that an item or an action aims to move."""

    __tablename__ = "survey_target"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("tracker_item.id", ondelete="CASCADE"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("tracker_action.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(60))
    question: Mapped[str] = mapped_column(String(120))
    by: Mapped[str] = mapped_column(String(60), default="total")
    group_name: Mapped[str] = mapped_column(String(200), default="Total")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _regions_of(item: Item | None, action: Action | None) -> list[str]:
    """The regions a target's records belong to: its item's (an action's item's) tags; none = national."""
    owner = item if item is not None else action.item
    return split_list(owner.regions)


def _owner_of(session: Session, target: SurveyTarget) -> tuple[Item | None, Action | None]:
    if target.action_id is not None:
        return None, session.get(Action, target.action_id)
    return session.get(Item, target.item_id), None


def add_target(session: Session, who: str | access.User, *, audience: str, question: str, item: Item | None = None,
               action: Action | None = None, by: str = "total", group: str = "Total",
               is_sample: bool = False) -> SurveyTarget:
    """Name a survey question an item or action aims to move (history written in the same transaction).

    ``who`` needs to be an editor (a regional lead: of a region the item is tagged with);
    a refusal raises :class:`feedback.errors.Refused` and is written to the access log."""
    user = editor(who)
    if (item is None) == (action is None):
        raise TrackerError("A survey target belongs to one item or one action.")
    label = access.require(user, access.EDIT, _regions_of(item, action), what=WHAT,
                           log=access_log.refusals(session)).label
    audience, question = str(audience).strip(), str(question).strip()
    if not audience or not question:
        raise TrackerError("A survey target needs the survey (audience) and the question id.")
    owner = {"item_id": item.id if item else None, "action_id": action.id if action else None}
    exists = session.scalar(select(SurveyTarget).filter_by(**owner, audience=audience, question=question, by=by,
                                                           group_name=group))
    if exists:
        raise TrackerError(f"{_label(item, action)} already aims to move {question} ({audience}, {group}).")
    target = SurveyTarget(**owner, audience=audience, question=question, by=by, group_name=group,
                          is_sample=is_sample, created_by=label)
    session.add(target)
    session.flush()
    db.record_change(session, "survey_target", target.id, "created", None,
                     f"{_label(item, action)}: {audience} {question} ({by}: {group})", label)
    return target


TARGET_FIELDS = {"audience": "audience", "question": "question", "by": "by", "group": "group_name"}


def change_target(session: Session, target_id: int, who: str | access.User, reason: str = "",
                  **changes: str) -> dict[str, tuple[str, str]]:
    """Change a target's ``audience``, ``question``, ``by`` or ``group``; one history row per
    changed field. Same roles as :func:`add_target` (the target's item decides the region).
    Returns ``{field: (old, new)}``."""
    user = editor(who)
    unknown = sorted(set(changes) - set(TARGET_FIELDS))
    if unknown:
        raise TrackerError(f"A survey target has no field(s) {', '.join(unknown)}.")
    target = session.get(SurveyTarget, target_id)
    if target is None:
        raise TrackerError("That survey target has been removed.")
    item, action = _owner_of(session, target)
    label = access.require(user, access.EDIT, _regions_of(item, action), what=WHAT,
                           log=access_log.refusals(session)).label
    new = {field: str(value).strip() for field, value in changes.items()}
    if any(not value for value in new.values()):
        raise TrackerError("A survey target needs the survey (audience), the question id and the group.")
    diff = {f: (getattr(target, TARGET_FIELDS[f]), v) for f, v in new.items() if getattr(target, TARGET_FIELDS[f]) != v}
    if not diff:
        return {}
    after = {TARGET_FIELDS[f]: getattr(target, TARGET_FIELDS[f]) for f in TARGET_FIELDS} | {
        TARGET_FIELDS[f]: v for f, (_old, v) in diff.items()}
    clash = session.scalar(select(SurveyTarget.id).filter_by(item_id=target.item_id, action_id=target.action_id,
                                                             **after).where(SurveyTarget.id != target.id))
    if clash is not None:
        raise TrackerError(f"{_label(item, action)} already aims to move {after['question']} "
                           f"({after['audience']}, {after['group_name']}).")
    now = utcnow()
    for field, (old, value) in diff.items():
        setattr(target, TARGET_FIELDS[field], value)
        db.record_change(session, "survey_target", target.id, field, old, value, label, reason, at=now)
    session.flush()
    return diff


def remove_target(session: Session, target_id: int, who: str | access.User, reason: str = "") -> None:
    """Remove a target (admins only: deleting is theirs); history keeps what it was."""
    user = editor(who)
    target = session.get(SurveyTarget, target_id)
    if target is None:
        raise TrackerError("That survey target has already been removed.")
    item, action = _owner_of(session, target)
    label = access.require(user, access.DELETE, _regions_of(item, action), what=WHAT,
                           log=access_log.refusals(session)).label
    db.record_change(session, "survey_target", target.id, "removed",
                     f"{target.audience} {target.question} ({target.by}: {target.group_name})", None, label, reason)
    session.delete(target)


def _label(item: Item | None, action: Action | None) -> str:
    return f"Action {action.reference}" if action is not None else f"Item {item.reference}"


def targets_frame(session: Session) -> pd.DataFrame:
    """Every target with its item and action (an action's target also carries its item)."""
    rows = []
    for target, action, item in session.execute(
            select(SurveyTarget, Action, Item)
            .outerjoin(Action, SurveyTarget.action_id == Action.id)
            .join(Item, (Item.id == SurveyTarget.item_id) | (Item.id == Action.item_id))
            .order_by(SurveyTarget.id)):
        rows.append({"target_id": target.id, "item_id": item.id, "item_reference": item.reference,
                     "action_id": action.id if action else None,
                     "action_reference": action.reference if action else "",
                     "description": action.description if action else item.text,
                     "status": action.status if action else "", "audience": target.audience,
                     "question": target.question, "by": target.by, "group": target.group_name,
                     "is_sample": bool(target.is_sample)})
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


# --------------------------------------------------------------------------- for the pages (one transaction each)


def stored(engine) -> pd.DataFrame:
    """Every target, as :func:`targets_frame` lists them."""
    with db.session_scope(engine) as session:
        return targets_frame(session)


def add_for(engine, who: str | access.User, *, audience: str, question: str, by: str = "total",
            group: str = "Total", item_id: int | None = None, action_id: int | None = None) -> None:
    """:func:`add_target` for the item ``item_id`` or the action ``action_id`` (one of them)."""
    with db.session_scope(engine) as session:
        add_target(session, who, audience=audience, question=question, by=by, group=group,
                   item=session.get(Item, item_id) if item_id is not None else None,
                   action=session.get(Action, action_id) if action_id is not None else None)


def remove(engine, target_id: int, who: str | access.User, reason: str = "") -> None:
    """:func:`remove_target` in its own transaction."""
    with db.session_scope(engine) as session:
        remove_target(session, target_id, who, reason)


def remeasure(targets: pd.DataFrame, changes: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each target beside its question's latest change (``changes``: audience -> a ``waves.change``
    frame), and its group: moved up / moved down significantly / no significant change.
    A target whose question or group is not in the latest waves gets ``outcome`` "Not measured"."""
    from feedback.survey.waves import change_words

    parts = []
    for audience, rows in targets.groupby("audience", sort=False):
        ch = changes.get(audience)
        if ch is None or ch.empty:
            parts.append(rows.assign(outcome="Not measured"))
            continue
        keep = ["question", "by", "group", "question_text", "wave_before", "wave_after", "p_before", "p_after",
                "change", "ci_low", "ci_high", "p_adj", "sig", "flag"]
        parts.append(rows.merge(ch[keep], on=["question", "by", "group"], how="left"))
    out = pd.concat(parts, ignore_index=True) if parts else targets.assign(outcome=[])
    if "sig" not in out:
        out["sig"] = ""
    measured = out["wave_after"].notna() if "wave_after" in out else pd.Series(False, index=out.index)
    out["outcome"] = [MOVED_UP if s == "up" else MOVED_DOWN if s == "down" else NO_CHANGE if m else "Not measured"
                      for s, m in zip(out["sig"].fillna(""), measured)]
    out["in_words"] = [change_words(r) if m else "not in the latest two waves"
                       for r, m in zip(out.itertuples(index=False), measured)]
    return out


SAMPLE_ACTION = "SAMPLE-C11-1/2"


def seed_if_empty(engine) -> int:
    """Sample targets (marked as sample) on the Panel's chapter 11 commitment to communicate more,
    once: a sample action "raise frontline awareness of the Panel" aimed at frontline
    ``heard_of_panel``, and the commitment's own action aimed at two partners' questions."""
    with db.session_scope(engine) as session:
        if session.scalar(select(Action).filter_by(reference=SAMPLE_ACTION)) is not None:
            return 0
        if session.scalar(select(SurveyTarget).limit(1)) is not None:
            return 0
        item = session.scalar(select(Item).filter_by(reference="C11-1"))
        if item is None:
            return 0
        from feedback.tracker.seed import SEEDER
        from feedback.tracker.service import create_action

        action = create_action(
            session, item, SEEDER, reference=SAMPLE_ACTION,
            description="Raise frontline awareness of the Panel: briefings for police, health and education "
                        "staff through their professional networks.",
            owner="Sample: Panel secretariat, communications", due_date=dt.date(2022, 5, 31),
            completion_criteria="Briefings given in every region; awareness re-measured in the 2022 survey.",
            evidence="Sample: briefings given in all nine regions (invented for the sample).",
            status="complete", rag="green", is_sample=True)
        session.flush()
        add_target(session, SEEDER, audience="frontline", question="heard_of_panel", action=action, is_sample=True)
        commitment = session.scalar(select(Action).filter_by(reference="C11-1/1"))
        added = 1
        if commitment is not None:
            for question in ("easy_to_find_info", "well_informed"):
                add_target(session, SEEDER, audience="partners", question=question, action=commitment,
                           is_sample=True)
                added += 1
        return added

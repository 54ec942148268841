"""Load the tracker's sample content (``data/tracker/seed.toml``) into an empty database.

The TOML holds real Panel text (Annex C, chapters 6 and 11 of the Annual
report 2021, and a partnership's challenges from each national review) and
invented actions, owners and dates, which are stored with ``is_sample`` set.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from feedback import db
from feedback.tracker import service
from feedback.tracker.models import Item

SEED_FILE = db.ROOT / "data" / "tracker" / "seed.toml"
SEEDER = "sample data loader"
PARTNERSHIP_OWNER = "Sample partnership: learning subgroup"


def _challenge_items(group: dict) -> list[dict]:
    """Each challenge of one national review as an item with one invented (sample) action."""
    out = []
    # Invented progress, cycled so the sample shows every kind of status.
    plans = [
        {"status": "not started", "due_date": "2023-07-31", "rag": "red"},
        {"status": "in progress", "due_date": "2023-09-30", "revised_due_date": "2027-03-31", "rag": "amber",
         "revision_reason": "Sample: the partnership board asked for a fuller answer after the next audit."},
        {"status": "complete", "due_date": "2023-07-31", "completed_on": "2023-07-20", "rag": "green",
         "evidence": "Sample: answered at the partnership board; minutes (link to be added)."},
        {"status": "in progress", "due_date": "2023-12-31", "rag": "amber"},
    ]
    for i, text in enumerate(group["items"], start=1):
        plan = plans[(i - 1) % len(plans)]
        out.append({
            "reference": f"NR-{group['short']}-{i}",
            "source": "national review",
            "source_detail": f"{group['review']} ({group['published']}): a challenge a safeguarding "
                             "partnership set itself (partnership paper, May 2023)",
            "themes": group.get("themes", []),
            "text": text,
            "actions": [{
                "reference": f"SAMPLE-NR-{group['short']}-{i}/1",
                "description": f"Partnership to answer: {group['prompt']}",
                "owner": PARTNERSHIP_OWNER,
                "completion_criteria": "An answer agreed at the partnership board, with any further actions.",
                **plan,
            }],
        })
    return out


def load_plan(path: Path = SEED_FILE) -> list[dict]:
    """The seed file as a list of item dicts (each with optional response and actions)."""
    from feedback.safety import load_toml

    data = load_toml(Path(path).read_text(encoding="utf-8"), Path(path).name)
    items = list(data.get("items", []))
    for group in data.get("challenges", []):
        items.extend(_challenge_items(group))
    return items


def _date(value):
    import datetime as dt

    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def seed(session: Session, plan: list[dict] | None = None, who: str = SEEDER) -> int:
    """Create every item of the plan (with response and actions); returns the number of items."""
    plan = load_plan() if plan is None else plan
    for entry in plan:
        item_sample = bool(entry.get("is_sample", False))
        item = service.create_item(
            session, who, reference=entry["reference"], text=entry["text"], source=entry["source"],
            source_detail=entry.get("source_detail", ""), date_raised=_date(entry.get("date_raised")),
            regions="; ".join(entry.get("regions", [])), themes="; ".join(entry.get("themes", [])),
            is_sample=item_sample)
        if entry.get("decision"):
            service.create_response(
                session, item, who, decision=entry["decision"], text=entry.get("response", ""),
                decided_on=_date(entry.get("decided_on")),
                decided_by=entry.get("decided_by", "Child Safeguarding Practice Review Panel"),
                is_sample=item_sample, published=bool(entry.get("published", False)))
        for action in entry.get("actions", []):
            service.create_action(
                session, item, who, reference=action["reference"], description=action["description"],
                owner=action.get("owner", ""), due_date=_date(action.get("due_date")),
                revised_due_date=_date(action.get("revised_due_date")),
                completion_criteria=action.get("completion_criteria", ""),
                evidence=action.get("evidence", ""), status=action.get("status", "not started"),
                rag=action.get("rag", ""), is_sample=bool(action.get("is_sample", True)),
                revision_reason=action.get("revision_reason", ""), completed_on=_date(action.get("completed_on")))
    return len(plan)


def seed_if_empty(engine: Engine) -> int:
    """Load the sample when the tracker has no items; otherwise do nothing. Returns items added."""
    with db.session_scope(engine) as session:
        if session.scalar(select(func.count()).select_from(Item)):
            return 0
        return seed(session)

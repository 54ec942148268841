"""Who may change what: the four roles, where they come from, and the one check
every write in the package makes before it touches the database.

- viewer: reads and exports everything, changes nothing;
- editor: changes any record;
- regional lead: an editor of their own region's records (roundtable events in
  the region, audits of partnerships in the region, tracker items tagged with
  the region) and a viewer of everything else, national records included;
- admin: an editor who may also delete, run imports that replace existing
  records, download a backup and read the access log.

Roles come from the ``[roles]`` section of the Streamlit secrets (people by
e-mail, a default for everyone else who signs in) and, optionally, from an
ID-token claim such as Entra ID's app ``roles`` or ``groups``. The strongest
role found wins. The e-mail counts (for a role, and in the person's label) only
when it is verified: the ID token says ``email_verified: true``, or the
deployment says its provider's e-mails are verified (``[roles] emails_verified
= true``). Anyone else gets the default role, like a token without an e-mail.

Every service function takes ``who``: a :class:`User`, or a plain name. A
plain name is the local mode and the command line, where whoever runs it can
already open the database file: it acts as an admin under that name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from feedback.errors import InputError, Refused
from feedback.regions import REGIONS, normalise_region

VIEWER, REGIONAL_LEAD, EDITOR, ADMIN = "viewer", "regional lead", "editor", "admin"
ROLES = (VIEWER, REGIONAL_LEAD, EDITOR, ADMIN)  # weakest first: the strongest one found wins

# What people do that needs a role.
EDIT = "edit"                # add or change a record
DELETE = "delete"            # remove a record (admin)
REPLACE = "replace"          # a bulk import that changes existing records (admin)
BACKUP = "backup"            # download (or restore) the whole database (admin)
SEE_ACCESS_LOG = "see the access log"  # admin
ACTIONS = (EDIT, DELETE, REPLACE, BACKUP, SEE_ACCESS_LOG)
ADMIN_ONLY = {DELETE: "delete {what}", REPLACE: "run imports that replace existing {what}",
              BACKUP: "download or restore a backup of the database", SEE_ACCESS_LOG: "see the access log"}


@dataclass(frozen=True)
class User:
    """The person acting: their name and e-mail (from the ID token when signed in) and role."""

    name: str
    email: str = ""
    role: str = ADMIN
    region: str | None = None       # the region a regional lead leads
    signed_in: bool = False         # False: local mode or the command line (a typed name)

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"Unknown role {self.role!r}; use one of {', '.join(ROLES)}.")
        if (self.role == REGIONAL_LEAD) != (self.region is not None):
            raise ValueError("A regional lead, and only a regional lead, has a region.")

    @property
    def label(self) -> str:
        """How the person is named in history: "Name (e-mail)", the e-mail a verified one.

        The rule that keeps one person's label from reading like another's: round
        brackets and "@" in a label come only from the verified e-mail. The name part
        never holds them (:func:`display_name`: "@" reads " at ", round brackets become
        square ones), and a signed-in person without a verified e-mail is
        "Name (no verified e-mail)". So "Mallory (ada@example.org)" as a display name
        is labelled "Mallory [ada at example.org] (no verified e-mail)".
        """
        name = display_name(self.name)
        if self.email:  # a name that is the e-mail itself is not said twice
            same = name.casefold() in ("", display_name(self.email).casefold())
            text = self.email if same else f"{name} ({self.email})"
        elif self.signed_in:
            text = f"{name or 'Someone'} ({NO_VERIFIED_EMAIL})"
        else:
            text = name
        return text[:200]

    @property
    def role_words(self) -> str:
        return f"regional lead for {self.region}" if self.role == REGIONAL_LEAD else self.role

    @property
    def can_edit(self) -> bool:
        """True when the person may change at least some records (pages show edit forms)."""
        return self.role != VIEWER

    def can(self, action: str, regions: str | Iterable[str] | None = None) -> bool:
        try:
            require(self, action, regions)
        except Refused:
            return False
        return True

    def may_edit_region(self, region: str | None) -> bool:
        """Whether records of ``region`` (None: national) are this person's to change."""
        return self.can(EDIT, region)


NO_VERIFIED_EMAIL = "no verified e-mail"


def display_name(name: str) -> str:
    """A name as labels and the access log show it: one line, no "@" (it reads " at ") and no
    round brackets (square ones instead), so a name never looks like an e-mail in brackets."""
    text = str(name or "").replace("@", " at ").replace("(", "[").replace(")", "]")
    return " ".join(text.split())


def actor(who: str | User) -> User:
    """A :class:`User` for ``who``: a plain name is the local mode or the command line (admin)."""
    if isinstance(who, User):
        return who
    return User(name=str(who or "").strip(), role=ADMIN)


def _regions(regions: str | Iterable[str] | None) -> tuple[str, ...]:
    if regions is None:
        return ()
    if isinstance(regions, str):
        regions = [r for r in regions.split(";")]
    return tuple(r.strip() for r in regions if r and r.strip())


def require(who: str | User, action: str, regions: str | Iterable[str] | None = None, *,
            what: str = "records", log: Callable[[Refused], None] | None = None) -> User:
    """Refuse (raise :class:`feedback.errors.Refused`) unless the person may do ``action``.

    ``regions`` are the regions of the record concerned (a tracker item's tags,
    an event's or a partnership's region); empty means a national record.
    ``what`` names the records in the message ("responses", "audits"). ``log`` is
    called with the refusal before it is raised: pass
    ``feedback.access_log.refusals(engine)`` to write it to the access log in its
    own transaction (so call this before writing anything). The log is passed in
    so that this module stays below the database and the log. Returns the
    :class:`User`.
    """
    if log is not None and not callable(log):
        raise TypeError("log is a function given the refusal, such as access_log.refusals(engine).")
    user = actor(who)
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}.")
    regions = _regions(regions)
    message = None
    if action in ADMIN_ONLY:
        if user.role != ADMIN:
            message = f"Only admins can {ADMIN_ONLY[action].format(what=what)}: ask an admin to do it."
    elif user.role == VIEWER:
        message = f"Only editors can change {what}: ask an admin for access."
    elif user.role == REGIONAL_LEAD and user.region not in regions:
        where = ("national (not tagged with a region)" if not regions
                 else "for " + " and ".join(regions))
        message = (f"As regional lead for {user.region} you can change only {user.region}'s {what}; "
                   f"this is {where}. Ask an admin or an editor.")
    if message is None:
        return user
    err = Refused(message, user=user, action=action, regions=regions)
    if log is not None:
        log(err)
    raise err


# --------------------------------------------------------------------------- roles from configuration


def parse_role(spec: str) -> tuple[str, str | None]:
    """ "editor" -> ("editor", None); "regional lead: London" -> ("regional lead", "London")."""
    text = " ".join(str(spec).replace("_", " ").split()).casefold()
    if text in (VIEWER, EDITOR, ADMIN):
        return text, None
    head, sep, tail = str(spec).partition(":")
    if sep and " ".join(head.replace("_", " ").split()).casefold() == REGIONAL_LEAD:
        region = normalise_region(tail.strip())
        if region is None:
            raise InputError(f"Role '{spec}': '{tail.strip()}' is not one of the nine English regions "
                             f"({', '.join(REGIONS)}).")
        return REGIONAL_LEAD, region
    raise InputError(f"Role '{spec}' is not one of: viewer, editor, admin, 'regional lead: REGION'.")


@dataclass(frozen=True)
class RoleRules:
    """Who gets which role when they sign in (the ``[roles]`` section of the secrets)."""

    people: Mapping[str, str] = field(default_factory=dict)        # e-mail (any case) -> role
    default: str = VIEWER                                           # everyone else who signs in
    claim: str = ""                                                 # ID-token claim naming roles or groups
    claim_roles: Mapping[str, str] = field(default_factory=dict)    # claim value -> role
    emails_verified: bool = False                                   # the provider's e-mails are all verified

    def verified_email(self, claims: Mapping[str, Any]) -> str:
        """The token's e-mail if it may be trusted (``email_verified`` true, or the deployment
        says every e-mail from its provider is verified), else ""."""
        email = _clean(claims.get("email"))
        if not email:
            return ""
        flag = claims.get("email_verified")
        verified = flag is True or (isinstance(flag, str) and flag.strip().casefold() == "true")
        return email if verified or self.emails_verified else ""

    def role_for(self, claims: Mapping[str, Any]) -> tuple[str, str | None]:
        found = [parse_role(self.default)]
        email = self.verified_email(claims).casefold()
        people = {k.casefold(): v for k, v in self.people.items()}
        if email and email in people:
            found.append(parse_role(people[email]))
        if self.claim:
            values = claims.get(self.claim) or []
            values = [values] if isinstance(values, str) else list(values)
            found += [parse_role(self.claim_roles[v]) for v in map(str, values) if v in self.claim_roles]
        return max(found, key=lambda rr: ROLES.index(rr[0]))


def role_rules(section: Mapping[str, Any] | None) -> RoleRules:
    """Read and check the ``[roles]`` section; every problem in one ``InputError``.

    ``[roles] default = "viewer"``, ``[roles.people] "a@b.org" = "admin"``,
    ``claim = "roles"``, ``[roles.claim_roles] "Feedback.Editor" = "editor"`` and
    ``emails_verified = true`` (only for a provider whose e-mails are all verified, e.g. a
    single-tenant Entra ID whose tokens carry no ``email_verified``).
    """
    section = dict(section or {})
    unknown = sorted(set(section) - {"default", "people", "claim", "claim_roles", "emails_verified"})
    problems = [f"unknown setting(s) {', '.join(unknown)}"] if unknown else []
    emails_verified = section.get("emails_verified", False)
    if not isinstance(emails_verified, bool):
        problems.append("emails_verified must be true or false (no quotes)")
        emails_verified = False
    rules = RoleRules(people=dict(section.get("people") or {}), default=str(section.get("default", VIEWER)),
                      claim=str(section.get("claim") or ""), claim_roles=dict(section.get("claim_roles") or {}),
                      emails_verified=emails_verified)
    for spec in [rules.default, *rules.people.values(), *rules.claim_roles.values()]:
        try:
            parse_role(spec)
        except InputError as err:
            problems.append(str(err))
    if problems:
        raise InputError("The [roles] section of .streamlit/secrets.toml: " + "; ".join(problems) + ".")
    return rules


def signed_in_user(claims: Mapping[str, Any], rules: RoleRules) -> User:
    """The :class:`User` for a signed-in person's ID-token claims (``st.user``).

    Only a verified e-mail (:meth:`RoleRules.verified_email`) is kept: an unverified one
    gives no role and is not shown as theirs. The name is the token's display name as
    :func:`display_name` shows it (no "@", no round brackets)."""
    email = rules.verified_email(claims)
    name = display_name(_clean(claims.get("name") or claims.get("preferred_username") or email or claims.get("sub")))
    role, region = rules.role_for(claims)
    return User(name=name[:200], email=email, role=role, region=region, signed_in=True)


def _clean(value: Any) -> str:
    """One line of plain text, at most 200 characters (what history's columns hold)."""
    return " ".join(str(value or "").split())[:200]

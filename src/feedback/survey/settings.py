"""The survey settings a person chooses once and every figure uses: interval method,
confidence level, small-base rules, multiple-comparison adjustment and test.

One value (``Settings``) with one set of defaults, passed whole from the pages, the
command line and the report annex down to the survey page model. Each option set
is an enum whose members carry the words users read. Adding a setting means a
field here (with its command-line option) and its control in ``ui/survey_ui.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass
from enum import Enum

from feedback.errors import InputError
from feedback.intervals import SmallBase, check_base


class Choice(Enum):
    """An option: the value the engine takes and the label users read."""

    def __new__(cls, value, label: str):
        member = object.__new__(cls)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def values(cls) -> list:
        return [m.value for m in cls]

    @classmethod
    def label_of(cls, value) -> str:
        """The label of ``value``, or the value itself when it is not one of the options."""
        try:
            return cls(value).label
        except ValueError:
            return str(value)


class Method(Choice):
    WILSON = "wilson", "Wilson (recommended)"
    CLOPPER_PEARSON = "clopper-pearson", "Clopper–Pearson (exact)"
    JEFFREYS = "jeffreys", "Jeffreys"
    AGRESTI_COULL = "agresti-coull", "Agresti–Coull"
    LOGIT = "logit", "Logit (design-based)"
    BETA = "beta", "Korn–Graubard beta (design-based)"
    MEAN = "mean", "Wald on the design (mean)"


class Level(Choice):
    P90 = 0.90, "90%"
    P95 = 0.95, "95%"
    P99 = 0.99, "99%"

    @classmethod
    def label_of(cls, value) -> str:
        try:
            return cls(float(value)).label
        except (TypeError, ValueError):
            return f"{value:.0%}" if isinstance(value, float) else str(value)


class Adjust(Choice):
    HOLM = "holm", "Holm"
    BH = "bh", "Benjamini–Hochberg"
    NONE = "none", "None"


class SignificanceTest(Choice):
    DESIGN = "design", "Design-based t test (recommended)"
    RAO_SCOTT = "rao-scott", "Rao-Scott chi-squared test (R's svychisq)"
    EFFECTIVE_BASE = "effective-base", "z test on effective bases (tab-book convention)"


class Base(Choice):
    """Which count a small-base rule applies to."""

    N = "n", "Unweighted base"
    N_EFF = "n_eff", "Effective base"


_BASE_WORDS = {"n": "unweighted", "n_eff": "effective"}  # as typed on the command line


@dataclass(frozen=True)
class Settings:
    """The survey settings, with the app's defaults (the pages' and the command line's)."""

    method: str = Method.WILSON.value
    level: float = Level.P95.value
    suppress: int = 10          # bases below this are suppressed [c]
    flag: int = 30              # bases below this are flagged low reliability [u]
    suppress_on: str = Base.N.value
    flag_on: str = Base.N.value
    adjust: str = Adjust.HOLM.value
    test: str = SignificanceTest.DESIGN.value

    def __post_init__(self):
        for name, kind in (("method", Method), ("adjust", Adjust), ("test", SignificanceTest)):
            if getattr(self, name) not in kind.values():
                raise InputError(f"unknown {name} {getattr(self, name)!r}: use one of {', '.join(kind.values())}")
        object.__setattr__(self, "level", float(self.level))
        object.__setattr__(self, "suppress", int(self.suppress))
        object.__setattr__(self, "flag", int(self.flag))
        object.__setattr__(self, "suppress_on", check_base(self.suppress_on))
        object.__setattr__(self, "flag_on", check_base(self.flag_on))

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def small_base(self) -> SmallBase:
        """The small-base rules as the engine takes them."""
        return SmallBase(suppress=self.suppress, flag=self.flag, suppress_on=self.suppress_on, flag_on=self.flag_on)

    @property
    def thresholds(self) -> tuple[int, int, str, str]:
        """The small-base rules as the charts take them: (suppress, flag, suppress_on, flag_on)."""
        return self.suppress, self.flag, self.suppress_on, self.flag_on

    def engine(self) -> dict:
        """The keywords of the statistics functions (``rates_by_group``, ``tab_book``), which mirror R's."""
        return {"method": self.method, "level": self.level, "small_base": self.small_base, "adjust": self.adjust,
                "test": self.test}

    def options(self) -> list[str]:
        """The command-line options that give these settings (defaults left out, but method and level)."""
        default = DEFAULT_SETTINGS
        parts = [f"--method {self.method}", f"--level {self.level:g}"]
        if (self.suppress, self.flag) != (default.suppress, default.flag):
            parts.append(f"--small-base {self.suppress},{self.flag}")
        if (self.suppress_on, self.flag_on) != (default.suppress_on, default.flag_on):
            parts.append(f"--small-base-on {_BASE_WORDS[self.suppress_on]},{_BASE_WORDS[self.flag_on]}")
        if self.adjust != default.adjust:
            parts.append(f"--adjust {self.adjust}")
        if self.test != default.test:
            parts.append(f"--test {self.test}")
        return parts

    @classmethod
    def add_arguments(cls, parser, *, method: bool = True, where: str = "") -> None:
        """The settings' command-line options (``from_args`` reads them back). ``method``: offer
        ``--method`` (a command that shows no interval leaves it out); ``where``: words for the
        small-base help."""
        d = cls()
        if method:
            parser.add_argument("--method", default=d.method, choices=Method.values())
        parser.add_argument("--level", type=float, default=d.level, help="confidence level, e.g. 0.90, 0.95, 0.99")
        small_base_arguments(parser, where=where)
        parser.add_argument("--adjust", default=d.adjust, choices=Adjust.values(),
                            help=f"multiple-comparison adjustment of the tests (default {d.adjust})")
        parser.add_argument("--test", default=d.test, choices=SignificanceTest.values(),
                            help="design: design-based t test as R survey's svyttest, by Rao-Scott where a side is "
                                 "at 0%% or 100%% (default); rao-scott: Rao-Scott F test as R's svychisq(statistic = "
                                 "\"F\"); effective-base: pooled z test on Kish effective bases (the tab-book "
                                 "convention)")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Settings:
        """The settings of parsed command-line arguments (``add_arguments``'s)."""
        d = cls()
        rules = parse_small_base(getattr(args, "small_base", f"{d.suppress},{d.flag}"),
                                 getattr(args, "small_base_on", "unweighted"))
        return cls(method=getattr(args, "method", None) or d.method, level=getattr(args, "level", d.level),
                   suppress=rules.suppress, flag=rules.flag, suppress_on=rules.suppress_on, flag_on=rules.flag_on,
                   adjust=getattr(args, "adjust", d.adjust), test=getattr(args, "test", d.test))


DEFAULT_SETTINGS = Settings()  # frozen: the one set of defaults, shared


def small_base_arguments(parser, *, where: str = "") -> None:
    """``--small-base`` and ``--small-base-on``, the same for every command that shows rates."""
    d = DEFAULT_SETTINGS
    parser.add_argument("--small-base", default=f"{d.suppress},{d.flag}", metavar="SUPPRESS,FLAG",
                        help=f"bases below SUPPRESS{where} shown as [c], below FLAG as [u] "
                             f"(default {d.suppress},{d.flag})")
    parser.add_argument("--small-base-on", default="unweighted", metavar="SUPPRESS_BASE,FLAG_BASE",
                        help="apply the small-base rules to the unweighted or the effective base, e.g. "
                             "unweighted,effective (default unweighted for both)")


def parse_small_base(text: str, on: str = "unweighted") -> SmallBase:
    """'10,30' (and 'unweighted,effective') -> SmallBase(suppress=10, flag=30, suppress_on="n", flag_on="n_eff")."""
    bases = [b.strip() for b in str(on or "unweighted").split(",")]
    if len(bases) not in (1, 2):
        raise InputError(f"--small-base-on {on!r}: give one base, or two as SUPPRESS_BASE,FLAG_BASE "
                         "(unweighted or effective), e.g. unweighted,effective")
    suppress_on, flag_on = (check_base(b) for b in (bases * 2)[:2])
    parts = [p.strip() for p in str(text).split(",")]
    try:
        suppress, flag = (int(p) for p in parts)
    except ValueError:
        raise InputError(f"--small-base {text!r} must be two whole numbers, SUPPRESS,FLAG (e.g. 10,30)") from None
    if suppress < 0 or flag < suppress:
        raise InputError(f"--small-base {text!r}: need 0 <= suppress <= flag (e.g. 10,30)")
    return SmallBase(suppress=suppress, flag=flag, suppress_on=suppress_on, flag_on=flag_on)

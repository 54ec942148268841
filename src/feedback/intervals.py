"""How sure a percentage is: confidence intervals for proportions, vectorised over
any array shape, and the small-base rules ([c] suppressed, [u] low reliability).

Shared by the survey and the audits (both show shares with intervals under the
same rules), so it sits below both and imports neither.

Two families, one entry point (:func:`proportion_interval`):

* binomial intervals on an effective base (``wilson``, ``clopper-pearson``,
  ``jeffreys``, ``agresti-coull``): the base is the Kish effective n when the
  data are weighted; with equal weights they are statsmodels'
  ``proportion_confint``, except Jeffreys at x = 0 and x = n, where the bound
  is 0 (or 1) with Brown, Cai & DasGupta's correction while statsmodels gives
  the plain beta quantile;
* design-based intervals from the linearisation standard error (``logit``,
  ``beta`` = Korn-Graubard, ``mean``): the formulas of R ``survey``'s
  ``svyciprop`` (see tests/fixtures and the reference README), so weighted
  results match the field's reference implementation. Where p is 0 or 1
  they are not defined (no variation); Clopper-Pearson on the Kish
  effective base is used there instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# scipy.special, not scipy.stats: the same boost/cephes functions that scipy.stats calls, without
# importing scipy.stats (about 1 s of CPU at a server's first page).
from scipy.special import betainccinv, betaincinv, expit, logit, ndtri, stdtrit

from feedback.errors import InputError

BINOMIAL_METHODS = ("wilson", "clopper-pearson", "jeffreys", "agresti-coull")
DESIGN_METHODS = ("logit", "beta", "mean")
METHODS = BINOMIAL_METHODS + DESIGN_METHODS

_ALIASES = {
    "clopper_pearson": "clopper-pearson", "exact": "clopper-pearson", "cp": "clopper-pearson",
    "agresti_coull": "agresti-coull", "korn-graubard": "beta", "korn_graubard": "beta",
    "wald": "mean",
}


def check_method(method: str) -> str:
    """Return the canonical method name, or raise InputError naming the choices."""
    key = str(method).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in METHODS:
        raise InputError(f"unknown interval method {method!r}: use one of {', '.join(METHODS)}")
    return key


def check_level(level: float) -> float:
    """Return a confidence level in (0, 1); 90, 95, 99 (50 to 100) are read as percentages."""
    try:
        value = float(level)
    except (TypeError, ValueError):
        raise InputError(f"confidence level {level!r} is not a number: use e.g. 0.95") from None
    if 50 <= value < 100:
        value /= 100
    if not 0 < value < 1:
        raise InputError(f"confidence level {level!r} must be between 0 and 1, e.g. 0.95")
    return value


def _out(low: np.ndarray, high: np.ndarray):
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def _binomial(x, n, method: str, alpha: float, q=None):
    """Binomial-family interval for x successes out of n (both may be non-integer).

    ``q`` is the proportion when the caller has it (x / n can differ from it in
    the last bit, and p must stay inside its interval).
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    x, n = np.broadcast_arrays(x, n)
    valid = np.isfinite(x) & np.isfinite(n) & (n > 0)
    n_safe = np.where(valid, n, 1.0)
    x_safe = np.where(valid, np.clip(x, 0.0, n_safe), 0.0)
    q = x_safe / n_safe if q is None else np.where(valid, np.clip(np.broadcast_to(q, x.shape), 0, 1), 0.0)
    crit = -ndtri(alpha / 2)  # norm.isf
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wilson":
            crit2 = crit**2
            denom = 1 + crit2 / n_safe
            center = (q + crit2 / (2 * n_safe)) / denom
            dist = crit * np.sqrt(q * (1.0 - q) / n_safe + crit2 / (4.0 * n_safe**2)) / denom
            low, high = center - dist, center + dist
        elif method == "agresti-coull":
            n_c = n_safe + crit**2
            q_c = (x_safe + crit**2 / 2.0) / n_c
            dist = crit * np.sqrt(q_c * (1.0 - q_c) / n_c)
            low, high = q_c - dist, q_c + dist
        else:
            # Beta quantile form: works for the non-integer counts of weighted data.
            shift = 0.5 if method == "jeffreys" else 0.0
            a_low, b_low = x_safe + shift, n_safe - x_safe + 1 - shift
            a_high, b_high = x_safe + 1 - shift, n_safe - x_safe + shift
            # Below a count of 1e-10 the lower quantile is 0 to any precision
            # (it is below (alpha/2)^1e10), and scipy would overflow computing it.
            tiny_a, tiny_b = a_low < 1e-10, b_high < 1e-10
            low = betaincinv(np.where(tiny_a, 1.0, a_low), b_low, alpha / 2)  # beta.ppf
            high = betainccinv(a_high, np.where(tiny_b, 1.0, b_high), alpha / 2)  # beta.isf
            # At 0 or n the interval reaches the boundary (Clopper-Pearson by
            # definition; Jeffreys with Brown, Cai & DasGupta's correction so
            # that p always lies inside its interval).
            low = np.where((q == 0) | tiny_a, 0.0, low)
            high = np.where((q == 1) | tiny_b, 1.0, high)
    # Every method contains p in exact arithmetic; this only removes floating-point
    # slips at extreme inputs (e.g. a beta quantile of 1e-12 for p = 1e-300).
    low = np.where(valid, np.clip(np.minimum(low, q), 0.0, 1.0), np.nan)
    high = np.where(valid, np.clip(np.maximum(high, q), 0.0, 1.0), np.nan)
    return low, high


def _design(p, n_eff, se, n, method: str, alpha: float):
    """svyciprop's logit, beta (Korn-Graubard) and mean intervals."""
    p, n_eff, se, n = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (p, n_eff, se, n)))
    valid = np.isfinite(p) & np.isfinite(se) & np.isfinite(n_eff) & (n_eff > 0)
    var = se**2
    # With no variation (p of 0 or 1) the design formulas degenerate; the
    # interval then runs from the boundary as Clopper-Pearson's does on the
    # Kish effective base, which is what a reader of "0%" needs.
    degenerate = valid & ((p <= 0) | (p >= 1) | (var <= 0))
    inner = valid & ~degenerate
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = -stdtrit(np.where(n > 1, n - 1, np.nan), alpha / 2)  # t.isf
        if method == "mean":
            low, high = p - t * se, p + t * se
        elif method == "logit":
            half = t * se / (p * (1 - p))
            low, high = expit(logit(p) - half), expit(logit(p) + half)
        else:  # beta, Korn-Graubard: effective n from the design variance
            ne = np.where(inner, p * (1 - p) / var, 1.0)
            x = ne * np.where(inner, p, 0.5)
            low = betaincinv(x, ne - x + 1, alpha / 2)  # beta.ppf
            high = betaincinv(x + 1, ne - x, 1 - alpha / 2)  # beta.ppf
    edge_low, edge_high = _binomial(np.clip(p, 0, 1) * n_eff, n_eff, "clopper-pearson", alpha)
    low = np.where(inner, np.clip(np.minimum(low, p), 0.0, 1.0), np.where(degenerate, edge_low, np.nan))
    high = np.where(inner, np.clip(np.maximum(high, p), 0.0, 1.0), np.where(degenerate, edge_high, np.nan))
    return low, high


def proportion_interval(p, n_eff, method: str = "wilson", level: float = 0.95, *, se=None, n=None):
    """Interval (low, high) for proportions ``p`` on effective bases ``n_eff``.

    Arrays broadcast; scalars give floats. Binomial methods use ``p * n_eff``
    as the (possibly non-integer) count. Design methods use ``se`` (the
    linearisation standard error) and ``n`` (unweighted base, for the t
    quantile's n - 1 degrees of freedom); without them they assume simple
    random sampling: se = sqrt(p(1-p)/n_eff), n = n_eff. Bounds lie in [0, 1]
    (R's ``mean`` interval can leave it; here it is clipped). NaN where the
    base is empty.
    """
    method = check_method(method)
    alpha = 1 - check_level(level)
    p = np.asarray(p, dtype=float)
    n_eff = np.asarray(n_eff, dtype=float)
    if method in BINOMIAL_METHODS:
        with np.errstate(invalid="ignore"):
            return _out(*_binomial(p * n_eff, n_eff, method, alpha, q=p))
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(p * (1 - p) / n_eff) if se is None else np.asarray(se, dtype=float)
    n = n_eff if n is None else np.asarray(n, dtype=float)
    return _out(*_design(p, n_eff, se, n, method, alpha))


def count_interval(count, nobs, method: str = "wilson", level: float = 0.95):
    """Interval for ``count`` successes out of ``nobs`` (unweighted counts, e.g. audits)."""
    method = check_method(method)
    alpha = 1 - check_level(level)
    count = np.asarray(count, dtype=float)
    nobs = np.asarray(nobs, dtype=float)
    if method in BINOMIAL_METHODS:
        return _out(*_binomial(count, nobs, method, alpha))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = count / nobs
    return proportion_interval(p, nobs, method, level)


# --------------------------------------------------------------------------- small-base rules

BASES = {"n": "unweighted base", "n_eff": "effective base"}
_BASE_ALIASES = {"unweighted": "n", "n": "n", "effective": "n_eff", "n_eff": "n_eff", "neff": "n_eff",
                 "effective base": "n_eff", "unweighted base": "n"}


def check_base(base: str) -> str:
    """``n`` (unweighted base) or ``n_eff`` (Kish effective base) from the words a user may type."""
    key = _BASE_ALIASES.get(" ".join(str(base).strip().lower().replace("-", " ").split()))
    if key is None:
        raise InputError(f"unknown base {base!r} for a small-base rule: use unweighted or effective")
    return key


@dataclass(frozen=True)
class SmallBase:
    """Bases below ``suppress`` are shown as [c], below ``flag`` as [u].

    Each rule is applied to the unweighted base (``"n"``, the default) or to
    the Kish effective base (``"n_eff"``): e.g. suppress when n < 10 and flag
    when n_eff < 30, as a weighted cell of 83 respondents can have n_eff 29.
    """

    suppress: int = 10
    flag: int = 30
    suppress_on: str = "n"
    flag_on: str = "n"

    def __post_init__(self):
        object.__setattr__(self, "suppress_on", check_base(self.suppress_on))
        object.__setattr__(self, "flag_on", check_base(self.flag_on))

    def describe(self) -> list[str]:
        """The two rules in words, for notes."""
        return [f"[c] suppressed: {BASES[self.suppress_on]} below {self.suppress} (and any cell with no "
                "respondent of positive weight); a suppressed cell is never tested.",
                f"[u] low reliability: {BASES[self.flag_on]} below {self.flag}."]



DEFAULT_SMALL_BASE = SmallBase()  # frozen: the one default rule (10 and 30, unweighted bases)

def small_base_flags(n, n_eff, small_base: SmallBase) -> tuple[np.ndarray, np.ndarray]:
    """(suppressed, flag text) per cell under the small-base rules; a cell with n = 0 is always [c]."""
    n, n_eff = np.asarray(n, dtype=float), np.asarray(n_eff, dtype=float)
    on = {"n": n, "n_eff": np.nan_to_num(n_eff, nan=0.0)}
    suppressed = (n <= 0) | (on[small_base.suppress_on] < small_base.suppress)
    flag = np.where(suppressed, "[c]", np.where(on[small_base.flag_on] < small_base.flag, "[u]", ""))
    return suppressed, flag

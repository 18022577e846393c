"""The onboarding policy: which outcome each finding leads to, and the thresholds for overlap and personal data.

The defaults live in onboard_policy.yaml next to this module (printed by `provenance onboard-policy`); a user's
policy file sets any subset of its keys and the rest keep their defaults. Outcomes are ordered accept <
conditions < review < reject; the verdict is the worst outcome among the reasons.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from provenance.errors import InputError
from provenance.findings import CODES, SEVERITIES

Outcome = Literal["accept", "conditions", "review", "reject"]
OUTCOMES: tuple[str, ...] = ("accept", "conditions", "review", "reject")
RATED_PII = ("PII_NO_CONSENT", "PII_IN_ANONYMISED")  # judged by the sampled rate (`pii` below), unless in `outcomes`
RATED_BY_SHARE = "DUP_ALREADY_PRESENT"                # judged by the share already in the corpus (`overlap`)
VERDICT_NAMES = {"accept": "accept", "conditions": "accept with conditions", "review": "needs review",
                 "reject": "reject"}


def outcome_rank(outcome: str) -> int:
    return OUTCOMES.index(outcome)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OverlapPolicy(_Model):
    reject_at: float = Field(0.8, gt=0.0, le=1.0)
    conditions_at: float = Field(0.1, gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> "OverlapPolicy":
        if self.conditions_at > self.reject_at:
            raise ValueError(f"conditions_at ({self.conditions_at}) is above reject_at ({self.reject_at}); a share "
                             "between them would be both")
        return self


class PiiPolicy(_Model):
    reject_at_rate: float = Field(0.01, ge=0.0, le=1.0)
    negligible_rate: float = Field(0.001, ge=0.0, le=1.0)


class NoDerivativesPolicy(_Model):
    commercial: Outcome = "reject"
    research: Outcome = "review"


class Policy(_Model):
    version: Literal[1] = 1
    by_severity: dict[str, Outcome]
    outcomes: dict[str, Outcome] = Field(default_factory=dict)
    ignore: list[str] = Field(default_factory=list)
    no_derivatives: NoDerivativesPolicy = Field(default_factory=NoDerivativesPolicy)
    overlap: OverlapPolicy = Field(default_factory=OverlapPolicy)
    pii: PiiPolicy = Field(default_factory=PiiPolicy)

    @field_validator("by_severity")
    @classmethod
    def _every_severity(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(SEVERITIES))
        if unknown:
            raise ValueError(f"unknown severity {', '.join(unknown)}; the severities are {', '.join(SEVERITIES)}")
        missing = [s for s in SEVERITIES if s not in v]
        if missing:
            raise ValueError(f"no outcome for severity {', '.join(missing)}")
        return v

    @field_validator("outcomes")
    @classmethod
    def _known_codes(cls, v: dict[str, str]) -> dict[str, str]:
        _check_codes(list(v))
        return v

    @field_validator("ignore")
    @classmethod
    def _known_ignored(cls, v: list[str]) -> list[str]:
        _check_codes(v)
        return v

    def outcome_of(self, code: str, severity: str, intended_use: str) -> str:
        if code in self.outcomes:
            return self.outcomes[code]
        if code == "LIC_NO_DERIVATIVES":
            return getattr(self.no_derivatives, intended_use)
        return self.by_severity[severity]

    def rule(self, code: str, severity: str) -> str:
        """How the verdict treats a code, in a word (for `provenance onboard-policy --codes`)."""
        if code in self.ignore:
            return "ignored"
        if code in self.outcomes:
            return self.outcomes[code]
        if code in RATED_PII:
            return "by rate"
        if code == RATED_BY_SHARE:
            return "by share"
        if code == "LIC_NO_DERIVATIVES":
            return f"{self.no_derivatives.commercial}/{self.no_derivatives.research}"
        return self.by_severity[severity]

    def recorded(self) -> dict[str, Any]:
        return self.model_dump()


def _check_codes(codes: list[str]) -> None:
    import difflib

    for code in codes:
        if code not in CODES:
            close = difflib.get_close_matches(code, list(CODES), n=1)
            raise ValueError(f"unknown finding code {code!r}" + (f" (did you mean {close[0]}?)" if close else ""))


def default_policy_text() -> str:
    return resources.files("provenance").joinpath("onboard_policy.yaml").read_text(encoding="utf-8")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`: mappings merge key by key (so a policy may set one outcome), other values replace."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


def load_policy(path: str | Path | None = None) -> Policy:
    """The default policy, with the keys of the file at `path` (YAML) on top; InputError names a bad key."""
    data = yaml.safe_load(default_policy_text())
    where = "the default onboarding policy"
    if path is not None:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(f"cannot read the policy file: {e.strerror or e}", where=where,
                             fix="check the path given to --policy; `provenance onboard-policy` prints a template")
        try:
            user = yaml.safe_load(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            raise InputError(f"not valid YAML{f' at line {mark.line + 1}' if mark else ''}: "
                             f"{getattr(e, 'problem', None) or e}", where=where, fix="fix the YAML syntax")
        if user is None:
            user = {}
        if not isinstance(user, dict):
            raise InputError("the policy must be a mapping of keys", where=where,
                             fix="start from `provenance onboard-policy > policy.yaml` and edit the values")
        data = _merge(data, user)
    try:
        return Policy.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "literal_error" and err["loc"][0] == "version":
            message = f"{err.get('input')!r} is not a policy version this tool reads (1)"
        elif err["type"] == "literal_error":
            message = f"{err.get('input')!r} is not an outcome"
        elif err["type"] == "extra_forbidden":
            message = "unknown key"
        raise InputError(f"{key}: {message}" + (f" (and {len(e.errors()) - 1} more problems)"
                                                 if len(e.errors()) > 1 else ""), where=where,
                         fix="outcomes are accept, conditions, review or reject; thresholds are shares between 0 "
                             "and 1; `provenance onboard-policy` prints every key with its default")

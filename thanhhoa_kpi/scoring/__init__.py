"""The pure scoring engine: ND 335/2025/NĐ-CP as this system applies it (SPEC 5).

Standard library and ``decimal`` only, no Django: frozen dataclasses in, frozen
dataclasses (or the stable JSON dicts of SPEC 5.8/5.9) out, :class:`ScoringInputError`
with a stable code and Vietnamese field messages on bad input. Every legal number is a
rule-set parameter (:class:`RuleParams`, parsed from ``fixtures/base/rule_sets.json``).

Map of the modules:

- :mod:`.params` rule-set parameters; :mod:`.legal` citations, subject noun and band
  conditions of a rule set; :mod:`.codes` stable codes and labels;
- :mod:`.tasks` converted sums and a, b, c; :mod:`.leader` d, đ, e and the task score;
- :mod:`.general` general criteria; :mod:`.classify` bands, disqualifiers, QĐ 366;
- :mod:`.period` one official and one period (from items, or from sums added up in bulk);
  :mod:`.rollup` quarter and year;
- :mod:`.quota` the excellence quota; :mod:`.head_unit` head not above unit;
- :mod:`.explain` Vietnamese explanation lines; :mod:`.preview` the JSON interfaces.
"""

from .classify import ClassificationOutcome, band, classify
from .codes import (
    CLASSIFICATION_LABELS,
    Classification,
    Disqualifier,
    PeriodKind,
    QuotaReading,
    QuotaScope,
    Role,
    RollupStatus,
    Status,
)
from .edge_cases import EdgeCases, FullLeave, PostingRule, SmallGroupPolicy, TransferMonths
from .errors import (
    INVALID_INPUT,
    INVALID_RULE_SET,
    MALFORMED_JSON,
    UNKNOWN_RULE_SET,
    ScoringError,
    ScoringInputError,
)
from .general import GeneralInput, GeneralScore, general_score
from .head_unit import HeadCap, cap_head_by_unit
from .leader import TaskScore, UnitCriteria, task_score, unit_result_criterion
from .params import GeneralGroup, RuleParams, RuleSet, SubCriterion, identified, parse_params, parse_rule_sets
from .period import (
    PeriodInput,
    PeriodScore,
    SummedInput,
    SummedWork,
    score_period,
    score_summed,
    summed_shares,
    summed_work,
)
from .preview import parse_json_text, quota_preview, score_preview
from .quota import GroupQuota, QuotaDecision, QuotaEntry, QuotaOutcome, apply_quota, quota_limit
from .rollup import RollupPeriod, RollupResult, exceeded_share_over, rollup
from .rounding import round_half_up
from .tasks import ItemInput, Ratios, TaskShares, TaskSums, converted_sums, task_ratios

__all__ = [
    "EdgeCases",
    "FullLeave",
    "PostingRule",
    "SmallGroupPolicy",
    "TransferMonths",
    "CLASSIFICATION_LABELS",
    "INVALID_INPUT",
    "INVALID_RULE_SET",
    "MALFORMED_JSON",
    "UNKNOWN_RULE_SET",
    "Classification",
    "ClassificationOutcome",
    "Disqualifier",
    "GeneralGroup",
    "GeneralInput",
    "GeneralScore",
    "GroupQuota",
    "HeadCap",
    "ItemInput",
    "PeriodInput",
    "PeriodKind",
    "PeriodScore",
    "QuotaDecision",
    "QuotaEntry",
    "QuotaOutcome",
    "QuotaReading",
    "QuotaScope",
    "Ratios",
    "Role",
    "RollupPeriod",
    "RollupResult",
    "RollupStatus",
    "RuleParams",
    "RuleSet",
    "ScoringError",
    "ScoringInputError",
    "Status",
    "SubCriterion",
    "SummedInput",
    "SummedWork",
    "TaskScore",
    "TaskShares",
    "TaskSums",
    "UnitCriteria",
    "apply_quota",
    "band",
    "cap_head_by_unit",
    "classify",
    "converted_sums",
    "exceeded_share_over",
    "general_score",
    "identified",
    "parse_json_text",
    "parse_params",
    "parse_rule_sets",
    "quota_limit",
    "quota_preview",
    "rollup",
    "round_half_up",
    "score_period",
    "score_preview",
    "score_summed",
    "summed_shares",
    "summed_work",
    "task_ratios",
    "task_score",
    "unit_result_criterion",
]

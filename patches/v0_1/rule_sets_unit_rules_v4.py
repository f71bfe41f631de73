"""Add ND233 version 4, which carries the frame of a public service unit's own rules
(``params.unit_rules``: the fewest points of a general-criteria group, the range of the
reduced value of d, đ and e; ND 233/2026/NĐ-CP Điều 12 khoản 5, issue 14 item 3).

Nothing changes for anyone until a unit's own rules are approved by the bloc authority;
version 3 stays as it was (retired), so appraisals scored with it keep their version and
their copy. A database that already has version 4 (a fresh seed, or an administrator's
own version) is left alone (:mod:`patches.v0_1.rule_sets_v2` applies that rule).
"""

from patches.v0_1 import rule_sets_v2


def execute() -> None:
    rule_sets_v2.execute()

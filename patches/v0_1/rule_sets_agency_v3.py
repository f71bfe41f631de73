"""Add the versions of the shipped rule sets that carry the agency appraisal, the leniency
for a manager who reported corruption and the discipline-timing citation (issue 14):
ND335 and ND233 version 3, QD366 version 4.

What changes for people is ND 233's leniency (``corruption_reported.mitigates``); the agency
numbers equal the decrees' and the citations are text. The versions before stay as they
were (retired): appraisals already scored keep their version number and their copy of the
parameters. A database that already has that version number (a fresh seed, or an
administrator's own version made in the desk) is left alone, as the version 2 patch does
(:mod:`patches.v0_1.rule_sets_v2`, whose rule this applies again).
"""

from patches.v0_1 import rule_sets_v2


def execute() -> None:
    rule_sets_v2.execute()

"""Add version 2 of the shipped rule sets to databases seeded with version 1.

Version 2 (issue 10) adds each rule set's citations and subject noun, ND 233's general
criteria of its Phụ lục I and its 5 December deadline (Điều 15 khoản 1 điểm b), and
QĐ 366's own general criteria and its conditions for each level (Điều 11). Version 1
stays as it was: appraisals already scored keep their version number and their copy of
the parameters. Where the database already has that version number (a fresh seed, or
an administrator's own version 2 made in the desk) nothing is written: the loader keys
on (code, version) and would otherwise overwrite that row.
"""

from thanhhoa_kpi.appraisals.loaders import load_rule_sets
from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file


def execute() -> None:
    rows = read_file(FIXTURES_DIR / "base" / "rule_sets.json")
    taken = RuleSet.objects.filter
    load_rule_sets([row for row in rows if not taken(code=row["code"], version__gte=row["version"]).exists()])

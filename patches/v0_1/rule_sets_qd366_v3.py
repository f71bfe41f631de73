"""Add version 3 of the QD366 rule set to databases that have version 2.

Version 3 (issue 14, item 2) follows QĐ 366-QĐ/TW more closely: "Hoàn thành tốt" and
"Hoàn thành xuất sắc" need the tasks done to quality as well as on time (Điều 11:
"hoàn thành đúng hạn, bảo đảm chất lượng, hiệu quả"; ``max_failed_share`` 0), and the
three groups of general criteria carry the wording of the framework for individuals
(phẩm chất chính trị, đạo đức, lối sống, ý thức tổ chức kỷ luật, trách nhiệm nêu gương;
tư duy đổi mới, chiến lược, khát vọng cống hiến, dám nghĩ, dám làm; tự phê bình và phê
bình, tự soi, tự sửa, khắc phục hạn chế, khuyết điểm). Version 2 stays as it was, retired:
appraisals scored with it keep their version number and their copy of the parameters.
A database that already has a version 3 (a fresh seed, or an administrator's own
version made in the desk, in force or proposed) is left alone, as the version 2 patch
does (:mod:`patches.v0_1.rule_sets_v2`, whose rule this applies again).
"""

from patches.v0_1 import rule_sets_v2


def execute() -> None:
    rule_sets_v2.execute()

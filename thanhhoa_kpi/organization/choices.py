"""Enumerations of the org model (SPEC 3.1–3.3)."""

from django.db import models


class Bloc(models.TextChoices):
    DANG = "DANG", "Khối Đảng"
    CHINH_QUYEN = "CHINH_QUYEN", "Khối chính quyền"
    MTTQ = "MTTQ", "Khối MTTQ và đoàn thể"


class Level(models.TextChoices):
    TINH = "TINH", "Cấp tỉnh"
    XA = "XA", "Cấp xã"


class UnitKind(models.TextChoices):
    TINH_UY = "TINH_UY", "Tỉnh ủy"
    BAN_DANG = "BAN_DANG", "Ban Đảng"
    DANG_UY = "DANG_UY", "Đảng ủy"
    UBND_TINH = "UBND_TINH", "UBND tỉnh"
    SO = "SO", "Sở, ngành"
    VAN_PHONG = "VAN_PHONG", "Văn phòng"
    THANH_TRA = "THANH_TRA", "Thanh tra"
    PHONG = "PHONG", "Phòng"
    UBND_XA = "UBND_XA", "UBND xã/phường"
    HDND = "HDND", "HĐND"
    MTTQ = "MTTQ", "Ủy ban MTTQ"
    DOAN_THE = "DOAN_THE", "Tổ chức chính trị - xã hội"
    TRUNG_TAM = "TRUNG_TAM", "Trung tâm"
    KHAC = "KHAC", "Khác"


class Category(models.TextChoices):
    CAN_BO = "CAN_BO", "Cán bộ"
    CONG_CHUC = "CONG_CHUC", "Công chức"
    VIEN_CHUC = "VIEN_CHUC", "Viên chức"
    HOP_DONG = "HOP_DONG", "Hợp đồng lao động"


class Gender(models.TextChoices):
    NAM = "NAM", "Nam"
    NU = "NU", "Nữ"
    KHAC = "KHAC", "Khác"


class LeadershipRole(models.TextChoices):
    HEAD = "HEAD", "Người đứng đầu"
    DEPUTY = "DEPUTY", "Cấp phó"
    NONE = "NONE", "Không giữ chức vụ"


class PositionGroup(models.TextChoices):
    LANH_DAO_QUAN_LY = "LANH_DAO_QUAN_LY", "Lãnh đạo, quản lý"
    CHUYEN_MON_NGHIEP_VU = "CHUYEN_MON_NGHIEP_VU", "Chuyên môn, nghiệp vụ"
    HO_TRO_PHUC_VU = "HO_TRO_PHUC_VU", "Hỗ trợ, phục vụ"


class LeaveKind(models.TextChoices):
    MATERNITY = "MATERNITY", "Nghỉ thai sản"
    SICK = "SICK", "Nghỉ ốm"
    TRAINING = "TRAINING", "Đi học, bồi dưỡng"
    OTHER = "OTHER", "Khác"


# Kinds of unit that are a part of the agency (cơ quan, tổ chức, đơn vị) above them rather
# than an agency: a phòng inside a Sở or a UBND xã/phường. The excellence quota counts per
# agency (SPEC 5.6, decided 2026-12), so a phòng's officials count in their agency.
AGENCY_PART_KINDS = frozenset({UnitKind.PHONG.value})

"""A realistic day of events from the e-office (``vpdt``) and one-stop-shop (``motcua``)
systems for the demo's officials, signed as the real senders sign them.

The day is fixed by its date (same date, same events, same ``event_id``): sending a day
twice shows the idempotency key at work (every event answered as the first time). Among
the events are some no rule matches (an invitation, an unusual procedure, work of the
science department's official, whose catalogue has no rule) and one whose handler code is
in no record, so the HR queue has something to settle.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from thanhhoa_kpi.integrations import signing

E_OFFICE, ONE_STOP = "vpdt", "motcua"
UNKNOWN_CODE = "CBCCVC-9900001"

# (handler code, e-mail or "", documents in the e-office, dossiers in the one-stop shop)
PEOPLE = [
    ("DEMO0001", "", ["CONG_VAN", "KE_HOACH", "GIAY_MOI"], ["1.001029", "1.003645"]),
    ("", "demo_hr@demo.thanhhoa.gov.vn", ["CONG_VAN", "BAO_CAO"], ["1.001193", "1.001193", "2.000986"]),
    ("DEMO0002", "", ["BAO_CAO"], []),
    ("DEMO0007", "", ["CONG_VAN"], []),
    (UNKNOWN_CODE, "", ["CONG_VAN"], ["1.001193"]),
]
TITLES = {
    "CONG_VAN": ["V/v đôn đốc triển khai phong trào toàn dân đoàn kết xây dựng đời sống văn hóa",
                 "V/v rà soát số liệu thống kê tháng", "V/v phối hợp tổ chức ngày hội đại đoàn kết"],
    "KE_HOACH": ["Kế hoạch tổ chức giải thể thao phường", "Kế hoạch tuyên truyền cải cách hành chính"],
    "BAO_CAO": ["Báo cáo kết quả công tác tuần", "Báo cáo tình hình thực hiện nhiệm vụ tháng"],
    "GIAY_MOI": ["Giấy mời dự họp giao ban khối văn hóa - xã hội"],
    "1.001029": ["Thông báo tổ chức lễ hội truyền thống"], "1.003645": ["Thông báo sản phẩm quảng cáo trên bảng"],
    "1.001193": ["Đăng ký khai sinh"], "2.000986": ["Xác nhận tình trạng hôn nhân"],
}  # fmt: skip


@dataclass(frozen=True)
class Outgoing:
    source: str
    body: bytes


def day_events(day: date) -> list[Outgoing]:
    """The events of ``day`` as signed-request bodies, e-office first."""
    rng = random.Random(day.toordinal())
    events: list[tuple[str, dict[str, Any]]] = []
    for code, email, documents, dossiers in PEOPLE:
        handler = {"handler_code": code} if code else {"handler_email": email}
        for kind in documents:
            number = f"{rng.randint(100, 999)}/UBND-{'VHXH' if kind != 'BAO_CAO' else 'VP'}"
            events.append((E_OFFICE, {
                "document_kind": "VAN_BAN_DI" if kind != "GIAY_MOI" else "VAN_BAN_DEN", "type_code": kind,
                "document_number": number, "title": rng.choice(TITLES[kind]), "on_time": rng.random() > 0.15,
                "link": f"https://vpdt.thanhhoa.gov.vn/van-ban/{number.replace('/', '-')}", **handler,
            }))  # fmt: skip
        for procedure in dossiers:
            number = f"H56.{rng.randint(10, 99)}-{day:%y%m%d}-{rng.randint(1, 9999):04d}"
            events.append((ONE_STOP, {
                "document_kind": "HO_SO", "type_code": procedure, "document_number": number,
                "title": rng.choice(TITLES[procedure]), "on_time": rng.random() > 0.1, **handler,
            }))  # fmt: skip
    out = []
    for index, (source, payload) in enumerate(events, start=1):
        payload = {"event_id": f"{source}-{day:%Y%m%d}-{index:03d}", "date": day.isoformat(), **payload}
        out.append(Outgoing(source, json.dumps(payload, ensure_ascii=False).encode("utf-8")))
    return out


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {"X-KPI-Timestamp": timestamp, "X-KPI-Signature": signing.signature(secret, timestamp, body)}

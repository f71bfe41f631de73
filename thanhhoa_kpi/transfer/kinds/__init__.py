"""One planner-and-exporter module per importable kind, keyed like :data:`~thanhhoa_kpi.transfer.specs.SPECS`."""

from thanhhoa_kpi.transfer.kinds import cbccvc, frameworks, officials, positions, units
from thanhhoa_kpi.transfer.kinds.base import Kind

HANDLERS: dict[str, Kind] = {
    "org_units": units,
    "officials": officials,
    "positions": positions,
    "competency_frameworks": frameworks,
    "cbccvc": cbccvc,
}

"""The embedded SQLite demo's database backend (``ENGINE = "thanhhoa_kpi.core.sqlite"``)."""

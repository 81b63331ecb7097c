"""The rules of what users record about implementation, as pure functions
``validate_<entity>(context, data) -> list[Problem]`` (issue 14): no actor, no writes, no query
once the context is built. The services call them and raise the errors; the workbook's check
and the pages show their answer."""

from .progress import ReportContext, ReportData, validate_progress_report

__all__ = ["ReportContext", "ReportData", "validate_progress_report"]

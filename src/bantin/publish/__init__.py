"""Publishing: the plan of a publish, content keys, the record (``record``, ``manifest``),
where it lives and who may write it (``store``), ``verify``, reports and the republish planner.

Imports neither WeasyPrint nor pikepdf at module level (``record``, ``store`` and
``verify`` stay light), so the portal and the CLI read a record cheaply.
"""

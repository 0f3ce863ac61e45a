"""Publishing: the plan of a publish, content keys, the record (manifest), reports and the republish planner.

Imports neither WeasyPrint nor pikepdf at module level, so the portal and the
CLI read a record cheaply.
"""

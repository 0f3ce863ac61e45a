"""Print: profiles, the safe URL fetcher, HTML, PDF/UA post-processing, previews and isolated rendering.

Importing this package is cheap; WeasyPrint and pikepdf load only in the
modules that render.
"""

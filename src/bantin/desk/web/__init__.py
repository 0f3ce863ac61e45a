"""The desk's web layer (Starlette): sessions, CSRF, roles per route, and the pages, split by concern.

* :mod:`.i18n`     the desk's own gettext catalog (``desk.pot``; msgids Vietnamese) and its Jinja environment
* :mod:`.security` signed session cookies, CSRF tokens, security headers
* :mod:`.core`     the one decorator every route goes through (CSRF, login, role), page rendering
* :mod:`.auth`     login and logout
* :mod:`.bulletins` list, new bulletin, draft form, preview, submit, publish, retract, restore, accept a reading
* :mod:`.runs`     a run's progress, live (JSON for the small script, meta refresh without it)
* :mod:`.admin`    users and schedules (admins)
* :mod:`.audit`    the audit log of a bulletin
"""

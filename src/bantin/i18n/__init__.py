"""Localization: locale configs, gettext catalogs, coverage, and the localized variant of a bulletin.

Depends on :mod:`bantin.content` only; render and speech consume its
:class:`~bantin.i18n.localize.Variant`.
"""

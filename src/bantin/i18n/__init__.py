"""Localization: locale configs, gettext catalogs, coverage, and the localized variant of a bulletin.

Modules, in dependency order: ``locales`` (locale configs), ``checks`` (what a
catalog must pass before use: syntax, charset, placeholders), ``catalogs`` (catalog
paths, reading and writing), ``templates`` (what is translatable), ``coverage``,
``translations`` (runtime lookups), ``commands`` (``bantin i18n`` extract /
update / compile / status) and ``localize`` (the :class:`~bantin.i18n.localize.Variant`).

Depends on :mod:`bantin.content` only; render and speech consume the variant.
"""

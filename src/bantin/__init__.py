"""bantin: publish one source bulletin as localized, accessible PDFs and loudspeaker readings.

The library is plain Python in subpackages by stage, and data flows one way::

    content → i18n → render / speech → publish → portal

:mod:`bantin.content` reads raw and YAML bulletins into the model,
:mod:`bantin.i18n` turns a bulletin into a localized variant,
:mod:`bantin.render` prints PDFs, :mod:`bantin.speech` reads aloud,
:mod:`bantin.publish` plans a publish and keeps its record, and
:mod:`bantin.portal` serves what the record lists.  The library never imports
Prefect: the Prefect layer is :mod:`bantin.flows` (the top-level ``flows/``
folder of the source tree).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bantin")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+source"

__all__ = ["__version__"]

"""bantin's Prefect layer, installed as :mod:`bantin.flows`.

The flows (:mod:`bantin.flows.flow`), the thin tasks (:mod:`bantin.flows.tasks`),
deployment serving (:mod:`bantin.flows.deploy`) and Prefect's settings
(:mod:`bantin.flows.prefect_env`).  They only wire the library together.

This folder is never importable under the bare name ``flows``: many Prefect
projects have a ``flows/`` of their own, and PyPI has an unrelated ``flows``.
"""

from __future__ import annotations

if __name__ != "bantin.flows":  # pragma: no cover - exercised by tests/test_layout.py in a subprocess
    raise ImportError(
        f"bantin's Prefect layer was imported as {__name__!r}; import it as 'bantin.flows' "
        "(install bantin with pip, then e.g. 'from bantin.flows.flow import publish_bulletin')"
    )

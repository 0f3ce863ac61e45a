"""Reading bantin's hand-edited YAML data files (noise list, locale configs, deployments).

One place turns a missing file or a YAML syntax error into a one-line
:class:`~bantin.errors.ConfigError` that names the file and says what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bantin.errors import ConfigError

__all__ = ["read_data_file"]


def read_data_file(path: Path, missing: str) -> Any:
    """The parsed YAML of ``path`` (``{}`` for an empty file); ``missing`` says what to do when it is absent."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file. {missing}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or exc
        raise ConfigError(f"{where}: YAML syntax error ({problem}). Check indentation and quoting on that line") from None
    return {} if data is None else data

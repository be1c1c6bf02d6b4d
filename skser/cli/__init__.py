"""The ``skser`` command line, and its configuration checks for use from Python."""

from ..exceptions import ConfigError
from ._config import DEFAULTS, apply_overrides, check_config, load_config
from ._main import main

__all__ = ["DEFAULTS", "ConfigError", "apply_overrides", "check_config", "load_config", "main"]

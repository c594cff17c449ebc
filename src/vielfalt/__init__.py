"""vielfalt — evaluation suite for company diversity competitions."""

from vielfalt.exceptions import (
    ConfigError,
    DataError,
    InstrumentError,
    PipelineError,
    VielfaltError,
    VielfaltWarning,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DataError",
    "InstrumentError",
    "PipelineError",
    "VielfaltError",
    "VielfaltWarning",
    "__version__",
]

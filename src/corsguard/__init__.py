"""corsguard: strict CORS for Python servers, and a browser-exact checker for any server."""

from .config import PROBLEM_CODES, ConfigError, ConfigWarning, CORSConfig, Problem
from .origin import Origin, OriginPattern, parse_origin
from .policy import Decision, Policy, RequestKind

__all__ = [
    "PROBLEM_CODES",
    "CORSConfig",
    "ConfigError",
    "ConfigWarning",
    "Decision",
    "Origin",
    "OriginPattern",
    "Policy",
    "Problem",
    "RequestKind",
    "parse_origin",
]

__version__ = "0.1.0"

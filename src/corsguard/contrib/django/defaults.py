"""django-cors-headers' default methods and request headers, under the names it exports.

Settings files often write `list(default_headers) + [...]`; importing these names from here in
place of `corsheaders.defaults` keeps them working after django-cors-headers is removed. When
only `CORS_*` settings are used, corsguard applies these defaults as django-cors-headers 4.9 does.
"""

from __future__ import annotations

default_headers = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
)

default_methods = (
    "DELETE",
    "GET",
    "OPTIONS",
    "PATCH",
    "POST",
    "PUT",
)

# django-cors-headers' CORS_PREFLIGHT_MAX_AGE default, in seconds.
default_max_age = 86400

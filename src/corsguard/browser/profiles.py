"""Browser profiles: the Fetch standard, and the places where Chromium and Firefox depart from it.

A profile changes only behaviour that a real engine shows differently from the standard; error
names are reported for both engines whatever the profile.
"""

from __future__ import annotations

from dataclasses import dataclass

# Fetch, "CORS-preflight cache": an entry without Access-Control-Max-Age lives 5 seconds.
DEFAULT_MAX_AGE_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Profile:
    """The behaviour switches of one browser."""

    name: str
    # Whether `Access-Control-Allow-Headers: *` covers `Authorization` on non-credentialed requests.
    authorization_under_wildcard: bool
    # Whether the client-hint headers (DPR, Width, ...) are CORS-safelisted.
    chromium_safelist_extras: bool
    # Whether script-set User-Agent headers are dropped as forbidden (Fetch no longer forbids them).
    forbids_user_agent: bool
    # Whether a page with an opaque origin sends `Origin: null` on credentialed no-cors GET and HEAD
    # requests, which Fetch sends without Origin.
    null_origin_on_credentialed_no_cors: bool
    # Whether repeated request header names are merged before the safelist check.
    merge_duplicate_request_headers: bool
    # Maximum lifetime of a preflight cache entry, or None when only the server's value counts.
    max_age_cap_seconds: int | None
    # Whether an unparseable Access-Control-Max-Age still caches for the default 5 seconds.
    cache_unparseable_max_age: bool
    # Most entries a preflight cache keeps (least recently used dropped first), or None.
    max_cache_entries: int | None
    # Whether a new preflight result replaces the cached one for its (origin, URL) instead of
    # adding to it, and the URL length from which results are not cached at all.
    cache_replaces_entries: bool
    max_cached_url_length: int | None
    # Whether an actual response that fails the CORS check clears the cached preflight results.
    failed_response_clears_cache: bool
    # Third-party (cross-site) cookies: "allow", "block" (only Partitioned ones work), or
    # "partition" (each top-level site gets its own cookie jar, as Firefox's Total Cookie Protection).
    third_party_cookies: str
    # Whether a cookie without a SameSite attribute is treated as SameSite=Lax.
    same_site_lax_by_default: bool
    # Console warning shown when `*` lets Authorization through, if the engine shows one.
    authorization_wildcard_warning: str | None = None


SPEC = Profile(
    name="spec",
    authorization_under_wildcard=False,
    chromium_safelist_extras=False,
    forbids_user_agent=False,
    null_origin_on_credentialed_no_cors=False,
    merge_duplicate_request_headers=False,
    max_age_cap_seconds=None,
    cache_unparseable_max_age=True,
    max_cache_entries=None,
    cache_replaces_entries=False,
    max_cached_url_length=None,
    failed_response_clears_cache=True,
    third_party_cookies="allow",
    same_site_lax_by_default=True,
)

# Chromium 156 as observed on loopback, plus services/network/cors/preflight_result.cc.
CHROMIUM = Profile(
    name="chromium",
    authorization_under_wildcard=True,
    chromium_safelist_extras=True,
    forbids_user_agent=True,
    # NOTE: observed in Chromium 150 from a sandboxed iframe (with credentials "include", not with
    # "omit" or the default); the rule behind it is not known.
    null_origin_on_credentialed_no_cors=True,
    merge_duplicate_request_headers=True,
    max_age_cap_seconds=7200,
    cache_unparseable_max_age=True,
    max_cache_entries=None,
    # services/network/public/cpp/cors/preflight_cache.cc: one result per key, keys under 1024 bytes.
    cache_replaces_entries=True,
    max_cached_url_length=1024,
    # Observed in Chromium 150: a later request reuses the entry after a failed actual response.
    failed_response_clears_cache=False,
    third_party_cookies="block",
    same_site_lax_by_default=True,
)

# Firefox, from netwerk/protocol/http/nsCORSListenerProxy.cpp and its preferences.
FIREFOX = Profile(
    name="firefox",
    authorization_under_wildcard=True,
    chromium_safelist_extras=False,
    forbids_user_agent=False,
    null_origin_on_credentialed_no_cors=False,
    merge_duplicate_request_headers=False,
    max_age_cap_seconds=86400,
    cache_unparseable_max_age=False,
    max_cache_entries=100,
    cache_replaces_entries=False,
    max_cached_url_length=None,
    failed_response_clears_cache=True,
    third_party_cookies="partition",
    # Mozilla paused Lax-by-default and relies on Total Cookie Protection instead.
    same_site_lax_by_default=False,
    authorization_wildcard_warning="CORSAllowHeaderFromPreflightDeprecation",
)

PROFILES: dict[str, Profile] = {profile.name: profile for profile in (SPEC, CHROMIUM, FIREFOX)}


def get_profile(name: str) -> Profile:
    """Return the profile called `name`; raise ValueError naming the valid ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown browser profile {name!r}; use one of {', '.join(PROFILES)}") from None

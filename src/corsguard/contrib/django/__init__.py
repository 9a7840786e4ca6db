"""Django integration: add "corsguard.contrib.django" to INSTALLED_APPS and its middleware first.

    INSTALLED_APPS = [..., "corsguard.contrib.django"]
    MIDDLEWARE = ["corsguard.contrib.django.middleware.CORSMiddleware", ...]
    CORSGUARD = {"allow_origins": ["https://app.example.com"], "allow_credentials": True}

Settings come from the one `CORSGUARD` dict, or, for migration, from django-cors-headers'
`CORS_*` names (see `corsguard.contrib.django.conf`). Configuration problems are reported as
Django system checks with stable ids (see `corsguard.contrib.django.checks`).
"""

"""The Django app configuration: registers the system checks and the settings-reload hook."""

from __future__ import annotations

from django.apps import AppConfig


class CorsguardConfig(AppConfig):
    name = "corsguard.contrib.django"
    label = "corsguard"
    verbose_name = "corsguard"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from . import checks, conf

        checks.register()
        setting_changed.connect(conf.on_setting_changed, dispatch_uid="corsguard-settings")

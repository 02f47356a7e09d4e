"""Kept so ``from notices.template_services import template_save`` still works; the writes
for notice templates live in ``notices.services.templates``."""

from .services.templates import template_save

__all__ = ["template_save"]

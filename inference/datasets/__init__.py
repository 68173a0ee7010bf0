"""Builders for adapter training data (run by management commands, never by the runtime)."""

from __future__ import annotations

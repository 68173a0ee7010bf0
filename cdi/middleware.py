from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

log = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware:
    """Django 5.2 has no CSP support (6.0 does); one header from one setting."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class DatabaseUnavailableMiddleware:
    """A database outage answers 503 with a reason instead of a 500 trace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            log.warning("database unavailable: %s", type(exception).__name__)
            response = HttpResponse(
                "The database is unavailable; nothing was saved. Please retry shortly.\n",
                status=503,
                content_type="text/plain",
            )
            response["Retry-After"] = "5"
            return response
        return None

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Load every view module and the ICD-10-CM tables at boot, not on a user's first request.
get_resolver().check()
from cdi.icd10 import icd  # noqa: E402

icd.is_valid_item("A00")

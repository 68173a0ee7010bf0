from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("cdi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _warm_up_before_fork(**_kwargs) -> None:
    from cdi.analysis import warm_up

    warm_up(after_fork=False)


@worker_process_init.connect
def _warm_up_after_fork(**_kwargs) -> None:
    from cdi.analysis import warm_up

    warm_up(after_fork=True)

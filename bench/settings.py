"""The production settings, plus the benchmark's baseline view (`bench/urls.py`).

Only `bench/run.py` uses this module (as DJANGO_SETTINGS_MODULE for gunicorn and its tasks), so
the baseline URL never exists in the portal itself.
"""

from trekkportal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

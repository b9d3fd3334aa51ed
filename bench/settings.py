"""The production settings, plus what only the benchmarks have: the baseline view
(`bench/urls.py`) and the `generate_scale_data` command (`bench` as an app).

Only `bench/run.py` uses this module (as DJANGO_SETTINGS_MODULE for gunicorn, its tasks and the
data generator), so neither the baseline URL nor the generator exists in the portal itself.
"""

from trekkportal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405

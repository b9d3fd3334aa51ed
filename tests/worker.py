"""The task worker in a test: `db_worker --batch` runs what is queued, then returns."""

import signal

from django.core.management import call_command


def run_worker():
    """Runs every queued task (database backend). The worker installs its own SIGINT and
    SIGTERM handlers; they are put back, so Ctrl-C still stops the test run."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)

"""Uploaded lists kept while their uploader answers a question (the full list uploaded again
after delivery: «Last opp som tilleggsliste likevel» or «Avbryt»).

An answer deletes its file. A question never answered (the tab closed) would leave a file of
national IDs behind for ever, so each new one first deletes those older than `KEPT`: by then
the session that named it has ended anyway.
"""

import uuid
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

FOLDER = "trekklister/venter"
KEPT = timedelta(days=1)


def keep(upload):
    """Store the upload under a random name (never the uploader's); the name to find it by."""
    prune()
    upload.seek(0)
    return default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}", upload)


def prune(*, now=None):
    """Delete the kept files older than `KEPT`; how many."""
    if not default_storage.exists(FOLDER):
        return 0
    cutoff = (now or timezone.now()) - KEPT
    deleted = 0
    for name in default_storage.listdir(FOLDER)[1]:
        path = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted

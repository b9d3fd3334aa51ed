"""One upload of the member register's export, from the stored file to the finished import.

A register export has about 100,000 rows: too many to check or import inside a request. The
upload is stored with a row here, the task worker checks it and later imports it
(`deductions/basis/tasks.py`), and the page staff watch reads this row: its status, progress,
counts and the first errors. The work itself is in `deductions/basis/member_import.py`.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# Errors kept on the row (the counts always cover the whole file): enough to correct a file.
ERRORS_KEPT = 1_000
# An import that has not moved for this long is presumed to have lost its worker; staff may
# start it again (safe even when it has not: see `requeue`).
STALLED_AFTER = timedelta(minutes=10)
# A checked file nobody confirms is not kept: it holds every member's national ID. The next
# upload expires the ones left this long (`MemberImport.objects.expire_unconfirmed`).
UNCONFIRMED_KEPT = timedelta(days=7)


class MemberImportQuerySet(models.QuerySet):
    def expire_unconfirmed(self, *, now=None):
        """Checked imports left unconfirmed for `UNCONFIRMED_KEPT`: their files deleted, their
        rows marked expired (a conditional UPDATE, so one confirmed meanwhile is left alone).
        How many expired."""
        cutoff = (now or timezone.now()) - UNCONFIRMED_KEPT
        expired = 0
        for member_import in self.filter(status=MemberImport.Status.READY, updated_at__lt=cutoff):
            claimed = MemberImport.objects.filter(
                pk=member_import.pk, status=MemberImport.Status.READY
            ).update(status=MemberImport.Status.EXPIRED, finished_at=timezone.now())
            if claimed:
                member_import.file.delete(save=False)
                MemberImport.objects.filter(pk=member_import.pk).update(file="")
                expired += 1
        return expired


class MemberImport(models.Model):
    class Status(models.TextChoices):
        CHECKING = "checking", "Kontrolleres"
        INVALID = "invalid", "Har feil"
        READY = "ready", "Klar til import"
        QUEUED = "queued", "I kø for import"
        IMPORTING = "importing", "Importeres"
        DONE = "done", "Importert"
        FAILED = "failed", "Stoppet med feil"
        EXPIRED = "expired", "Utløpt (ikke bekreftet på 7 dager)"

    ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField("fil", upload_to="imports/members/", blank=True)
    file_name = models.CharField("filnavn", max_length=255)
    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.CHECKING
    )
    # Each start of the import task gets the next number; only the run holding the current one
    # may write, so a run presumed dead and started again can never import twice.
    attempt = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField("rader i filen", default=0)
    rows_read = models.PositiveIntegerField("rader lest", default=0)
    member_count = models.PositiveIntegerField("medlemmer", default=0)
    new_count = models.PositiveIntegerField("nye medlemmer", default=0)
    changed_count = models.PositiveIntegerField("endrede medlemmer", default=0)
    stopped_count = models.PositiveIntegerField("stansede medlemmer", default=0)
    unchanged_count = models.PositiveIntegerField("uendrede medlemmer", default=0)
    error_count = models.PositiveIntegerField("rader med feil", default=0)
    errors = models.JSONField("feil", default=list, blank=True)
    failure = models.TextField("stoppet fordi", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="lastet opp av",
    )
    created_at = models.DateTimeField("lastet opp", auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="bekreftet av",
    )
    confirmed_at = models.DateTimeField("bekreftet", null=True, blank=True)
    finished_at = models.DateTimeField("ferdig", null=True, blank=True)
    updated_at = models.DateTimeField("sist endret", auto_now=True)

    objects = MemberImportQuerySet.as_manager()

    class Meta:
        verbose_name = "medlemsimport"
        verbose_name_plural = "medlemsimporter"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def public_ref(self):
        return str(self.ref)

    @property
    def is_running(self):
        """Work is queued or under way: the page refreshes itself."""
        return self.status in (self.Status.CHECKING, self.Status.QUEUED, self.Status.IMPORTING)

    @property
    def is_stalled(self):
        return self.is_running and timezone.now() - self.updated_at > STALLED_AFTER

    @property
    def is_saving(self):
        """Every row is read; the import is writing, in one transaction that shows no progress."""
        return self.status == self.Status.IMPORTING and self.rows_read >= self.rows_total

    def record_progress(self, rows_read):
        """Committed at once (the reading is outside any transaction), for the page to show."""
        MemberImport.objects.filter(pk=self.pk).update(
            rows_read=rows_read, updated_at=timezone.now()
        )
        self.rows_read = rows_read

    def record_summary(self, summary, *, status):
        """The counts and the first errors of a check or an import, and its outcome."""
        self.status = status
        self.rows_read = self.rows_total = summary.row_count
        self.member_count = summary.member_count
        self.new_count = summary.new_count
        self.changed_count = summary.changed_count
        self.stopped_count = summary.stopped_count
        self.unchanged_count = summary.unchanged_count
        self.error_count = len(summary.errors)
        self.errors = summary.errors[:ERRORS_KEPT]
        if status in (self.Status.INVALID, self.Status.DONE):
            self.finished_at = timezone.now()
            # The file holds national IDs: kept only while it may still be imported.
            self.file.delete(save=False)
        self.save()

    def confirm(self, *, user):
        """READY -> QUEUED, once (a conditional UPDATE: a double click queues one import).
        The attempt to pass to the task, or None when it was not ready."""
        attempt = self.attempt + 1
        queued = MemberImport.objects.filter(pk=self.pk, status=self.Status.READY).update(
            status=self.Status.QUEUED,
            attempt=attempt,
            confirmed_by=user,
            confirmed_at=timezone.now(),
            rows_read=0,
            updated_at=timezone.now(),
        )
        return attempt if queued else None

    def recheck(self):
        """A check that stopped (its worker died, or it failed) started again: True when the
        import was still unconfirmed and is CHECKING again."""
        return bool(
            MemberImport.objects.filter(
                pk=self.pk,
                status__in=[self.Status.CHECKING, self.Status.FAILED],
                confirmed_at__isnull=True,
            ).update(
                status=self.Status.CHECKING, rows_read=0, failure="", updated_at=timezone.now()
            )
        )

    def requeue(self):
        """A stalled or failed import queued again under a new attempt: the run presumed dead,
        should it still be alive, finds its attempt outdated and writes nothing. The attempt to
        pass to the task, or None when there is nothing to start again."""
        attempt = self.attempt + 1
        queued = MemberImport.objects.filter(
            pk=self.pk,
            status__in=[self.Status.QUEUED, self.Status.IMPORTING, self.Status.FAILED],
            confirmed_at__isnull=False,
            attempt=self.attempt,
        ).update(
            status=self.Status.QUEUED,
            attempt=attempt,
            rows_read=0,
            failure="",
            updated_at=timezone.now(),
        )
        return attempt if queued else None

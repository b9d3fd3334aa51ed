"""Payments from the bank's OCR giro files (Nets OCR), matched to (employer, period) by KID.

A file read twice is recognised by its SHA-256; a transaction that turns up in two different
files by its key (the bank's settlement numbers, date, KID, amount and payer's account). Neither
is counted twice. Payments whose KID is not ours, or names an employer we do not have, stay
unmatched and are listed for staff.
"""

import hashlib

from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum

from deductions.fields import PeriodField
from deductions.money import ZERO

ALREADY_READ = "Denne filen er allerede lest inn."


class OcrImportManager(models.Manager):
    def read(self, *, content, filename, user=None):
        """Reads an OCR file (bytes) into payments, in one transaction, and returns the import.

        Raises `deductions.cycle.ocr.OcrError` for a file that is no complete OCR giro file, or
        was read before. Payments already read (from any file) are counted as duplicates and
        not stored again.

        Safe to run twice at once: the unique checksum and transaction keys let the database
        decide. The second reader of one file waits for the first and is told it was read;
        two files sharing a payment store it once, in whichever file commits first. The
        import carries `other_services` (what the file held besides OCR giro, not read) for
        the caller's message.
        """
        from deductions.cycle.ocr import OcrError, read_ocr

        sha256 = OcrImport.checksum(content)
        # Said before parsing: a file read before is that, whatever else is wrong with it.
        if self.filter(sha256=sha256).exists():
            raise OcrError(ALREADY_READ)
        parsed = read_ocr(content)
        with transaction.atomic():
            ocr_import, created = self.get_or_create(
                sha256=sha256,
                defaults={
                    "filename": filename[:255],
                    "transmission_number": parsed.transmission_number or "",
                    "uploaded_by": user,
                },
            )
            if not created:
                raise OcrError(ALREADY_READ)
            employers = _employers_by_kid(parsed.payments)
            new = {}
            for payment in parsed.payments:
                employer, period = employers.get(payment.kid, (None, None))
                new.setdefault(
                    payment.key,
                    Payment(
                        ocr_import=ocr_import,
                        transaction_key=payment.key,
                        kid=payment.kid,
                        amount=payment.amount,
                        paid_on=payment.paid_on,
                        debit_account=payment.debit_account,
                        employer=employer,
                        period=period,
                    ),
                )
            # A key another file stores (or is storing: the insert waits for it) is skipped;
            # in key order, so two imports never wait on each other's keys in a circle.
            Payment.objects.bulk_create([new[key] for key in sorted(new)], ignore_conflicts=True)
            stored = Payment.objects.filter(ocr_import=ocr_import).aggregate(
                count=Count("pk"),
                unmatched=Count("pk", filter=Q(employer=None)),
                total=Sum("amount"),
            )
            ocr_import.payment_count = stored["count"]
            ocr_import.duplicate_count = len(parsed.payments) - stored["count"]
            ocr_import.unmatched_count = stored["unmatched"]
            ocr_import.total = stored["total"] or ZERO
            ocr_import.save()
        ocr_import.other_services = parsed.other_services
        return ocr_import


def _employers_by_kid(payments):
    """{kid: (employer, period)} for the KIDs that are ours and name an employer we have."""
    from deductions.kid import parse_kid
    from employers.models import Employer

    parsed = {}
    for payment in payments:
        try:
            parsed[payment.kid] = parse_kid(payment.kid)
        except ValueError:
            continue
    numbers = {number for number, _ in parsed.values()}
    employers = {e.number: e for e in Employer.objects.filter(number__in=numbers)}
    return {
        kid: (employers[number], period)
        for kid, (number, period) in parsed.items()
        if number in employers
    }


class OcrImport(models.Model):
    """One OCR file as staff uploaded it."""

    filename = models.CharField("filnavn", max_length=255)
    sha256 = models.CharField(
        "sjekksum",
        max_length=64,
        unique=True,
        error_messages={"unique": ALREADY_READ},
    )
    transmission_number = models.CharField("forsendelsesnummer", max_length=7, blank=True)
    uploaded_by = models.ForeignKey(
        "accounts.User",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="lest inn av",
    )
    uploaded_at = models.DateTimeField("lest inn", auto_now_add=True)
    payment_count = models.PositiveIntegerField("nye innbetalinger", default=0)
    duplicate_count = models.PositiveIntegerField("allerede lest inn", default=0)
    unmatched_count = models.PositiveIntegerField("uten gyldig KID", default=0)
    total = models.DecimalField("nytt beløp", max_digits=14, decimal_places=2, default=ZERO)

    objects = OcrImportManager()

    class Meta:
        verbose_name = "OCR-fil"
        verbose_name_plural = "OCR-filer"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return (
            f"{self.filename} ({self.uploaded_at:%d.%m.%Y})" if self.uploaded_at else self.filename
        )

    @staticmethod
    def checksum(content):
        return hashlib.sha256(content).hexdigest()


class PaymentQuerySet(models.QuerySet):
    def matched(self):
        return self.filter(employer__isnull=False)

    def unmatched(self):
        return self.filter(employer__isnull=True)

    def paid_total_subquery(self, employer_ref="employer", period_ref="period"):
        """What has been paid for an outer row's employer (and period, unless `period_ref` is
        None because the queryset is already one period's): a Subquery for annotate()."""
        paid = self.filter(employer=OuterRef(employer_ref))
        if period_ref is not None:
            paid = paid.filter(period=OuterRef(period_ref))
        summed = paid.values("employer").annotate(total=Sum("amount")).values("total")
        return Subquery(summed, output_field=models.DecimalField(max_digits=14, decimal_places=2))


def with_paid_total(bases):
    """Bases annotated for the month table with `paid_total` (None when nothing is paid); the
    difference against the delivered lists is set by `MonthLists.attach`."""
    return bases.annotate(paid_total=Payment.objects.paid_total_subquery())


class Payment(models.Model):
    ocr_import = models.ForeignKey(
        OcrImport, on_delete=models.PROTECT, related_name="payments", verbose_name="OCR-fil"
    )
    transaction_key = models.CharField("transaksjonsnøkkel", max_length=64, unique=True)
    kid = models.CharField("KID", max_length=25, blank=True)
    amount = models.DecimalField("beløp", max_digits=14, decimal_places=2)
    paid_on = models.DateField("betalt")
    debit_account = models.CharField("fra konto", max_length=11, blank=True)
    employer = models.ForeignKey(
        "employers.Employer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name="bedrift",
    )
    period = PeriodField("måned", null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "innbetaling"
        verbose_name_plural = "innbetalinger"
        ordering = ["-paid_on", "kid"]
        indexes = [models.Index(fields=["employer", "period"], name="payment_employer_period")]

    def __str__(self):
        return f"{self.kid or 'uten KID'}: kr {self.amount}"

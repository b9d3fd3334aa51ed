"""The audit trail: who did what, when, from where, to which object.

Rows are only ever added. They never hold passwords, codes or national IDs.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.lockout import client_ip

# The keys services record in `details`, as staff read them. A key not here shows as itself.
DETAIL_LABELS = {  # in the order they are read out: a reason first
    "reason": "begrunnelse",
    "kind": "type",
    "version": "versjon",
    "rows": "rader",
    "lines": "linjer",
    "changed": "endret",
    "added": "lagt til",
    "removed": "fjernet",
    "deleted": "slettet",
    "filled": "fylt inn",
    "new": "nye",
    "stopped": "stoppet",
    "members": "medlemmer",
    "total": "sum",
    "deviations": "avvik",
    "period": "måned",
    "format": "format",
    "view": "visning",
    "bases": "trekkgrunnlag",
    "changes": "endringer",
    "payments": "innbetalinger",
    "duplicates": "lest inn før",
    "unmatched": "ukjent KID",
    "sent": "sendt",
    "failed": "feilet",
    "remaining": "gjenstår",
    "held_elsewhere": "holdes av en annen kjøring",
    "channel": "kanal",
    "outcome": "utfall",
    "error": "feil",
    "user_id": "bruker-ID",
    "fields": "felt",
    "change": "endring",
}
# Stored codes of the values above (the choices live in apps accounts must not import).
DETAIL_VALUES = {
    "kind": {
        "main": "trekkliste",
        "supplementary": "tilleggsliste",
        "monthly_notice": "varsel om trekkgrunnlag",
        "list_reminder": "påminnelse om trekkliste",
        "message_notice": "varsel om ny melding",
        "staff_digest": "samlevarsel til staben",
        "password_reset": "lenke for nytt passord",
        "password_changed": "varsel om endret passord",
    },
    "channel": {"email": "e-post", "sms": "SMS"},
    "view": {"endringer": "kun endringer", "grunnlag": "hele trekkgrunnlaget"},
}


class AuditEventManager(models.Manager):
    def record(self, action, *, request=None, actor=None, employer=None, obj=None, **details):
        if actor is None and request is not None and request.user.is_authenticated:
            actor = request.user
        if employer is None and request is not None:
            role = getattr(request, "role", None)
            employer = role.employer if role else None
        return self.create(
            action=action,
            actor=actor,
            actor_label=str(actor) if actor else "",
            employer=employer,
            object_type=obj._meta.verbose_name if obj is not None else "",
            object_ref=str(getattr(obj, "public_ref", None) or getattr(obj, "pk", "") or ""),
            ip_address=client_ip(request),
            details=details,
        )

    def password_change_locked(self, user):
        """True once `user` has given AXES_FAILURE_LIMIT wrong old passwords on «Endre passord»
        within AXES_COOLOFF_TIME, counting from their last change.

        Axes sees only `authenticate()`; the old password there is a bare `check_password`, so a
        borrowed session could guess on without end. The audit rows of the failures are the count.
        """
        recent = self.filter(
            actor=user, created_at__gte=timezone.now() - settings.AXES_COOLOFF_TIME
        )
        failures = recent.filter(action="password_change_failed")
        last_change = recent.filter(action="password_changed").order_by("-id").first()
        if last_change is not None:
            failures = failures.filter(id__gt=last_change.id)
        return failures.count() >= settings.AXES_FAILURE_LIMIT


class AuditEvent(models.Model):
    created_at = models.DateTimeField("tidspunkt", auto_now_add=True, db_index=True)
    action = models.CharField("hendelse", max_length=60, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="utført av",
    )
    actor_label = models.CharField("utført av (ved hendelsen)", max_length=250, blank=True)
    employer = models.ForeignKey(
        "employers.Employer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        verbose_name="bedrift",
    )
    object_type = models.CharField("objekttype", max_length=100, blank=True)
    object_ref = models.CharField("objekt", max_length=100, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField("IP-adresse", null=True, blank=True)
    details = models.JSONField("detaljer", default=dict, blank=True)

    objects = AuditEventManager()

    class Meta:
        verbose_name = "logghendelse"
        verbose_name_plural = "revisjonslogg"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%d.%m.%Y %H:%M} {self.action} {self.actor_label}"

    def details_text(self):
        """`details` as staff read it: «Type: trekkliste, endret: 37» for {"kind": "main",
        "changed": 37}. Keys and values we know are named in Norwegian, others shown as stored.
        """
        details = self.details or {}
        # In DETAIL_LABELS' order, then the others by name: PostgreSQL's jsonb keeps keys in an
        # order of its own, and the same event must read the same on every database.
        known = [key for key in DETAIL_LABELS if key in details]
        keys = known + sorted(key for key in details if key not in DETAIL_LABELS)
        parts = [
            f"{DETAIL_LABELS.get(key, key)}: {_detail_value(key, details[key])}" for key in keys
        ]
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]

    details_text.short_description = "detaljer"


def _detail_value(key, value):
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "–"
    return DETAIL_VALUES.get(key, {}).get(value, value) if isinstance(value, str) else value

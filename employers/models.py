from django.db import models

from employers.validators import validate_employer_number, validate_organisation_number


class EmployerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_user(self, user):
        """Employers the user holds a role at."""
        return self.active().filter(roles__user=user).distinct()


class Employer(models.Model):
    number = models.CharField(
        "bedriftsnummer",
        max_length=8,
        unique=True,
        validators=[validate_employer_number],
        help_text="Forbundets åttesifrede nummer for bedriften. Inngår i KID.",
    )
    name = models.CharField("navn", max_length=200)
    organisation_number = models.CharField(
        "organisasjonsnummer",
        max_length=9,
        blank=True,
        validators=[validate_organisation_number],
    )
    address = models.CharField("adresse", max_length=200, blank=True)
    postcode = models.CharField("postnummer", max_length=4, blank=True)
    city = models.CharField("poststed", max_length=100, blank=True)
    active = models.BooleanField("aktiv", default=True)

    objects = EmployerQuerySet.as_manager()

    class Meta:
        verbose_name = "bedrift"
        verbose_name_plural = "bedrifter"
        ordering = ["name"]

    def __str__(self):
        return self.name


class PortalInformation(models.Model):
    """The text under "Informasjon om trekkportalen" on every contact's front page."""

    title = models.CharField("tittel", max_length=200, default="Informasjon om trekkportalen")
    body = models.TextField(
        "tekst", help_text="Vises på forsiden. Tomme linjer skiller avsnitt; HTML vises som tekst."
    )
    published = models.BooleanField("vises", default=True)
    updated_at = models.DateTimeField("sist endret", auto_now=True)

    class Meta:
        verbose_name = "informasjonstekst"
        verbose_name_plural = "informasjon om trekkportalen"
        ordering = ["-updated_at"]

    def __str__(self):
        return self.title

    @classmethod
    def current(cls):
        return cls.objects.filter(published=True).first()

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from accounts.models import Role, User
from employers.models import Employer
from messaging.attachments import ALLOWED_LABEL, check_attachment, max_size
from trekkportal.words import counted


def _max_files():
    """«høyst 1 fil», «høyst 3 filer»: the limit is a setting."""
    return counted(settings.MESSAGE_ATTACHMENTS_MAX_COUNT, "fil", "filer")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Zero or more files, each checked by size and content (see messaging.attachments)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Vedlegg")
        kwargs.setdefault(
            "help_text",
            f"Valgfritt. {ALLOWED_LABEL}, høyst {_max_files()} "
            f"på inntil {filesizeformat(max_size())} hver.",
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.png,.jpg,.jpeg,.csv,.xlsx")

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if len(uploads) > settings.MESSAGE_ATTACHMENTS_MAX_COUNT:
            raise ValidationError(f"Du kan legge ved høyst {_max_files()}.")
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append(check_attachment(super().clean(upload, initial)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Tekst")
        kwargs.setdefault("max_length", 10_000)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8}))
        super().__init__(**kwargs)


class NewMessageForm(forms.Form):
    """A contact writes to the union's staff."""

    subject = forms.CharField(label="Emne", max_length=200)
    body = BodyField()
    attachments = AttachmentsField()


class ReplyForm(forms.Form):
    body = BodyField()
    attachments = AttachmentsField()


class StaffReplyForm(ReplyForm):
    mark_handled = forms.BooleanField(label="Marker tråden som behandlet", required=False)


class StaffNewMessageForm(forms.Form):
    """Staff write to one contact, or to every contact of an employer."""

    employer_number = forms.RegexField(
        label="Bedriftsnummer",
        regex=r"^\d{8}$",
        error_messages={"invalid": "Bedriftsnummeret har åtte sifre."},
    )
    username = forms.RegexField(
        label="Trekkontakt (brukernavn)",
        regex=r"^\d{8}$",
        required=False,
        help_text="La feltet stå tomt for å skrive til alle trekkontaktene i bedriften.",
        error_messages={"invalid": "Brukernavnet har åtte sifre."},
    )
    subject = forms.CharField(label="Emne", max_length=200)
    body = BodyField()
    attachments = AttachmentsField()

    def clean_employer_number(self):
        number = self.cleaned_data["employer_number"]
        employer = Employer.objects.active().filter(number=number).first()
        if employer is None:
            raise ValidationError("Fant ingen aktiv bedrift med dette nummeret.")
        self.employer = employer
        return number

    def clean(self):
        cleaned = super().clean()
        employer = getattr(self, "employer", None)
        username = cleaned.get("username")
        self.contact = None
        if employer is None:
            return cleaned
        if username:
            role = (
                Role.objects.filter(
                    employer=employer, user__username=username, user__is_active=True
                )
                .select_related("user")
                .first()
            )
            if role is None:
                self.add_error("username", "Brukeren er ikke trekkontakt for denne bedriften.")
            else:
                self.contact = role.user
        elif not User.objects.filter(roles__employer=employer, is_active=True).exists():
            self.add_error("employer_number", "Bedriften har ingen trekkontakter.")
        return cleaned


class StaffInboxFilterForm(forms.Form):
    """The inbox's filters; the field names are its query parameters (`?bedrift=…&vis=…`)."""

    STATUS_CHOICES = [
        ("", "Alle"),
        ("ubehandlet", "Ikke behandlet"),
        ("behandlet", "Behandlet"),
    ]
    bedrift = forms.RegexField(
        label="Bedriftsnummer",
        regex=r"^\d{8}$",
        required=False,
        error_messages={"invalid": "Bedriftsnummeret har åtte sifre."},
    )
    vis = forms.ChoiceField(
        label="Status",
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def filter(self, threads):
        if not self.is_valid():
            return threads.none()
        if number := self.cleaned_data["bedrift"]:
            threads = threads.filter(employer__number=number)
        show = self.cleaned_data["vis"]
        if show == "ubehandlet":
            threads = threads.filter(handled=False)
        elif show == "behandlet":
            threads = threads.filter(handled=True)
        return threads

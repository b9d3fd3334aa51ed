import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

validate_user_id = RegexValidator(
    r"^\d{8}\Z", "Brukernavnet er en ID på nøyaktig åtte sifre.", code="invalid_user_id"
)


def normalise_user_id(value):
    """The user ID as typed, in the one spelling the login, the lockout and the audit use.

    Surrounding whitespace (tabs and newlines too) goes, and NFKC folds full-width digits into
    ASCII ones. Were one of the three to read the raw input, `" 10000177"` would be another ID
    to the lockout than to the password check, and a locked ID could be guessed on for ever.
    """
    return unicodedata.normalize("NFKC", str(value or "")).strip()


class MaximumLengthValidator:
    """Refuse passwords longer than max_length (hashing very long input is wasted work)."""

    def __init__(self, max_length=128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"Passordet kan ikke være lengre enn {self.max_length} tegn.",
                code="password_too_long",
            )

    def get_help_text(self):
        return f"Passordet kan ikke være lengre enn {self.max_length} tegn."

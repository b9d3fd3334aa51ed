from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from stdnum.no import orgnr

validate_employer_number = RegexValidator(
    r"^\d{8}\Z", "Bedriftsnummeret har nøyaktig åtte sifre.", code="invalid_employer_number"
)


def validate_organisation_number(value):
    if not orgnr.is_valid(value):
        raise ValidationError(
            "Organisasjonsnummeret er ikke gyldig (ni sifre med riktig kontrollsiffer).",
            code="invalid_organisation_number",
        )

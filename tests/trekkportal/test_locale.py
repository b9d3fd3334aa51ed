"""Our nb catalogue (locale/) fills the gaps in Django's own."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES"


def test_password_length_message_is_norwegian():
    with translation.override("nb"), pytest.raises(ValidationError) as refused:
        validate_password("kort-pass")
    assert refused.value.messages[0] == "Passordet er for kort. Det må bestå av minst 10 tegn."


def test_django_messages_our_catalogue_adds_are_norwegian():
    with translation.override("nb"):
        assert translation.gettext("Enter a valid domain name.") == "Oppgi et gyldig domenenavn."
        # What Django already translates stays Django's.
        assert translation.gettext("This field is required.") == "Feltet er påkrevet."


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext is not installed")
def test_committed_mo_file_is_compiled_from_the_po_file(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", compiled, LOCALE / "django.po"], check=True, capture_output=True
    )
    assert compiled.read_bytes() == (LOCALE / "django.mo").read_bytes(), "run make messages"

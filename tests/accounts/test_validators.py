"""The password rules as NIST SP 800-63B gives them: length counts, composition does not."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


@pytest.mark.parametrize(
    "password",
    [
        "fjellbekke",  # ten lower-case letters: no digit, capital or sign asked for
        "1739284650",
        "          ",
        "ÆØÅæøåÆØÅæ",
        "fjellbekke" * 12 + "fjellbek",  # 128
    ],
    ids=["letters", "digits", "spaces", "norwegian", "128"],
)
def test_any_ten_to_128_characters_make_a_password_whatever_their_kind(password):
    validate_password(password)


@pytest.mark.parametrize(
    ("password", "code"),
    [("fjellbekk", "password_too_short"), ("fjellbekke" * 13, "password_too_long")],
    ids=["9", "130"],
)
def test_nine_characters_or_more_than_128_are_refused(password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert [error.code for error in refused.value.error_list] == [code]

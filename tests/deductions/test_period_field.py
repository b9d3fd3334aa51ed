import pytest
from django.core.exceptions import ValidationError

from deductions.fields import PeriodFormField
from deductions.models import Rate
from deductions.period import Period


def test_period_is_stored_as_a_month_index_and_read_back_as_a_period(rates):
    assert Rate.objects.filter(valid_from=24240).exists()  # 2020 * 12 + 0
    rates.refresh_from_db()
    assert rates.valid_from == Period(2020, 1)


def test_period_lookups_take_periods_and_strings(rates):
    assert Rate.objects.filter(valid_from__lte="2021-03").count() == 1
    assert Rate.objects.filter(valid_from__gt=Period(2020, 1)).count() == 0


def test_form_field_reads_both_spellings_and_explains_bad_input():
    field = PeriodFormField()
    assert field.clean("2021/03") == Period(2021, 3)
    assert field.clean("2021-03") == Period(2021, 3)
    with pytest.raises(ValidationError) as error:
        field.clean("mars")
    assert error.value.messages == ["Skriv måneden som ÅÅÅÅ-MM, for eksempel 2021-03."]


def test_admin_shows_a_period_as_text_not_as_a_number(rates):
    from django.contrib import admin

    model_admin = admin.site._registry[Rate]
    form = model_admin.get_form(request=None)(instance=rates)
    html = str(form["valid_from"])
    assert 'type="text"' in html
    assert 'value="2020-01"' in html

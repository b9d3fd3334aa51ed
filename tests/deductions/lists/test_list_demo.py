from io import StringIO

import time_machine

from accounts import demo as account_demo
from deductions.basis import demo
from deductions.lists import demo as list_demo
from deductions.models import DeductionList, Reason
from employers import demo as employer_demo


@time_machine.travel("2021-02-15 12:00 +01:00", tick=False)
def test_demo_lists_are_delivered_in_past_months_and_loading_again_changes_nothing(db):
    for module in (employer_demo, account_demo, demo):
        module.load(StringIO())
    list_demo.load(StringIO())
    system = DeductionList.objects.filter(basis__employer__number="94001761")
    assert sorted((p.slug, kind) for p, kind in system.values_list("basis__period", "kind")) == [
        ("2020-11", "main"),
        ("2020-12", "main"),
        ("2020-12", "supplementary"),
        ("2021-01", "main"),
    ]
    assert all(item.is_delivered and item.deliveries.get().pdf for item in system)
    january = system.get(basis__period="2021-01")
    assert january.lines.filter(reason=Reason.LEFT).count() == 1
    assert january.delivered_by.username == "10000001"
    avinor = DeductionList.objects.get(basis__employer__number="00080000")
    assert avinor.line_count > 1500 and avinor.delivered_by.username == "10000002"
    count = DeductionList.objects.count()

    list_demo.load(StringIO())

    assert DeductionList.objects.count() == count

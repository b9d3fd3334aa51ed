from io import StringIO

import time_machine

from deductions.basis import demo
from deductions.models import Basis, BasisLine, Member
from employers import demo as employer_demo


@time_machine.travel("2021-02-15 12:00 +01:00", tick=False)
def test_demo_history_is_generated_for_three_years_and_loading_again_changes_nothing(db):
    employer_demo.load(StringIO())
    demo.load(StringIO())
    system = Basis.objects.filter(employer__number="94001761")
    assert system.count() == 36
    assert system.order_by("period").last().period.slug == "2021-03"
    months_with_changes = system.exclude(change_count=0).count()
    assert months_with_changes > 24
    assert BasisLine.objects.filter(became_ordinary=True, basis__in=system).exists()
    assert Basis.objects.get(employer__number="00080000", period="2021-03").line_count > 1500
    counts = (Member.objects.count(), BasisLine.objects.count())

    demo.load(StringIO())

    assert (Member.objects.count(), BasisLine.objects.count()) == counts

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("deductions", "0004_merge_lists_and_cycle"),
        # The rows are copied into the outbox first.
        ("messaging", "0003_copy_into_outbox"),
    ]

    operations = [
        migrations.DeleteModel(
            name="CycleMail",
        ),
    ]

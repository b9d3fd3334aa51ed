from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_copy_into_outbox"),
    ]

    operations = [
        migrations.DeleteModel(
            name="MessageNotice",
        ),
    ]

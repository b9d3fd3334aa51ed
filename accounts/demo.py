"""Demo users: two payroll contacts and one staff member, all with the password trekkdemo."""

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from employers.models import Employer

PASSWORD = "trekkdemo"
# A fixed TOTP secret (base32 JBSWY3DPEHPK3PXP) so the staff login can be added to any app.
STAFF_TOTP_KEY = "48656c6c6f21deadbeef"
STAFF_BACKUP_CODES = ["11111111", "22222222", "33333333", "44444444", "55555555"]

USERS = [
    {
        "username": "10000001",
        "full_name": "Kari Nordmann",
        "email": "kari.nordmann@example.com",
        "mobile": "+4791234567",
        "employers": ["94001761", "94002001", "94003001"],
    },
    {
        "username": "10000002",
        "full_name": "Ola Nordmann",
        "email": "ola.nordmann@example.com",
        "mobile": "+4792345678",
        "employers": ["00080000"],
    },
]


def load(out):
    for data in USERS:
        data = dict(data)
        numbers = data.pop("employers")
        user = _user(**data)
        for employer in Employer.objects.filter(number__in=numbers):
            Role.objects.get_or_create(user=user, employer=employer)
    staff = _user(
        username="90000001",
        full_name="Nora Stab",
        email="nora.stab@fagforening.example",
        mobile="+4793456789",
        is_staff=True,
        is_superuser=True,
    )
    TOTPDevice.objects.update_or_create(
        user=staff, name="default", defaults={"key": STAFF_TOTP_KEY, "confirmed": True}
    )
    backup, _ = StaticDevice.objects.get_or_create(user=staff, name="backup")
    backup.token_set.all().delete()
    for code in STAFF_BACKUP_CODES:
        backup.token_set.create(token=code)
    out.write("Kontakter: Kari Nordmann (10000001, tre roller), Ola Nordmann (10000002, Avinor AS)")
    out.write(f"Stab: Nora Stab (90000001). Alle har passordet «{PASSWORD}».")
    out.write(
        "Nora må bestå tofaktor: velg «Bruk en reservekode» og skriv en av "
        + ", ".join(STAFF_BACKUP_CODES)
        + " (fornyes hver gang demodataene lastes),"
    )
    out.write(
        "eller legg TOTP-nøkkelen JBSWY3DPEHPK3PXP inn i en autentiseringsapp "
        "(eller kjør «manage.py demo_code»)."
    )


def _user(*, username, password=PASSWORD, **fields):
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(password)
        user.save()
    return user

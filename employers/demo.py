"""Demo employers. Fictional apart from names taken from the public user guide."""

from employers.models import Employer, PortalInformation

EMPLOYERS = [
    {
        "number": "94001761",
        "name": "Systemadministrasjonen",
        "organisation_number": "974000008",
        "address": "Møllergata 10",
        "postcode": "0179",
        "city": "OSLO",
    },
    {
        "number": "94002001",
        "name": "Stiftinga Vest-Telemark Museum",
        "organisation_number": "975000001",
        "address": "Museumsvegen 2",
        "postcode": "3850",
        "city": "KVITESEID",
    },
    {
        "number": "94003001",
        "name": "Norges Astma- og Allergiforbund",
        "organisation_number": "976000005",
        "address": "Storgata 12",
        "postcode": "0184",
        "city": "OSLO",
    },
    {
        "number": "00080000",
        "name": "Avinor AS",
        "organisation_number": "984000006",
        "address": "Dronning Eufemias gate 6",
        "postcode": "0191",
        "city": "OSLO",
    },
]

INFORMATION = (
    "Her ser du status for alle måneder for bedriften du er trekkontakt for. "
    "Du kan se trekkgrunnlaget, registrere trekkliste i nettskjema eller laste opp fil, "
    "og finne igjen lister dere har levert tidligere.\n\n"
    "Spørsmål om trekk sender du som melding her i portalen."
)


def load(out):
    employers = {}
    for data in EMPLOYERS:
        employer, _ = Employer.objects.update_or_create(number=data["number"], defaults=data)
        employers[employer.number] = employer
    if not PortalInformation.objects.exists():
        PortalInformation.objects.create(body=INFORMATION)
    out.write(f"Bedrifter: {len(employers)}")
    return employers

"""Small helpers for tests about roles: make a staff user holding one membership."""

from django.contrib.auth.models import User

from municipalities.models import Membership, Municipality, PoliceArea, PoliceRegion


def make_member(role, *, municipality=None, police_area=None, username=None, email=None):
    username = username or f"{role}-{(municipality or police_area or 'national')}".replace(" ", "")
    user, _ = User.objects.get_or_create(
        username=username[:150],
        defaults={"is_staff": True, "email": email or f"{role}@example.org"},
    )
    Membership.objects.create(
        user=user, role=role, municipality=municipality, police_area=police_area,
    )
    return user


def other_period(katrineholm):
    """A period of another municipality (Flen, 0482), with one police promise, one
    municipality promise, an activity and an indicator each."""
    from promises.models import Activity, Indicator, Promise, PromisePeriod

    flen = Municipality.objects.get(code="0482")
    area, _ = PoliceArea.objects.get_or_create(
        name="Lokalpolisområde Flen",
        defaults={"police_region": PoliceRegion.objects.get(name="Region Öst")},
    )
    area.municipalities.add(flen)
    period = PromisePeriod.objects.create(
        municipality=flen, police_area=area, title="Medborgarlöfte Flen 2018",
        valid_from="2018-01-01", valid_to="2018-12-31",
    )
    for order, party in enumerate(["police", "municipality"], start=1):
        promise = Promise.objects.create(period=period, party=party, order=order,
                                         text=f"Flen {party} promise")
        Activity.objects.create(promise=promise, text=f"Flen {party} activity")
        Indicator.objects.create(promise=promise, name=f"Flen {party} indicator")
    return period


def form_fields(html, form_id):
    """The values a browser would submit from the form with this id (without buttons)."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.data, self.inside, self.select, self.multiple = {}, False, None, False
            self.textarea, self.text, self.options = None, "", []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.inside = attrs.get("id") == form_id
            if not self.inside:
                return
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
                if attrs.get("type") in ("checkbox", "radio"):
                    if "checked" in attrs:
                        self.data.setdefault(name, []).append(attrs.get("value", "on"))
                elif "disabled" not in attrs:
                    self.data[name] = [attrs.get("value", "")]
            elif tag == "select" and name and "disabled" not in attrs:
                self.select, self.multiple, self.options = name, "multiple" in attrs, []
                self.data[name] = []
            elif tag == "option" and self.select:
                self.options.append(attrs.get("value", ""))
                if "selected" in attrs:
                    self.data[self.select].append(attrs.get("value", ""))
            elif tag == "textarea" and name and "disabled" not in attrs:
                self.textarea, self.text = name, ""

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            if tag == "select" and self.select:
                if not self.data[self.select] and not self.multiple and self.options:
                    self.data[self.select] = [self.options[0]]
                self.select = None
            if tag == "textarea" and self.textarea:
                self.data[self.textarea] = [self.text.removeprefix("\n")]
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                self.text += data

    parser = Parser()
    parser.feed(html)
    return parser.data

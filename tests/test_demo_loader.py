from django.core.management import call_command

from followup.models import FollowUp, TertialReport, YearEndComment
from promises.models import Activity, Promise, PromisePeriod, Signatory

MODELS = [PromisePeriod, Promise, Activity, FollowUp, Signatory, TertialReport, YearEndComment]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_load_demo_twice_gives_the_same_counts(db):
    call_command("load_demo", "--no-admin")
    first = counts()
    history_first = PromisePeriod.history.count()
    call_command("load_demo", "--no-admin")
    assert counts() == first
    assert PromisePeriod.history.count() == history_first
    assert first["PromisePeriod"] == 3


def test_2018_period_holds_five_activities_with_three_tertials_each(katrineholm):
    period = katrineholm[2018]
    activities = Activity.objects.filter(promise__period=period)
    assert activities.count() == 5
    for activity in activities:
        assert sorted(activity.followups.values_list("tertial", flat=True)) == [1, 2, 3]


def test_2018_accounts_are_exactly_as_in_the_document(katrineholm):
    sig = FollowUp.objects.get(
        activity__promise__period=katrineholm[2018], activity__text="Arbeta i SIG grupper",
        tertial=2,
    )
    assert sig.account == (
        "Socialen och polisen träffas minst en gång i månaden och har s.k SIG möten. "
        "Arbetet bedöms som framgångsrikt."
    )
    assert sig.get_status_display() == "Utfört och pågående"


def test_2022_2023_period_has_both_signatories_and_its_sections(katrineholm):
    period = katrineholm[2022]
    assert list(period.signatories.values_list("name", "party")) == [
        ("Liselotte Jergard", "police"), ("Johan Söderberg (S)", "municipality"),
    ]
    assert list(period.focus_areas.values_list("name", flat=True)) == [
        "Våld", "Droger", "Ungdomsbrottslighet",
    ]
    assert "Rådet för Trygghet och Säkerhet" in period.followup_description
    assert period.promises.get().party == "joint"


def test_2020_period_holds_what_police_and_municipality_promise(katrineholm):
    parties = list(katrineholm[2020].promises.values_list("party", flat=True))
    assert parties.count("police") == 3
    assert parties.count("municipality") == 4


def test_demo_admin_is_not_created_in_production(db, settings, django_user_model):
    settings.DEMO_ADMIN_ALLOWED = False
    call_command("load_demo")
    assert not django_user_model.objects.filter(username="admin").exists()


def test_demo_admin_is_created_once_for_local_use(db, settings, django_user_model):
    settings.DEMO_ADMIN_ALLOWED = True
    call_command("load_demo")
    call_command("load_demo")
    assert django_user_model.objects.get(username="admin").is_superuser

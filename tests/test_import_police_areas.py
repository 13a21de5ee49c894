"""`manage.py import_police_areas FILE.csv`: an official list of police areas is loaded,
matched on its official code or else its name within the police region, so running it again
updates and never duplicates; a bad row stops the import with its line number and nothing
of the file is saved."""

import io

import pytest
from django.core.management import CommandError, call_command

from municipalities.models import PoliceArea

GOOD = (
    "name,municipality_codes,official_code,district\n"
    "Lokalpolisområde Katrineholm,0483 0428 0482,LPO-5101,Polisområde Sörmland\n"
    "Lokalpolisområde Eskilstuna,0484,,Polisområde Sörmland\n"
)


def run(tmp_path, text, *, encoding="utf-8", name="areas.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    out = io.StringIO()
    call_command("import_police_areas", str(path), stdout=out)
    return out.getvalue()


def areas():
    return {
        area.name: (area.official_code, area.district_name, area.police_region.name,
                    sorted(area.municipalities.values_list("code", flat=True)))
        for area in PoliceArea.objects.select_related("police_region")
    }


def test_a_good_file_creates_the_areas_with_their_municipalities_and_region(db, tmp_path):
    assert "2 police areas created, 0 updated" in run(tmp_path, GOOD)
    assert areas() == {
        "Lokalpolisområde Katrineholm": ("LPO-5101", "Polisområde Sörmland", "Region Öst",
                                         ["0428", "0482", "0483"]),
        "Lokalpolisområde Eskilstuna": ("", "Polisområde Sörmland", "Region Öst", ["0484"]),
    }


def test_running_it_again_updates_and_never_duplicates(db, tmp_path):
    run(tmp_path, GOOD)
    first = dict(PoliceArea.objects.values_list("name", "pk"))
    assert "0 police areas created, 2 updated" in run(tmp_path, GOOD)
    assert dict(PoliceArea.objects.values_list("name", "pk")) == first
    # A renamed area is found by its official code; one without a code by its name.
    renamed = GOOD.replace("Lokalpolisområde Katrineholm,", "LPO Katrineholm–Vingåker,") \
        .replace("0484,,Polisområde Sörmland", "0484 0486,,Polisområde Eskilstuna")
    assert "0 police areas created, 2 updated" in run(tmp_path, renamed)
    assert PoliceArea.objects.get(official_code="LPO-5101").pk == \
        first["Lokalpolisområde Katrineholm"]
    assert areas()["Lokalpolisområde Eskilstuna"][1:] == (
        "Polisområde Eskilstuna", "Region Öst", ["0484", "0486"])
    assert PoliceArea.objects.count() == 2


def test_an_excel_export_with_semicolons_and_a_byte_order_mark_is_read(db, tmp_path):
    text = "\ufeff" + GOOD.replace(",", ";").replace("0483 0428 0482", "0483,0428,0482")
    assert "2 police areas created" in run(tmp_path, text)
    assert areas()["Lokalpolisområde Katrineholm"][3] == ["0428", "0482", "0483"]


@pytest.mark.parametrize(("bad_line", "message"), [
    ("Lokalpolisområde Okänd,9999,,", "line 4: unknown municipality code 9999"),
    (",0480,,", "line 4: no name"),
    ("Lokalpolisområde Ingenstans,,,", "line 4: no municipality codes"),
    # Katrineholm (Region Öst) and Stockholm (Region Stockholm) have no area in common.
    ("Lokalpolisområde Delad,0483 0180,,", "line 4:"),
    ("Lokalpolisområde Lång,0480,,,en kolumn för mycket", "line 4:"),
])
def test_a_bad_row_names_its_line_and_nothing_is_imported(db, tmp_path, bad_line, message):
    text = GOOD + bad_line + "\n" + "Lokalpolisområde Nyköping,0480,,\n"
    with pytest.raises(CommandError) as error:
        run(tmp_path, text)
    assert message in str(error.value) and "Nothing was imported" in str(error.value)
    assert not PoliceArea.objects.exists()


def test_a_bad_row_leaves_the_areas_of_an_earlier_import_as_they_were(db, tmp_path):
    run(tmp_path, GOOD)
    before = areas()
    changed = GOOD.replace("Polisområde Sörmland\n", "Polisområde Ändrat\n", 1)
    with pytest.raises(CommandError, match="line 4"):
        run(tmp_path, changed + "Lokalpolisområde Okänd,9999,,\n")
    assert areas() == before


@pytest.mark.parametrize(("text", "encoding", "message"), [
    ("namn,kommuner\nLokalpolisområde X,0480\n", "utf-8", "the header lacks"),
    (GOOD, "cp1252", "UTF-8"),
])
def test_a_file_that_is_not_the_documented_format_is_refused_clearly(
    db, tmp_path, text, encoding, message
):
    with pytest.raises(CommandError, match=message):
        run(tmp_path, text, encoding=encoding)
    assert not PoliceArea.objects.exists()


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_police_areas", str(tmp_path / "saknas.csv"))

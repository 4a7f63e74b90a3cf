import pytest

from cpmis.people.phonetic import name_key


@pytest.mark.parametrize(
    ("latin", "urdu"),
    [
        ("Muhammad", "محمد"),
        ("Mohammed", "مُحَمَّد"),
        ("Md Ali", "محمد علی"),
        ("Ayesha", "عائشہ"),
        ("Fatima", "فاطمہ"),
        ("Usman", "عثمان"),
        ("Zainab", "زینب"),
        ("Khadija", "خدیجہ"),
        ("Tariq", "طارق"),
        ("Yousaf", "یوسف"),
        ("Waseem", "وسیم"),
        ("Rehman", "رحمان"),
    ],
)
def test_a_name_in_urdu_script_has_the_key_of_its_latin_spelling(latin: str, urdu: str) -> None:
    assert name_key(latin) == name_key(urdu)


def test_spelling_variants_and_arabic_letter_forms_share_a_key() -> None:
    assert len({name_key(n) for n in ("Muhammad", "Mohammad", "Muhammed", "Mohd", "MD")}) == 1
    # Arabic yeh and kaf (older systems) against the Urdu letters.
    assert name_key("علي") == name_key("علی")
    assert name_key("كاشف") == name_key("کاشف")


def test_different_names_have_different_keys() -> None:
    assert name_key("Bilal") != name_key("Hassan")
    assert name_key("Ayesha") != name_key("Fatima")
    assert name_key("") == ""

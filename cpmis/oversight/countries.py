"""ISO 3166-1 alpha-2 country codes (the 249 officially assigned), to check the country of
an extradition or mutual legal assistance request without a dependency."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ISO_3166_ALPHA2: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
    """.split()  # noqa: SIM905 - a table is easier to check against the standard
)

# Names of the countries Pakistan most often exchanges requests with (display only).
NAMES: dict[str, Promise] = {
    "AE": _("United Arab Emirates"),
    "AF": _("Afghanistan"),
    "BD": _("Bangladesh"),
    "CA": _("Canada"),
    "CN": _("China"),
    "DE": _("Germany"),
    "GB": _("United Kingdom"),
    "IN": _("India"),
    "IR": _("Iran"),
    "IT": _("Italy"),
    "KW": _("Kuwait"),
    "MY": _("Malaysia"),
    "OM": _("Oman"),
    "QA": _("Qatar"),
    "SA": _("Saudi Arabia"),
    "TR": _("Türkiye"),
    "US": _("United States"),
}


def country_name(code: str) -> str:
    """The country's name in the reader's language (its code when it has no name here)."""
    name = NAMES.get(code)
    return code if name is None else str(name)

from django.test import RequestFactory, override_settings

from cpmis.core.net import UNKNOWN, client_address


def test_the_direct_address_without_proxies() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "203.0.113.9"  # a header the client made up is ignored


@override_settings(CPMIS_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_saw() -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4"
    )
    assert client_address(request) == "198.51.100.4"


def test_no_usable_address_shares_one_bucket() -> None:
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="")) == UNKNOWN
    with override_settings(CPMIS_PROXY_COUNT=1):
        bad = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="not-an-ip")
        assert client_address(bad) == UNKNOWN

"""The API's OpenAPI schema is generated without a warning, is valid, and tells each operation's
answers: the token scheme, the 401 of every operation that needs an account, the 404 of every
record in the path, the 400 of every input, the files of the downloads. What the server really
answers is checked against it by schemathesis in CI (``.ci/schemathesis``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.test import APIClient
from rest_framework.views import APIView

from tests.conftest import make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
METHODS = {"get", "post", "put", "patch", "delete"}
NO_ACCOUNT = {("post", "/api/auth/token/")}
# Asked without an account, and answering every id alike: a phone's question whether it must
# wipe itself (an unknown device or a wrong secret is told to wipe, so no id can be probed).
NO_ACCOUNT_NO_CREDENTIAL = {("post", "/api/field/devices/{uuid}/status/")}


def generate(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The schema as ``cpmis manage spectacular --validate --fail-on-warn`` writes it; a warning
    or an error fails the test, with drf-spectacular's messages."""
    GENERATOR_STATS.reset()  # an earlier generation in this process must not hide or add any
    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    except CommandError as exc:
        pytest.fail(f"{exc}\n{capsys.readouterr().err}")
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    GENERATOR_STATS.reset()
    path = tmp_path_factory.mktemp("openapi") / "schema.yml"
    call_command("spectacular", "--file", str(path))
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_schema_generates_without_warnings_and_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generated = generate(tmp_path / "schema.yml", capsys)
    assert len(operations(generated)) > 100
    assert "Warning" not in capsys.readouterr().err


def test_the_token_scheme_is_declared(schema: dict[str, Any]) -> None:
    token = schema["components"]["securitySchemes"]["tokenAuth"]
    assert token["type"] == "apiKey" and token["in"] == "header"
    assert token["name"] == "Authorization" and "Token <token>" in token["description"]


def test_every_operation_needing_an_account_documents_it_and_its_401(
    schema: dict[str, Any],
) -> None:
    for method, path, operation in operations(schema):
        if (method, path) in NO_ACCOUNT:
            assert "401" in operation["responses"]  # wrong credentials
            continue
        if (method, path) in NO_ACCOUNT_NO_CREDENTIAL:
            assert not operation["security"] or {} in operation["security"], (method, path)
            continue
        schemes = {name for requirement in operation["security"] for name in requirement}
        assert "tokenAuth" in schemes, (method, path)
        assert "401" in operation["responses"], (method, path)


def test_errors_are_documented_where_they_are_answered(schema: dict[str, Any]) -> None:
    for method, path, operation in operations(schema):
        answers = operation["responses"]
        if "{" in path and (method, path) not in NO_ACCOUNT_NO_CREDENTIAL:
            # a record that may not exist, or not be visible
            assert "404" in answers, (method, path)
        takes_input = "requestBody" in operation or any(
            p["in"] == "query" and p["name"] not in {"page", "page_size"}
            for p in operation.get("parameters", [])
        )
        if takes_input:
            assert "400" in answers, (method, path)
        for code in ("400", "401", "403", "404", "409"):
            if code in answers:
                assert answers[code]["content"]["application/json"]["schema"], (method, path)


def test_lists_that_paginate_document_the_envelope(schema: dict[str, Any]) -> None:
    page = schema["components"]["schemas"]["PaginatedCaseList"]
    assert set(page["required"]) == {"count", "results"}
    assert page["properties"]["next"]["nullable"] is True
    for path in ("/api/cases/", "/api/children/", "/api/complaints/", "/api/users/"):
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert body["schema"]["$ref"].startswith("#/components/schemas/Paginated"), path
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"page", "page_size"} <= names, path
    # a list that does not paginate is a plain array
    body = schema["paths"]["/api/institutions/"]["get"]["responses"]["200"]["content"]
    assert body["application/json"]["schema"]["type"] == "array"


def test_downloads_document_their_files(schema: dict[str, Any]) -> None:
    def types(path: str) -> set[str]:
        return set(schema["paths"][path]["get"]["responses"]["200"]["content"])

    assert types("/api/indicators/export/") == {"text/csv", XLSX}
    assert types("/api/legal/compliance-matrix/") == {"application/json", XLSX, DOCX}
    assert types("/api/reports/{edition_id}/report.docx") == {DOCX}
    assert types("/api/reports/{edition_id}/report.pdf") == {"application/pdf"}
    upload = schema["paths"]["/api/exchange/submissions/"]["post"]["requestBody"]["content"]
    form = upload["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    fields = schema["components"]["schemas"][form]["properties"]
    assert fields["file"]["format"] == "binary" and "records" not in fields


def test_each_action_has_its_own_operation_and_input(schema: dict[str, Any]) -> None:
    assign = schema["paths"]["/api/cases/{uuid}/assign/"]["post"]
    body = assign["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/AssignInputRequest")
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    assert len(ids) == len(set(ids))
    assert not any(re.search(r"_\d+$", i) for i in ids)  # no numbered collision


@pytest.mark.django_db
def test_options_never_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """OPTIONS describes the input of each POST and PUT the user may send: for every API
    route, with every permission granted, it answers without a server error."""
    monkeypatch.setattr(APIView, "check_permissions", lambda self, request: None)
    client = APIClient()
    client.force_authenticate(make_user("options"))
    values = {"uuid": "00000000-0000-4000-8000-000000000000"}
    for path, _regex, _method, _callback in EndpointEnumerator().get_api_endpoints():
        url = re.sub(r"{(\w+)}", lambda m: values.get(m[1], "1"), path)
        response = client.options(url)
        assert response.status_code < 500, (path, response.status_code)

"""The warning when listeners would share one rate-limit bucket (CLIENT_IP_HEADER unset)."""

import logging

import pytest
from django.test import RequestFactory

from intake import client_ip as client_ip_module
from intake.client_ip import client_ip
from tests.config.test_settings import run_manage

PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "mailbag.example.com",
}


def test_check_deploy_warns_behind_a_proxy_without_the_header(tmp_path):
    env = {**PRODUCTION, "MAILBAG_VAR_DIR": str(tmp_path), "SECURE_PROXY_SSL_HEADER": "1"}
    result = run_manage("check", "--deploy", extra_env=env)
    assert "(intake.W001)" in result.stderr + result.stdout
    assert "CLIENT_IP_HEADER is not set" in result.stderr + result.stdout
    assert "Set CLIENT_IP_HEADER=X-Forwarded-For" in result.stderr + result.stdout


def test_no_warning_once_the_header_is_set(tmp_path):
    env = {
        **PRODUCTION,
        "MAILBAG_VAR_DIR": str(tmp_path),
        "SECURE_PROXY_SSL_HEADER": "1",
        "CLIENT_IP_HEADER": "X-Forwarded-For",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", extra_env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def fresh_warning(monkeypatch):
    monkeypatch.setattr(client_ip_module, "_warned_without_address", False)


def test_a_request_without_an_address_is_logged_once(settings, caplog, fresh_warning):
    settings.CLIENT_IP_HEADER = ""
    caplog.set_level(logging.WARNING, logger="intake.client_ip")
    for _ in range(3):
        assert client_ip(RequestFactory().get("/", REMOTE_ADDR="")) == "unknown"
    warnings = [record for record in caplog.records if record.name == "intake.client_ip"]
    assert len(warnings) == 1
    assert "every such listener shares one rate-limit bucket" in warnings[0].getMessage()


def test_no_warning_while_addresses_arrive(settings, caplog, fresh_warning):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    caplog.set_level(logging.WARNING, logger="intake.client_ip")
    request = RequestFactory().get("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(request) == "198.51.100.7"
    assert not [record for record in caplog.records if record.name == "intake.client_ip"]

"""Shared fixtures. Integration tests run on MariaDB (DATABASE_URL from `make test`)."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def cast(db):
    from tests.factories.cast import build_cast

    return build_cast()


@pytest.fixture
def api_for():
    """An API client authenticated as the given user (token auth, like real clients)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make

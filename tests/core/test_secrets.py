"""Secrets at rest: platform credentials are stored encrypted, read back whole, and survive a key rotation."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from config.secrets import UnreadableSecret, decrypt_json, encrypt_json
from publishing.models import PlatformAccount

pytestmark = pytest.mark.django_db


def _stored(account) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT credentials FROM {PlatformAccount._meta.db_table} WHERE id = %s", [account.pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_credentials_are_encrypted_in_the_database_and_read_back_whole():
    account = PlatformAccount.objects.create(platform="youtube", handle="h", credentials={"token": "s3cret-token"})
    stored = _stored(account)
    assert "s3cret" not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert PlatformAccount.objects.get(pk=account.pk).credentials == {"token": "s3cret-token"}
    # The same value twice gives two different tokens (nothing to compare across rows).
    account.save()
    assert _stored(account) != stored


def test_a_rotated_key_still_reads_the_old_secrets_and_rewrites_them(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["old-key"]
    account = PlatformAccount.objects.create(platform="youtube", handle="h", credentials={"token": "t"})
    settings.FIELD_ENCRYPTION_KEYS = ["new-key", "old-key"]
    account = PlatformAccount.objects.get(pk=account.pk)
    assert account.credentials == {"token": "t"}
    account.save(update_fields=["credentials"])  # re-encrypted under the new key
    settings.FIELD_ENCRYPTION_KEYS = ["new-key"]
    assert PlatformAccount.objects.get(pk=account.pk).credentials == {"token": "t"}


def test_a_secret_under_a_key_no_longer_configured_is_a_clear_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["gone"]
    token = encrypt_json({"token": "t"})
    settings.FIELD_ENCRYPTION_KEYS = ["other"]
    with pytest.raises(UnreadableSecret, match="FIELD_ENCRYPTION_KEYS"):
        decrypt_json(token)


def test_plain_json_from_before_is_read_and_the_migration_encrypts_it():
    account = PlatformAccount.objects.create(platform="youtube", handle="h")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {PlatformAccount._meta.db_table} SET credentials = %s WHERE id = %s",  # noqa: S608
            ['{"token": "legacy"}', account.pk],
        )
    assert PlatformAccount.objects.get(pk=account.pk).credentials == {"token": "legacy"}
    migration = importlib.import_module("publishing.migrations.0005_encrypted_credentials")
    migration.encrypt_stored_credentials(apps, None)
    assert _stored(account).startswith("gAAAA")
    assert PlatformAccount.objects.get(pk=account.pk).credentials == {"token": "legacy"}

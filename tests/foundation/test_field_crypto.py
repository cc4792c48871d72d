"""AES-GCM field encryption round trip, tamper detection and blind-index lookup on both databases."""

import pytest

from selfservice.crypto import DecryptionError, FieldCipher
from selfservice.enums import SubjectKind
from selfservice.subjects import service
from selfservice.subjects.models import Subject

KEY = b"k" * 32


def test_round_trip_and_randomised_ciphertext():
    cipher = FieldCipher(KEY)
    a = cipher.encrypt("530102196001010016", context="subject.id_number")
    b = cipher.encrypt("530102196001010016", context="subject.id_number")
    assert a != b
    assert "530102196001010016" not in a
    assert cipher.decrypt(a, context="subject.id_number") == "530102196001010016"


def test_context_and_key_are_bound():
    cipher = FieldCipher(KEY)
    token = cipher.encrypt("13888000001", context="subject.phone")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, context="subject.id_number")
    with pytest.raises(DecryptionError):
        FieldCipher(b"j" * 32).decrypt(token, context="subject.phone")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(DecryptionError):
        cipher.decrypt(tampered, context="subject.phone")


def test_blind_index_is_deterministic_and_keyed():
    a, b = FieldCipher(KEY), FieldCipher(b"j" * 32)
    assert a.blind_index("x", context="c") == a.blind_index("x", context="c")
    assert a.blind_index("x", context="c") != b.blind_index("x", context="c")
    assert a.blind_index("x", context="c") != a.blind_index("y", context="c")


async def test_subject_lookup_through_blind_index(database):
    created = await service.upsert(
        kind=SubjectKind.NATURAL_PERSON,
        name="张三",
        id_number="530102196001010016",
        phone="13988000001",
        region_code="530102",
    )
    row = await Subject.get(id=created.id)
    assert "530102196001010016" not in (row.id_number_enc or "")
    assert "13988000001" not in (row.phone_enc or "")
    found = await service.find_by_identifier(identifier="530102196001010016")
    assert found.id == created.id
    assert service.id_number(found) == "530102196001010016"
    view = service.public_view(found)
    assert view["id_number"] == "5301**********0016"
    assert view["phone"] == "139****0001"
    assert view["name"] == "张*"


async def test_upsert_is_idempotent_and_rejects_bad_codes(database):
    from selfservice.errors import ValidationFailed

    for _ in range(2):
        await service.upsert(
            kind=SubjectKind.LEGAL_PERSON, name="某公司", uscc="y1530000mb00000014"
        )
    assert await Subject.filter(uscc="Y1530000MB00000014").count() == 1
    with pytest.raises(ValidationFailed):
        await service.upsert(kind=SubjectKind.LEGAL_PERSON, name="x", uscc="91530100MA6K0R1X6A")


def test_the_apps_data_key_is_used_not_the_environments(make_app, monkeypatch, settings):
    import base64

    from selfservice.subjects import pii

    other = base64.urlsafe_b64encode(b"e" * 32).decode()
    monkeypatch.setenv("DATA_KEY", other)
    monkeypatch.setenv("SELFSERVICE_ENV", "test")
    app = make_app(settings.database_url)
    token = pii.cipher().encrypt("13888000001", context=pii.PHONE_CONTEXT)
    assert FieldCipher(app.ctx.settings.data_key).decrypt(token, context=pii.PHONE_CONTEXT)
    with pytest.raises(DecryptionError):
        FieldCipher(b"e" * 32).decrypt(token, context=pii.PHONE_CONTEXT)

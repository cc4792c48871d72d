"""The worker's pass deletes evidence never attached to a case after a day, and only that."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from objection_factories import make_world
from upload_samples import noise_jpeg

from selfservice.accounts.models import Account, AgentAuthorisation
from selfservice.cases.actors import Actor
from selfservice.clock import Clock
from selfservice.evidence import service as evidence
from selfservice.evidence.models import Evidence
from selfservice.evidence.storage import LocalStorage
from selfservice.objections import service as objections
from selfservice.policy import load_policy


async def _stored(storage: LocalStorage, owner: Actor, seed: int) -> Evidence:
    upload = evidence.Upload(storage=storage, owner=owner, max_bytes=10**6)
    await upload.write(noise_jpeg(seed))
    return await upload.finish()


async def test_unattached_evidence_is_purged_after_a_day(database, tmp_path):
    world = await make_world()
    storage = LocalStorage(tmp_path)
    owner = world.subject_actor()
    old_loose, old_filed, fresh = [await _stored(storage, owner, i) for i in range(3)]
    letter = await _stored(storage, Actor("account", "1"), 3)
    account = await Account.create(kind="phone")
    await AgentAuthorisation.create(
        account=account,
        enterprise=world.subject,
        agent_name="李四",
        agent_person_index="p" * 64,
        letter_path=f"{evidence.LETTER_REF}{letter.id}",
        letter_sha256=letter.sha256,
        letter_content_type=letter.media_type,
    )
    await objections.file(
        actor=owner,
        filing=objections.Filing(
            world.record.id, "content_wrong", "处罚金额写错了，应为五百元", (str(old_filed.id),)
        ),
        policy=load_policy("kunming"),
        today=Clock().today(),
    )
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    await Evidence.filter(id__in=[old_loose.id, old_filed.id, letter.id]).update(
        created_at=two_days_ago
    )

    assert await evidence.purge_unattached(storage=storage, batch=1) == 1
    left = set(await Evidence.all().values_list("id", flat=True))
    assert left == {old_filed.id, fresh.id, letter.id}
    assert not await storage.exists(old_loose.storage_key)
    assert await storage.exists(old_filed.storage_key) and await storage.exists(fresh.storage_key)
    assert await evidence.purge_unattached(storage=storage) == 0

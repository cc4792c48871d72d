"""One contract for the shared store, run against the in-process store and the real Redis."""

import asyncio

import pytest

from handlers.redis_store import RedisStore
from selfservice.store import EPOCH_KEY, Locked, LockTimeout, MemoryStore, Recall, Write, key


@pytest.fixture(params=["memory", "redis"])
async def store(request):
    if request.param == "memory":
        instance = MemoryStore()
    else:
        instance = RedisStore(request.getfixturevalue("redis_url"))
    yield instance
    await instance.close()


def test_keys_are_prefixed():
    assert key("otp", "phone", 138) == "xy:otp:phone:138"


async def test_get_set_delete(store):
    assert await store.get(key("t", "a")) is None
    await store.set(key("t", "a"), "1")
    assert await store.get(key("t", "a")) == "1"
    await store.delete(key("t", "a"))
    assert await store.get(key("t", "a")) is None
    await store.delete(key("t", "absent"))


async def test_ttl_expires(store):
    await store.set(key("t", "ttl"), "v", ttl=0.2)
    remaining = await store.ttl(key("t", "ttl"))
    assert remaining is not None and 0 < remaining <= 0.2
    await asyncio.sleep(0.3)
    assert await store.get(key("t", "ttl")) is None
    await store.set(key("t", "forever"), "v")
    assert await store.ttl(key("t", "forever")) is None


async def test_set_if_absent(store):
    assert await store.set_if_absent(key("t", "nx"), "first", ttl=5)
    assert not await store.set_if_absent(key("t", "nx"), "second", ttl=5)
    assert await store.get(key("t", "nx")) == "first"


async def test_incr_sets_ttl_only_on_creation(store):
    k = key("t", "count")
    assert await store.incr(k, ttl=0.4) == 1
    assert await store.incr(k, ttl=10) == 2
    remaining = await store.ttl(k)
    assert remaining is not None and remaining <= 0.4
    await asyncio.sleep(0.5)
    assert await store.incr(k, ttl=10) == 1


async def test_incr_by_a_negative_amount_gives_back_but_never_creates(store):
    k = key("t", "refund")
    assert await store.incr(k, amount=-1) == 0
    assert await store.get(k) is None
    assert await store.incr(k, ttl=5) == 1
    assert await store.incr(k, ttl=5, amount=2) == 3
    assert await store.incr(k, amount=-1) == 2
    remaining = await store.ttl(k)
    assert remaining is not None and 0 < remaining <= 5


async def test_incr_is_atomic_under_concurrency(store):
    results = await asyncio.gather(*(store.incr(key("t", "race"), ttl=5) for _ in range(50)))
    assert sorted(results) == list(range(1, 51))


async def test_lock_serialises_and_times_out(store):
    order: list[str] = []

    async def worker(name: str) -> None:
        async with store.lock("job", ttl=5, wait=2):
            order.append(f"{name}-in")
            await asyncio.sleep(0.05)
            order.append(f"{name}-out")

    await asyncio.gather(worker("a"), worker("b"))
    assert order in (["a-in", "a-out", "b-in", "b-out"], ["b-in", "b-out", "a-in", "a-out"])

    async with store.lock("held", ttl=5, wait=0.1):
        with pytest.raises(LockTimeout):
            async with store.lock("held", ttl=5, wait=0.1):
                pass


async def test_lock_expires_when_holder_dies(store):
    assert await store.set_if_absent(key("lock", "stale"), "dead-holder", ttl=0.2)
    async with store.lock("stale", ttl=5, wait=1):
        pass


LOCK, STATE, CLAIM = key("lock", "u1"), key("state", "u1"), key("claim", "m1")


async def test_lock_get_claims_locks_and_reads_in_one_step(store):
    await store.set(STATE, "s0")
    got = await store.lock_get(LOCK, "t1", STATE, ttl=5, claim=Write(CLAIM, "pending", ttl=5))
    assert (got.claimed, got.locked, got.value, got.prior) == (True, True, "s0", None)
    assert await store.get(CLAIM) == "pending" and await store.get(LOCK) == "t1"
    assert 0 < await store.ttl(CLAIM) <= 5 and 0 < await store.ttl(LOCK) <= 5


async def test_lock_get_on_a_held_claim_takes_nothing(store):
    await store.set(CLAIM, "done:x")
    got = await store.lock_get(LOCK, "t1", STATE, ttl=5, claim=Write(CLAIM, "pending", ttl=5))
    assert (got.claimed, got.locked, got.prior) == (False, False, "done:x")
    assert await store.get(LOCK) is None and await store.get(CLAIM) == "done:x"


async def test_a_used_once_key_takes_nothing_and_gives_the_claim_back(store):
    once = Write(key("nonce", "n1"), "1", ttl=5)
    first = await store.lock_get(
        LOCK, "t1", STATE, ttl=5, claim=Write(CLAIM, "p", ttl=5), once=once
    )
    assert (first.claimed, first.locked, first.replayed) == (True, True, False)
    await store.write_unlock(LOCK, "t1", [])
    other = key("claim", "m2")
    again = await store.lock_get(
        LOCK, "t2", STATE, ttl=5, claim=Write(other, "p", ttl=5), once=once
    )
    assert (again.claimed, again.locked, again.replayed) == (False, False, True)
    assert await store.get(other) is None and await store.get(LOCK) is None
    assert 0 < await store.ttl(once.key) <= 5


async def test_a_message_from_before_the_store_epoch_takes_nothing(store):
    now = 1_800_000_000.0

    async def take(born: int, claim: str) -> Locked:
        got = await store.lock_get(
            LOCK,
            "t",
            STATE,
            ttl=5,
            claim=Write(key("claim", claim), "p", ttl=5),
            once=Write(key("nonce", claim), "1", ttl=5),
            recall=Recall(born, 600, now),
        )
        if got.locked:
            await store.write_unlock(LOCK, "t", [])
        return got

    assert (await take(int(now), "fresh")).locked  # the first use sets the epoch to now
    assert await store.get(EPOCH_KEY) == str(int(now))
    stale = await take(int(now) - 5, "stale")
    assert (stale.forgotten, stale.claimed, stale.locked) == (True, False, False)
    assert await store.get(key("claim", "stale")) is None
    assert (await take(int(now) - 3600, "ancient")).locked  # far outside any redelivery


async def test_lock_get_on_a_held_lock_keeps_the_claim(store):
    await store.set(LOCK, "other", ttl=5)
    got = await store.lock_get(LOCK, "t1", STATE, ttl=5, claim=Write(CLAIM, "pending", ttl=5))
    assert (got.claimed, got.locked, got.value) == (True, False, None)
    assert await store.get(LOCK) == "other" and await store.get(CLAIM) == "pending"
    again = await store.lock_get(LOCK, "t1", STATE, ttl=5)
    assert (again.claimed, again.locked) == (True, False)


async def test_write_unlock_writes_deletes_and_releases(store):
    await store.set(LOCK, "t1", ttl=5)
    await store.set(key("t", "gone"), "x")
    await store.set(CLAIM, "pending")
    await store.write_unlock(
        LOCK,
        "t1",
        [
            Write(STATE, "", ttl=5),
            Write(key("t", "gone"), None),
            Write(CLAIM, "done:ok", ttl=5, expect="pending"),
            Write(key("t", "skipped"), "no", expect="pending"),
        ],
    )
    assert await store.get(STATE) == "" and 0 < await store.ttl(STATE) <= 5
    assert await store.get(key("t", "gone")) is None
    assert await store.get(CLAIM) == "done:ok"
    assert await store.get(key("t", "skipped")) is None
    assert await store.get(LOCK) is None


async def test_write_unlock_leaves_someone_elses_lock(store):
    await store.set(LOCK, "newer-holder", ttl=5)
    await store.set(CLAIM, "late")
    await store.write_unlock(LOCK, "t1", [Write(CLAIM, "done:x", expect="pending")])
    assert await store.get(LOCK) == "newer-holder" and await store.get(CLAIM) == "late"


async def test_ping(store):
    assert await store.ping()


async def test_redis_ping_reports_down():
    dead = RedisStore("redis://127.0.0.1:1/0")
    assert not await dead.ping()
    await dead.close()

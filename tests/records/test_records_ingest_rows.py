"""Provider ingestion: valid, mixed, replayed batches, amendments and revocations."""

from __future__ import annotations

from records_helpers import TODAY, uscc  # type: ignore[import-not-found]

from selfservice.enums import ListKind, RecordStatus
from selfservice.measures.models import RecordMeasure
from selfservice.records.ingest import ingest
from selfservice.records.models import CreditRecord, ListEntry, RecordEvent
from selfservice.subjects.models import Subject


async def test_valid_batch_creates_records_subjects_and_measures(world, make_row):
    rows = [make_row(1), make_row(2, severity="severe", measures=["bid_restrict"])]
    report = await ingest(rows=rows, provider=world.market, policy=world.kunming, today=TODAY)
    assert report["counts"] == {"created": 2}
    assert await Subject.filter(uscc__in=[uscc(1), uscc(2)]).count() == 2
    severe = await CreditRecord.get(document_number="昆市监罚〔2025〕2号")
    assert severe.flags["period"]["id"] == "record.bad.period"
    assert await RecordMeasure.filter(record=severe).count() == 1
    entry = await ListEntry.get(record=severe)
    assert (
        entry.kind is ListKind.SEVERE_DISHONESTY
        and entry.listed_through == severe.published_through
    )
    assert await RecordEvent.filter(record=severe, action="created").count() == 1


async def test_mixed_batch_reports_each_bad_row_and_writes_only_good_ones(world, make_row):
    bad_check = uscc(3)[:-1] + ("0" if uscc(3)[-1] != "0" else "1")
    rows = [
        make_row(1),
        make_row(3, identifier=bad_check),
        make_row(4, **{"class": "not_in_catalogue"}),
        make_row(5, finding_date="2025-06-10", publicity_start="2025-06-01"),
        make_row(6, measures=["no_such_measure"]),
        make_row(7, measures=["green_channel"]),
        make_row(8, nature="good", severity=None, **{"class": "administrative_penalty"}),
        make_row(9, finding_date="2030-01-01"),
        make_row(10),
    ]
    report = await ingest(rows=rows, provider=world.market, policy=world.kunming, today=TODAY)
    assert report["counts"] == {"created": 2, "error": 7}
    codes = {r["row"]: [e["code"] for e in r.get("errors", [])] for r in report["rows"]}
    assert codes[2] == ["invalid_identifier"]
    assert codes[3] == ["unknown_record_class"]
    assert codes[4] == ["before_finding"]
    assert codes[5] == ["unknown_measure"]
    assert codes[6] == ["measure_kind_mismatch"]
    assert codes[7] == ["nature_mismatch", "measure_kind_mismatch"]
    assert codes[8] == ["in_future"]
    assert await CreditRecord.all().count() == 2
    assert await Subject.all().count() == 2  # no subject written for a bad row


async def test_all_or_nothing_batch_writes_nothing_when_a_row_is_bad(world, make_row):
    rows = [make_row(1), make_row(2, finding_date="not a date")]
    report = await ingest(
        rows=rows, provider=world.market, policy=world.kunming, today=TODAY, all_or_nothing=True
    )
    assert report["written"] is False
    assert [r["result"] for r in report["rows"]] == ["skipped", "error"]
    assert await CreditRecord.all().count() == 0
    # an error found only while writing (amending an unknown record) also rolls the batch back
    rows = [make_row(1), make_row(2, action="amend", reason="更正")]
    report = await ingest(
        rows=rows, provider=world.market, policy=world.kunming, today=TODAY, all_or_nothing=True
    )
    assert report["written"] is False and await CreditRecord.all().count() == 0


async def test_replayed_batch_is_unchanged(world, make_row):
    rows = [make_row(1), make_row(2)]
    await ingest(rows=rows, provider=world.market, policy=world.kunming, today=TODAY)
    again = await ingest(rows=rows, provider=world.market, policy=world.kunming, today=TODAY)
    assert again["counts"] == {"unchanged": 2}
    assert await CreditRecord.all().count() == 2
    assert await RecordEvent.all().count() == 2
    # same document number with different content is not silently merged
    clash = await ingest(
        rows=[make_row(1, title="另一标题")],
        provider=world.market,
        policy=world.kunming,
        today=TODAY,
    )
    assert clash["rows"][0]["errors"][0]["code"] == "exists"
    # the same document number from another provider is another record
    other = await ingest(rows=[make_row(1)], provider=world.tax, policy=world.kunming, today=TODAY)
    assert other["counts"] == {"created": 1}


async def test_amendment_corrects_recomputes_and_notifies_departments(world, make_row):
    await ingest(rows=[make_row(1)], provider=world.market, policy=world.kunming, today=TODAY)
    record = await CreditRecord.get(document_number="昆市监罚〔2025〕1号")
    await RecordMeasure.filter(record=record).update(department_id=world.county.id)
    amended = make_row(1, action="amend", severity="minor", reason="处罚决定变更为警告")
    report = await ingest(rows=[amended], provider=world.market, policy=world.kunming, today=TODAY)
    assert report["counts"] == {"amended": 1}
    await record.refresh_from_db()
    assert record.status is RecordStatus.CORRECTED and record.severity.value == "minor"
    events = await RecordEvent.filter(record=record).order_by("id")
    assert [e.action for e in events] == ["created", "amended", "corrected", "department_notified"]
    assert events[1].data["changes"]["severity"] == {"from": "general", "to": "minor"}
    assert events[2].data["changes"] == events[1].data["changes"]  # the correction says what
    assert events[3].data["department"] == "盘龙区人力资源和社会保障局"
    again = await ingest(rows=[amended], provider=world.market, policy=world.kunming, today=TODAY)
    assert again["counts"] == {"unchanged": 1}


async def test_revocation_ends_measures_and_list_and_is_idempotent(world, make_row):
    row = make_row(1, severity="severe", measures=["bid_restrict"])
    await ingest(rows=[row], provider=world.market, policy=world.kunming, today=TODAY)
    record = await CreditRecord.get(document_number=row["document_number"])
    await ListEntry.filter(record=record).update(department_id=world.tax.id)
    revoke = {"action": "revoke", "document_number": row["document_number"], "reason": "复议撤销"}
    report = await ingest(rows=[revoke], provider=world.market, policy=world.kunming, today=TODAY)
    assert report["counts"] == {"revoked": 1}
    await record.refresh_from_db()
    assert record.status is RecordStatus.REVOKED
    assert (await ListEntry.get(record=record)).exited_on == TODAY
    assert not (await RecordMeasure.get(record=record)).in_force
    notified = await RecordEvent.filter(record=record, action="department_notified")
    assert [e.data["department"] for e in notified] == ["国家税务总局昆明市税务局"]
    replay = await ingest(rows=[revoke], provider=world.market, policy=world.kunming, today=TODAY)
    assert replay["counts"] == {"unchanged": 1}
    no_reason = await ingest(
        rows=[{"action": "revoke", "document_number": "x"}],
        provider=world.market,
        policy=world.kunming,
        today=TODAY,
    )
    assert no_reason["rows"][0]["errors"][0]["field"] == "reason"


async def test_citizen_rows_go_through_the_encrypted_identifier(world, make_row):
    row = make_row(
        1,
        identifier="530102196001010016",
        subject_name="张三",
        **{"class": "social_insurance_arrears"},
    )
    report = await ingest(rows=[row], provider=world.county, policy=world.kunming, today=TODAY)
    assert report["counts"] == {"created": 1}
    subject = await Subject.get()
    assert subject.uscc is None and "530102196001010016" not in (subject.id_number_enc or "")

"""``selfservice demo`` prints, for every fictional subject, exactly what verification asks for."""

from __future__ import annotations

from selfservice.commands import demo as command
from selfservice.demo.loader import load_demo
from selfservice.verification.verifiers import RegistryVerifier


async def test_printed_details_pass_verification(database, capsys):
    summary = await load_demo()
    command._print(summary)
    out = capsys.readouterr().out
    verifier = RegistryVerifier()
    enterprises = [s for s in summary.subjects if s.rep_name]
    citizens = [s for s in summary.subjects if not s.rep_name]
    assert enterprises and citizens
    for s in enterprises:
        assert f"legal representative {s.rep_name}, ID number {s.rep_id}" in out
        assert s.code in out and s.name in out and s.phone in out
        match = await verifier.match_enterprise(
            uscc=s.code, name=s.name, rep_name=s.rep_name, rep_id_number=s.rep_id
        )
        assert match is not None and match.phone == s.phone
    for s in citizens:
        assert s.code in out and s.name in out
        match = await verifier.match_person(name=s.name, id_number=s.code, phone=None)
        assert match is not None and match.phone == s.phone
    assert "server log" in out

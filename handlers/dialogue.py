"""The dialogue engine, built once per worker and shared by the WeChat and web chat routes."""

from __future__ import annotations

from sanic import Sanic

from nlp import faq
from nlp.dialogue.engine import Engine
from nlp.dialogue.turn import Services
from nlp.matcher import IntentMatcher
from nlp.skills import registry


async def open_dialogue(app: Sanic) -> None:
    """Listener: ``app.ctx.dialogue`` (matcher and tokenizer load here, not on the first message)."""
    if getattr(app.ctx, "dialogue", None) is not None:
        return
    faq.load()
    services = Services(
        app.ctx.settings, app.ctx.store, getattr(app.ctx, "policy", None), app.ctx.clock
    )
    app.ctx.dialogue = Engine(
        skills=registry(), services=services, classify=IntentMatcher.load().classify
    )


def engine_of(app: Sanic) -> Engine:
    return app.ctx.dialogue

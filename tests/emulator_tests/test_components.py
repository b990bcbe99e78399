"""Buttons, modals, deferrals, followups and edits of the original response."""

from __future__ import annotations

import pytest

from tests.emulator import CallbackType, DiscordEmulator

from .conftest import TinyBot


async def test_button_reaches_the_persistent_view_after_a_client_restart(emu: DiscordEmulator) -> None:
    alice = emu.add_member("alice", display_name="Alice")
    qa = emu.add_text_channel("qa")
    async with emu.run_client(TinyBot(emu.guild.id)):
        await emu.slash("post", {"text": "Q1: why?"}, user=emu.owner, channel=qa)
    [card] = emu.messages_in(qa)
    assert card.custom_ids == ["vote:up", "vote:track"]

    async with emu.run_client(TinyBot(emu.guild.id)) as restarted:
        result = await emu.click(card, "vote:up", user=alice)

    assert result.callback_type == CallbackType.CHANNEL_MESSAGE
    assert result.content == "Vote counted, Alice."
    assert restarted.seen == [("vote", alice.id, card.id)]
    assert len(emu.sessions) == 2  # two clients, two IDENTIFYs


async def test_click_on_a_missing_component_is_refused_before_sending(emu: DiscordEmulator, bot: TinyBot) -> None:
    await emu.slash("post", {"text": "Q1"}, user=emu.owner)
    [card] = emu.messages_in(emu.general)
    with pytest.raises(LookupError, match="no component 'vote:down'"):
        await emu.click(card, "vote:down", user=emu.owner)


async def test_modal_submit_reaches_the_modal(emu: DiscordEmulator, bot: TinyBot) -> None:
    alice = emu.add_member("alice")
    opened = await emu.slash("feedback", user=alice)
    assert opened.modal is not None
    assert opened.modal["custom_id"] == "feedback:modal"

    submitted = await emu.submit_modal(opened, {"feedback:text": "Great talk"})

    assert submitted.content == "Thanks for: Great talk"
    assert ("feedback", alice.id, "Great talk") in bot.seen


async def test_followup_and_edit_of_the_original_are_recorded(emu: DiscordEmulator, bot: TinyBot) -> None:
    mod = emu.add_member("mod")
    result = await emu.slash("qa next", user=mod)

    [edit] = await result.wait_original_edits(1)
    [followup] = await result.wait_followups(1)

    assert edit["content"] == "Queue: 1 left"
    assert result.response is not None
    assert result.response.content == "Queue: 1 left"
    assert result.response.flags & 128 == 0  # no longer "thinking"
    assert followup.content == "Next: why?"
    assert followup.ephemeral
    assert followup is not result.response
    assert emu.requests_matching("PATCH", rf"/webhooks/{emu.application_id}/[^/]+/messages/@original")
    await emu.wait_until(lambda: ("original", "Queue: 1 left") in bot.seen, what="the handler to finish")


async def test_first_followup_after_thinking_fills_the_loading_message(emu: DiscordEmulator, bot: TinyBot) -> None:
    result = await emu.slash("announce", user=emu.owner)
    [followup] = await result.wait_followups(1)

    assert result.response is followup
    assert [m.content for m in emu.messages_in(emu.general)] == ["Session starts now."]


async def test_select_menu_choice_updates_the_message(emu: DiscordEmulator, bot: TinyBot) -> None:
    alice = emu.add_member("alice")
    await emu.slash("post", {"text": "Pick a track"}, user=emu.owner)
    [card] = emu.messages_in(emu.general)

    result = await emu.select(card, "vote:track", ["posters"], user=alice)

    assert result.callback_type == CallbackType.UPDATE_MESSAGE
    assert card.content == "Track: posters"  # the message itself was edited by the callback
    assert ("track", alice.id, ("posters",)) in bot.seen


async def test_original_response_is_fetched_as_edited(emu: DiscordEmulator, bot: TinyBot) -> None:
    result = await emu.slash("qa next", user=emu.owner)
    await emu.wait_until(lambda: ("original", "Queue: 1 left") in bot.seen, what="GET @original")
    assert emu.requests_matching("GET", rf"/webhooks/{emu.application_id}/{result.token}/messages/@original")

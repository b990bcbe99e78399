"""Messages the bot posts through the real client: payloads kept raw, mentions, edits, files, limits, permissions."""

from __future__ import annotations

import io

import discord
import pytest

from tests.emulator import DiscordEmulator, Permission

from .conftest import TinyBot


def text_channel(bot: TinyBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_allowed_mentions_none_is_recorded_and_pings_nobody(emu: DiscordEmulator, bot: TinyBot) -> None:
    alice = emu.add_member("alice")
    sent = await text_channel(bot, emu.general.id).send(
        f"<@{alice.id}> asked: @everyone why?", allowed_mentions=discord.AllowedMentions.none()
    )
    stored = emu.message(sent.id)
    assert stored.allowed_mentions == {"parse": []}
    assert stored.sent["allowed_mentions"] == {"parse": []}
    assert stored.pinged_user_ids == []
    assert not stored.data["mention_everyone"]


async def test_mentions_without_allowed_mentions_ping_the_user(emu: DiscordEmulator, bot: TinyBot) -> None:
    alice = emu.add_member("alice")
    sent = await text_channel(bot, emu.general.id).send(f"Your question is next, <@{alice.id}>")
    assert emu.message(sent.id).pinged_user_ids == [alice.id]


async def test_embeds_and_components_are_stored_as_sent(emu: DiscordEmulator, bot: TinyBot) -> None:
    embed = discord.Embed(title="Keynote", description="Starts <t:1767225600:R>")
    embed.add_field(name="Room", value="Main hall")
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="Join", url="https://example.org/stream"))
    sent = await text_channel(bot, emu.general.id).send(embed=embed, view=view)

    stored = emu.message(sent.id)
    assert stored.embeds[0]["title"] == "Keynote"
    assert stored.embeds[0]["fields"][0]["value"] == "Main hall"
    assert stored.components[0]["components"][0]["url"] == "https://example.org/stream"
    assert sent.embeds[0].title == "Keynote"  # the client parsed the echoed message


async def test_edit_and_delete_are_recorded(emu: DiscordEmulator, bot: TinyBot) -> None:
    channel = text_channel(bot, emu.general.id)
    sent = await channel.send("Starting in 5 minutes")
    await sent.edit(content="Starting now")
    await sent.delete()

    stored = emu.message(sent.id)
    assert stored.sent["content"] == "Starting in 5 minutes"
    assert [e["content"] for e in stored.edits] == ["Starting now"]
    assert stored.deleted
    assert emu.messages_in(emu.general) == []
    assert emu.messages_in(emu.general, include_deleted=True) == [stored]


async def test_attachment_upload_is_stored_and_downloadable(emu: DiscordEmulator, bot: TinyBot) -> None:
    file = discord.File(io.BytesIO(b"id,question\n1,why?\n"), filename="questions.csv")
    sent = await text_channel(bot, emu.general.id).send("Export", file=file)

    stored = emu.message(sent.id)
    assert stored.files == {"questions.csv": b"id,question\n1,why?\n"}
    assert stored.data["attachments"][0]["filename"] == "questions.csv"
    assert await sent.attachments[0].read() == b"id,question\n1,why?\n"


async def test_history_pages_newest_first(emu: DiscordEmulator, bot: TinyBot) -> None:
    # Five posts in a row spend the channel's budget, and discord.py would then wait five seconds for its reset:
    # this test is about paging, not pacing.
    emu.set_message_limit(None)
    channel = text_channel(bot, emu.general.id)
    for n in range(5):
        await channel.send(f"message {n}")
    history = [m.content async for m in channel.history(limit=3)]
    assert history == ["message 4", "message 3", "message 2"]
    fetched = await channel.fetch_message(emu.messages_in(emu.general)[0].id)
    assert fetched.content == "message 0"


async def test_oversized_embed_is_rejected_like_discord(emu: DiscordEmulator, bot: TinyBot) -> None:
    embed = discord.Embed(title="x" * 257)
    with pytest.raises(discord.HTTPException) as caught:
        await text_channel(bot, emu.general.id).send(embed=embed)
    assert caught.value.status == 400
    assert caught.value.code == 50035
    assert "embeds.0.title" in str(caught.value)


async def test_missing_send_permission_is_forbidden(emu: DiscordEmulator, bot: TinyBot) -> None:
    locked = emu.add_text_channel("announcements", overwrites={emu.guild.everyone_role: (0, Permission.SEND_MESSAGES)})
    emu.set_bot_permissions(Permission.VIEW_CHANNEL)
    channel = await emu.wait_until(lambda: bot.get_channel(locked.id), what="CHANNEL_CREATE")
    assert isinstance(channel, discord.TextChannel)
    await emu.wait_until(
        lambda: not channel.permissions_for(channel.guild.me).send_messages,
        what="the client to see the reduced permissions",
    )
    with pytest.raises(discord.Forbidden) as caught:
        await channel.send("Hello")
    assert caught.value.code == 50013


async def test_bot_reaction_is_recorded(emu: DiscordEmulator, bot: TinyBot) -> None:
    sent = await text_channel(bot, emu.general.id).send("Vote with a reaction")
    await sent.add_reaction("👍")
    assert emu.message(sent.id).reactions == {"👍": [emu.bot.id]}


async def test_user_message_reaches_the_client_without_content_unless_intended(
    emu: DiscordEmulator, bot: TinyBot
) -> None:
    alice = emu.add_member("alice")
    received: list[discord.Message] = []

    async def on_message(message: discord.Message) -> None:
        received.append(message)

    bot.add_listener(on_message)
    emu.post_as(alice, emu.general, "hello chairbot")
    await emu.wait_until(lambda: received, what="on_message")
    assert received[0].author.id == alice.id
    assert received[0].content == ""  # no message-content intent: Discord blanks what others wrote

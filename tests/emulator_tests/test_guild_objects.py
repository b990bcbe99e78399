"""Threads, DMs, fetching guild objects, and guild scheduled events through the real client."""

from __future__ import annotations

import datetime as dt

import discord
import pytest

from tests.emulator import ChannelType, DiscordEmulator, Permission

from .conftest import TinyBot


def text_channel(bot: TinyBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_thread_started_from_a_message_takes_its_id(emu: DiscordEmulator, bot: TinyBot) -> None:
    card = await text_channel(bot, emu.general.id).send("Q&A: Keynote")
    thread = await card.create_thread(name="Keynote questions", auto_archive_duration=60)
    await thread.send("First!")

    [stored] = emu.threads_in(emu.general)
    assert thread.id == card.id == stored.id
    assert stored.type == ChannelType.PUBLIC_THREAD
    assert stored.name == "Keynote questions"
    assert [m.content for m in emu.messages_in(stored)] == ["First!"]
    assert emu.requests_matching("POST", rf"/channels/{emu.general.id}/messages/{card.id}/threads")


async def test_thread_created_in_a_channel_is_public_when_asked(emu: DiscordEmulator, bot: TinyBot) -> None:
    thread = await text_channel(bot, emu.general.id).create_thread(
        name="Hallway track", type=discord.ChannelType.public_thread
    )
    [stored] = emu.threads_in(emu.general)
    assert stored.id == thread.id
    assert stored.type == ChannelType.PUBLIC_THREAD
    guild = thread.guild
    await emu.wait_until(lambda: guild.get_thread(thread.id), what="THREAD_CREATE to reach the cache")


async def test_dm_to_a_member_lands_in_their_dm_channel(emu: DiscordEmulator, bot: TinyBot) -> None:
    alice = emu.add_member("alice")
    user = await bot.fetch_user(alice.id)
    await user.send("Your question is up next.")
    await user.send("Reminder: talk in 5 minutes.")

    assert [m.content for m in emu.dms_to(alice)] == ["Your question is up next.", "Reminder: talk in 5 minutes."]
    assert len(emu.requests_matching("POST", "/users/@me/channels")) == 1  # discord.py caches the DM channel


async def test_dm_to_a_member_who_closed_dms_is_forbidden(emu: DiscordEmulator, bot: TinyBot) -> None:
    shy = emu.add_member("shy", accepts_dms=False)
    user = await bot.fetch_user(shy.id)
    with pytest.raises(discord.Forbidden) as caught:
        await user.send("Hello")
    assert caught.value.code == 50007


async def test_guild_channels_roles_and_members_can_be_fetched(emu: DiscordEmulator, bot: TinyBot) -> None:
    moderator = emu.add_role("Moderator")
    alice = emu.add_member("alice", roles=[moderator])
    guild = await bot.fetch_guild(emu.guild.id)
    channels = await guild.fetch_channels()
    roles = await guild.fetch_roles()
    member = await guild.fetch_member(alice.id)

    assert guild.name == "Workshop"
    assert [c.name for c in channels] == ["general"]
    assert {"@everyone", "chairbot", "Moderator"} == {r.name for r in roles}
    assert member.id == alice.id
    assert [r.id for r in member.roles if not r.is_default()] == [moderator.id]
    with pytest.raises(discord.NotFound):
        await guild.fetch_member(12345)


async def test_external_scheduled_event_create_edit_delete_round_trip(emu: DiscordEmulator, bot: TinyBot) -> None:
    guild = bot.get_guild(emu.guild.id)
    assert guild is not None
    start = discord.utils.utcnow().replace(microsecond=0) + dt.timedelta(days=1)
    tz = dt.timezone(dt.timedelta(hours=2))

    event = await guild.create_scheduled_event(
        name="Keynote",
        start_time=start.astimezone(tz),
        end_time=start + dt.timedelta(hours=1),
        entity_type=discord.EntityType.external,
        privacy_level=discord.PrivacyLevel.guild_only,
        location="Main hall / stream",
        description="Opening keynote",
    )
    [stored] = emu.scheduled_events()
    assert stored.sent["entity_metadata"] == {"location": "Main hall / stream"}
    assert stored.data["scheduled_start_time"] == start.isoformat()  # normalised to UTC
    assert event.start_time == start
    assert event.location == "Main hall / stream"

    edited = await event.edit(
        name="Keynote (moved)", start_time=start + dt.timedelta(minutes=30), end_time=start + dt.timedelta(minutes=90)
    )
    assert edited.name == "Keynote (moved)"
    assert stored.edits[-1]["name"] == "Keynote (moved)"
    assert [e.name for e in await guild.fetch_scheduled_events()] == ["Keynote (moved)"]

    await edited.delete()
    assert emu.scheduled_events() == []
    assert stored.deleted


async def test_scheduled_event_in_the_past_is_refused(emu: DiscordEmulator, bot: TinyBot) -> None:
    guild = bot.get_guild(emu.guild.id)
    assert guild is not None
    start = discord.utils.utcnow() - dt.timedelta(hours=1)
    with pytest.raises(discord.HTTPException) as caught:
        await guild.create_scheduled_event(
            name="Too late",
            start_time=start,
            end_time=start + dt.timedelta(hours=2),
            entity_type=discord.EntityType.external,
            location="Room 1",
        )
    assert caught.value.code == 50035
    assert "past" in str(caught.value)


async def test_scheduled_event_without_entity_type_is_refused(emu: DiscordEmulator, bot: TinyBot) -> None:
    guild = bot.get_guild(emu.guild.id)
    assert guild is not None
    start = discord.utils.utcnow() + dt.timedelta(hours=1)
    # discord.py infers "external" from the location but then leaves entity_type out of the request.
    with pytest.raises(discord.HTTPException, match="entity_type"):
        await guild.create_scheduled_event(
            name="Implicit", start_time=start, end_time=start + dt.timedelta(hours=1), location="Room 1"
        )


async def test_archived_thread_comes_back_when_the_bot_posts(emu: DiscordEmulator, bot: TinyBot) -> None:
    card = await text_channel(bot, emu.general.id).send("Q&A: Posters")
    thread = await card.create_thread(name="Poster questions")
    await thread.edit(archived=True)
    [stored] = emu.threads_in(emu.general)
    assert stored.archived

    await thread.send("One more question")

    assert not emu.threads_in(emu.general)[0].archived
    assert [m.content for m in emu.messages_in(stored)] == ["One more question"]


async def test_channel_edit_needs_manage_channels(emu: DiscordEmulator, bot: TinyBot) -> None:
    channel = text_channel(bot, emu.general.id)
    with pytest.raises(discord.Forbidden):
        await channel.edit(topic="Now: Keynote")

    emu.set_bot_permissions(emu.guild.bot_role.permissions | Permission.MANAGE_CHANNELS)
    await emu.wait_until(lambda: channel.permissions_for(channel.guild.me).manage_channels, what="ROLE_UPDATE")
    await channel.edit(topic="Now: Keynote")
    assert emu.general.topic == "Now: Keynote"


async def test_pin_is_recorded_and_announced(emu: DiscordEmulator, bot: TinyBot) -> None:
    channel = text_channel(bot, emu.general.id)
    question = await channel.send("On stage: why?")
    await question.pin()

    stored = emu.message(question.id)
    assert stored.pinned_at is not None
    notice = emu.messages_in(emu.general)[-1]
    assert notice.data["type"] == 6  # Discord's "pinned a message" system message
    assert [m.id async for m in channel.pins()] == [question.id]

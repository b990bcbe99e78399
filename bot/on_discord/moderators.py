"""``/qa``: the moderators' controls over the Q&A queue. Every command checks the moderator role in code."""

from __future__ import annotations

import io
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.chair import Chair
from bot.messages import escape_text, shorten
from bot.on_discord.access import chair_of, is_organizer, moderators_only
from bot.on_discord.replies import answer_in_time, reply, send_long
from bot.on_discord.transformers import QASession
from bot.qa.export import render_export
from bot.qa.model import Status
from bot.signin import LINK_TTL, Member, Role

Previous = Literal["answered", "queued", "dismissed"]
ExportFormat = Literal["md", "csv", "json"]


class Moderation(commands.Cog):
    qa = app_commands.Group(
        name="qa",
        description="Moderators: run the Q&A queue.",
        default_permissions=discord.Permissions(manage_messages=True),
        guild_only=True,
    )

    def __init__(self, chair: Chair) -> None:
        self.chair = chair

    async def _question_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        """Questions of the live session, pending review first, as ``#id ▲votes text``."""
        session = self.chair.schedule.qa_session_at(self.chair.clock())
        if session is None:
            return []
        pending = await self.chair.qa.pending_review(session.id, 10)
        queued = [item.question for item in await self.chair.qa.queue(session.id, 15)]
        wanted = current.casefold().strip().lstrip("#")
        choices = []
        for question in pending + queued:
            label = f"#{question.id} ▲{question.votes} {question.status.value}: {question.text}"
            if wanted in label.casefold():
                choices.append(app_commands.Choice(name=shorten(" ".join(label.split()), 100), value=question.id))
        return choices[:25]

    # -- the stage -------------------------------------------------------------------------------------

    @qa.command(name="next", description="Put the top queued question on stage.")
    @app_commands.describe(
        session="The session (defaults to the live one)",
        previous="What becomes of the question on stage now (default: answered)",
    )
    @moderators_only()
    async def next_(
        self, interaction: discord.Interaction[Any], session: QASession | None = None, previous: Previous = "answered"
    ) -> None:
        # Posting on stage may wait out Discord's rate limits: defer first so the 3-second window is kept.
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.chair.next_on_stage(
            session.id if session else None, str(interaction.user.id), previous=Status(previous)
        )
        await reply(interaction, render.stage_reply(result))

    @qa.command(name="queue", description="The queue with question ids, including questions awaiting review.")
    @app_commands.describe(session="The session (defaults to the live one)")
    @moderators_only()
    async def queue(self, interaction: discord.Interaction[Any], session: QASession | None = None) -> None:
        target = session or self.chair.resolve_session(None)
        items = await answer_in_time(interaction, self.chair.qa.queue(target.id, 25))
        pending = await self.chair.qa.pending_review(target.id, 25)
        settings = await self.chair.qa.session_settings(target.id)
        lines = [render.queue_text(target, items)]
        if pending:
            lines.append("**Awaiting review** (approve with `/qa approve`):")
            lines.extend(
                f"#{q.id} — {escape_text(shorten(q.text, 300), one_line=True)} — *{escape_text(q.author_name)}*"
                for q in pending
            )
        lines.append(
            f"Q&A is {'open' if settings.qa_open else 'closed'}"
            f"{', with pre-moderation' if settings.pre_moderation else ''}. Ids: "
            + (", ".join(f"#{i.question.id}" for i in items) or "none")
        )
        await send_long(interaction, "\n".join(lines))

    # -- one question -------------------------------------------------------------------------------------

    @qa.command(name="answered", description="Mark a question answered.")
    @moderators_only()
    async def answered(self, interaction: discord.Interaction[Any], question: int) -> None:
        done = await self.chair.qa.mark_answered(question, str(interaction.user.id))
        await reply(interaction, f"#{done.id} is marked answered.")

    @qa.command(name="dismiss", description="Decline a question, with a reason.")
    @moderators_only()
    async def dismiss(
        self, interaction: discord.Interaction[Any], question: int, reason: app_commands.Range[str, 1, 300]
    ) -> None:
        done = await self.chair.qa.dismiss(question, str(interaction.user.id), reason)
        await reply(interaction, f"#{done.id} is dismissed.")

    @qa.command(name="hide", description="Hide a question from every public view (abuse, spam).")
    @moderators_only()
    async def hide(
        self,
        interaction: discord.Interaction[Any],
        question: int,
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        done = await self.chair.qa.hide(question, str(interaction.user.id), reason)
        await reply(interaction, f"#{done.id} is hidden.")

    @qa.command(name="restore", description="Put a hidden, dismissed or answered question back in the queue.")
    @moderators_only()
    async def restore(self, interaction: discord.Interaction[Any], question: int) -> None:
        done = await self.chair.qa.restore(question, str(interaction.user.id))
        await reply(interaction, f"#{done.id} is back in the queue.")

    @qa.command(name="approve", description="Let a question awaiting review into the queue.")
    @moderators_only()
    async def approve(self, interaction: discord.Interaction[Any], question: int) -> None:
        done = await self.chair.qa.approve(question, str(interaction.user.id))
        await reply(interaction, f"#{done.id} is approved and queued.")

    @answered.autocomplete("question")
    @dismiss.autocomplete("question")
    @hide.autocomplete("question")
    @restore.autocomplete("question")
    @approve.autocomplete("question")
    async def _question(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[int]]:
        return await self._question_choices(interaction, current)

    # -- sessions and people ----------------------------------------------------------------------------

    @qa.command(name="open", description="Open Q&A for a session.")
    @moderators_only()
    async def open_(self, interaction: discord.Interaction[Any], session: QASession | None = None) -> None:
        target = session or self.chair.resolve_session(None)
        await self.chair.qa.open_session(target.id, str(interaction.user.id))
        await reply(interaction, f"Q&A is open for {render.session_title(target)}.")

    @qa.command(name="close", description="Close Q&A for a session.")
    @moderators_only()
    async def close(self, interaction: discord.Interaction[Any], session: QASession | None = None) -> None:
        target = session or self.chair.resolve_session(None)
        await self.chair.qa.close_session(target.id, str(interaction.user.id))
        await reply(interaction, f"Q&A is closed for {render.session_title(target)}.")

    @qa.command(name="ban", description="Stop a member asking and voting.")
    @moderators_only()
    async def ban(
        self,
        interaction: discord.Interaction[Any],
        member: discord.User,
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        changed = await self.chair.qa.ban(str(member.id), str(interaction.user.id), reason)
        state = "is now banned from Q&A" if changed else "was already banned"
        await reply(interaction, f"{escape_text(member.display_name)} {state}.")

    @qa.command(name="unban", description="Let a banned member ask and vote again.")
    @moderators_only()
    async def unban(self, interaction: discord.Interaction[Any], member: discord.User) -> None:
        changed = await self.chair.qa.unban(str(member.id), str(interaction.user.id))
        state = "may ask again" if changed else "was not banned"
        await reply(interaction, f"{escape_text(member.display_name)} {state}.")

    @qa.command(name="export", description="The questions of a session as a file, for the speaker.")
    @moderators_only()
    async def export(
        self, interaction: discord.Interaction[Any], session: QASession | None = None, format: ExportFormat = "md"
    ) -> None:
        target = session or self.chair.resolve_session(None)
        questions = await answer_in_time(
            interaction,
            self.chair.qa.questions(
                target.id, (Status.QUEUED, Status.ON_STAGE, Status.ANSWERED, Status.DISMISSED, Status.PENDING_REVIEW)
            ),
        )
        # The schedule in force: the speaker's file is headed by the title, speakers and time, not the id.
        text = render_export(questions, format, self.chair.schedule)
        file = discord.File(io.BytesIO(text.encode("utf-8")), filename=f"questions-{target.id}.{format}")
        await reply(interaction, f"{len(questions)} questions of {render.session_title(target)}.", file=file)

    # -- the web dashboard --------------------------------------------------------------------------------------

    @qa.command(name="dashboard", description="A personal link to the moderators' web dashboard (only you see it).")
    @moderators_only()
    async def dashboard(self, interaction: discord.Interaction[Any]) -> None:
        user = interaction.user
        role = Role.ORGANIZER if is_organizer(self.chair, user) else Role.MODERATOR
        # The role is only written into the link: the web side asks the server again on every click. The link is
        # in <>: Discord then shows no preview, and its crawler does not follow it.
        link = self.chair.sign_in_link(Member(str(user.id), user.display_name, role))
        minutes = int(LINK_TTL.total_seconds() // 60)
        await reply(
            interaction,
            f"Your moderators' dashboard: <{link}>\n"
            f"The link signs you in as {role.value} in the browser that opens it; it works for {minutes} minutes. "
            "Keep it to yourself; ask again for a new one.",
        )


async def setup(bot: commands.Bot) -> None:
    """Add ``/qa``, the moderators' controls."""
    await bot.add_cog(Moderation(chair_of(bot)))

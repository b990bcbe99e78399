// The moderators' dashboard in the browser: each action is sent with fetch (the page stays where it is), and the
// page follows the session's live stream, so what another moderator does shows here within a moment.
//
// Without this script the dashboard still works: every action is a plain form and the page comes back. The page's
// markup is the server's (templates/moderate_parts.html): a question the page has not shown yet is a copy of the
// blank card in <template id="card-template">, trimmed to the actions its status allows, as the server trims it.
// Every text from the server goes into the page with textContent, never as HTML.
"use strict";

(() => {
  const DONE = new Set(["answered", "dismissed", "hidden"]);
  const status = document.getElementById("status");
  let quiet = 0;

  /** Tell the moderator how their last click went; a success fades after a while, a problem stays. */
  function say(text, kind) {
    if (!status) {
      return;
    }
    status.textContent = text;
    status.className = `status ${kind}`;
    window.clearTimeout(quiet);
    if (kind === "ok") {
      quiet = window.setTimeout(() => {
        status.textContent = "";
        status.className = "status";
      }, 8000);
    }
  }

  // -- actions ------------------------------------------------------------------------------------------------

  async function send(form) {
    const body = new URLSearchParams(new FormData(form));
    const buttons = form.querySelectorAll("button");
    buttons.forEach((button) => {
      button.disabled = true;
    });
    form.classList.add("busy");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRF-Token": body.get("csrf") || "" },
      });
      let answer = null;
      try {
        answer = await response.json();
      } catch {
        answer = null;
      }
      if (response.ok && answer && answer.ok) {
        say(answer.message, "ok");
        const shown = form.querySelector("[data-shown-stage]");
        if (shown) {
          shown.value = answer.on_stage ? String(answer.on_stage) : "0"; // before the stream says so
        }
        form.reset();
        const more = form.closest("details.more");
        if (more) {
          more.open = false;
        }
      } else if (answer && answer.detail) {
        say(answer.detail, "error");
      } else {
        say(`The server answered ${response.status}: reload the page and try again.`, "error");
      }
    } catch {
      say("The server cannot be reached: check the connection, then try again.", "error");
    } finally {
      buttons.forEach((button) => {
        button.disabled = false;
      });
      form.classList.remove("busy");
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-fetch")) {
      event.preventDefault();
      send(form);
    }
  });

  // -- the live page ------------------------------------------------------------------------------------------

  const root = document.getElementById("dashboard");
  if (!root || !("EventSource" in window)) {
    return;
  }
  const live = document.getElementById("live");
  const cardTemplate = document.getElementById("card-template");
  const banTemplate = document.getElementById("ban-template");
  const logTemplate = document.getElementById("log-template");
  // The event's clock may not be the browser's (a rehearsal runs fast): ages are counted on the server's.
  let offset = Date.parse(root.dataset.now) - Date.now();
  /** Every question card on the page, by question id, whichever list it is in. */
  const cards = new Map();
  let lastBans = "";
  let lastLog = "";

  function field(element, name) {
    return element.querySelector(`[data-field="${name}"]`);
  }

  function setText(element, text) {
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  /** As the server writes it (qa_views.age_text). */
  function ageText(seconds) {
    const minutes = Math.floor(Math.max(seconds, 0) / 60);
    if (minutes < 1) {
      return "just now";
    }
    if (minutes < 60) {
      return `${minutes} min`;
    }
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  }

  function showAge(time) {
    const asked = Date.parse(time.dateTime);
    if (!Number.isNaN(asked)) {
      setText(time, ageText((Date.now() + offset - asked) / 1000));
    }
  }

  /** The actions a card offers depend on its question's status and on whether its asker is banned. */
  function shapeOf(question) {
    return `${question.status}:${question.banned ? "yes" : "no"}`;
  }

  function blankCard(shape) {
    const [questionStatus, banned] = shape.split(":");
    const card = cardTemplate.content.firstElementChild.cloneNode(true);
    card.querySelectorAll("[data-when]").forEach((part) => {
      if (!part.dataset.when.split(" ").includes(questionStatus)) {
        part.remove();
      }
    });
    card.querySelectorAll("[data-banned]").forEach((part) => {
      if (part.dataset.banned !== banned) {
        part.remove();
      }
    });
    card.dataset.shape = shape;
    return card;
  }

  function fillCard(card, question) {
    card.className = `card status-${question.status}`;
    card.dataset.id = String(question.id);
    setText(field(card, "votes"), String(question.votes));
    setText(field(card, "id"), `#${question.id}`);
    setText(field(card, "author"), question.author);
    setText(field(card, "text"), question.text);
    field(card, "anonymous").hidden = !question.anonymous;
    field(card, "banned").hidden = !question.banned;
    const done = field(card, "status");
    done.hidden = !DONE.has(question.status);
    setText(done, question.status.replace("_", " "));
    const age = field(card, "age");
    age.dateTime = question.asked_at;
    showAge(age);
    card.querySelectorAll('input[name="question"]').forEach((input) => {
      input.value = String(question.id);
    });
    card.querySelectorAll('input[name="user"]').forEach((input) => {
      input.value = question.author_id;
    });
  }

  /** Put ``questions`` in ``list`` in order, moving the cards already on the page (a reason being typed into
   * one survives an update) and making the others. */
  function placeCards(list, questions, seen) {
    questions.forEach((question, index) => {
      const id = String(question.id);
      const shape = shapeOf(question);
      let card = cards.get(id);
      if (!card || card.dataset.shape !== shape) {
        const fresh = blankCard(shape);
        if (card) {
          card.replaceWith(fresh);
        }
        card = fresh;
        cards.set(id, card);
      }
      fillCard(card, question);
      const here = list.children[index];
      if (here !== card) {
        list.insertBefore(card, here || null);
      }
      seen.add(id);
    });
  }

  function rows(list, template, items, fill) {
    list.replaceChildren(
      ...items.map((item) => {
        const row = template.content.firstElementChild.cloneNode(true);
        fill(row, item);
        return row;
      }),
    );
  }

  function show(name, on) {
    root.querySelectorAll(`[data-show="${name}"]`).forEach((element) => {
      element.hidden = !on;
    });
  }

  function count(name, number, shown) {
    setText(root.querySelector(`[data-count="${name}"]`), String(number));
    const empty = root.querySelector(`[data-empty="${name}"]`);
    if (empty) {
      empty.hidden = shown > 0;
    }
  }

  function render(state) {
    offset = Date.parse(state.now) - Date.now();
    if (state.session) {
      setText(field(root, "title"), state.session.title);
    }
    show("open", state.qa_open);
    show("closed", !state.qa_open);
    show("premoderated", state.pre_moderation);
    show("unmoderated", !state.pre_moderation);

    // "Next" says which question this screen shows on stage, so a click that crosses another moderator's is
    // refused rather than moving the stage on twice.
    for (const input of root.querySelectorAll("[data-shown-stage]")) {
      input.value = state.stage ? String(state.stage.id) : "0";
    }
    const lists = {
      stage: state.stage ? [state.stage] : [],
      queue: state.queue,
      pending: state.pending,
      done: state.done,
    };
    const seen = new Set();
    for (const [name, questions] of Object.entries(lists)) {
      placeCards(root.querySelector(`[data-list="${name}"]`), questions, seen);
    }
    for (const [id, card] of cards) {
      if (!seen.has(id)) {
        card.remove();
        cards.delete(id);
      }
    }
    const counts = state.counts;
    count("stage", lists.stage.length, lists.stage.length);
    count("queue", counts.queued, lists.queue.length);
    count("pending", counts.pending_review, lists.pending.length);
    count("done", counts.answered + counts.dismissed + counts.hidden, lists.done.length);

    const bans = JSON.stringify(state.bans);
    if (bans !== lastBans) {
      lastBans = bans;
      rows(document.getElementById("bans"), banTemplate, state.bans, (row, ban) => {
        row.dataset.id = ban.user_id;
        setText(field(row, "name"), ban.name);
        setText(field(row, "by"), ban.by);
        setText(field(row, "reason"), ban.reason || "");
        row.querySelector('input[name="user"]').value = ban.user_id;
      });
      count("bans", state.bans.length, state.bans.length);
    }
    const log = JSON.stringify(state.log);
    if (log !== lastLog) {
      lastLog = log;
      rows(document.getElementById("log"), logTemplate, state.log, (row, entry) => {
        row.dataset.id = String(entry.id);
        const time = field(row, "time");
        time.dateTime = entry.at;
        setText(time, entry.time);
        setText(field(row, "who"), entry.who);
        setText(field(row, "what"), entry.what);
      });
      count("log", state.log.length, state.log.length);
    }
  }

  root.querySelectorAll("li.card[data-id]").forEach((card) => {
    cards.set(card.dataset.id, card);
  });

  function follow() {
    const source = new EventSource(root.dataset.live);
    source.addEventListener("moderate", (event) => {
      live.hidden = true;
      render(JSON.parse(event.data));
      root.dataset.stream = "on";
    });
    source.addEventListener("error", () => {
      root.dataset.stream = "off";
      live.hidden = false;
      if (source.readyState === EventSource.CLOSED) {
        // The stream was refused (signed out, or the role is gone): reloading shows why.
        live.textContent = "Live updates stopped: reload the page (you may have to sign in again).";
      } else {
        live.textContent = "Reconnecting to live updates…";
      }
    });
  }

  follow();
  window.setInterval(() => {
    root.querySelectorAll('time[data-field="age"]').forEach(showAge);
  }, 20000);
})();

// The ask page with its script: questions and votes are sent with fetch and answered in JSON, the list follows
// the session's live stream (/live/qa/{session}), and the upvote buttons show this browser's own votes.
// Without the script the same forms post the plain way and the server sends the page back with a message.
//
// What this browser asked and voted for comes with the page (data-mine, data-voted) and from each answer; the
// stream is public and says nothing of who asked or voted.
"use strict";

(function () {
  const live = window.ChairLive;
  const root = document.getElementById("ask");
  const askForm = document.getElementById("ask-form");
  const voteForm = document.getElementById("vote-form");
  if (!root || !live || !askForm || !voteForm) return;

  // Keep in step with bot/web/stage.py (OFF_SCHEDULE) and bot/qa/errors.py (QAClosed).
  const OFF_SCHEDULE = "This session is off the schedule.";
  const CLOSED = "Questions are closed for this session.";
  const UNREACHABLE = "The server could not be reached: check your connection and try again.";
  const FAILED = "Something went wrong on the server: please try again in a moment.";
  const NAME_KEY = "chairbot-name";

  const byId = function (id) {
    return document.getElementById(id);
  };
  const view = {
    title: byId("title"),
    speakers: byId("speakers"),
    closes: byId("closes"),
    message: byId("message"),
    text: byId("question-text"),
    name: byId("asker-name"),
    anonymous: byId("anonymous"),
    counter: byId("counter"),
    send: askForm.querySelector("button[type=submit]"),
    stageSection: byId("stage-section"),
    stage: byId("stage"),
    queue: byId("queue"),
    queueEmpty: byId("queue-empty"),
    queued: byId("queued"),
    waitingSection: byId("waiting-section"),
    waiting: byId("waiting"),
  };

  function ids(text) {
    return new Set(
      (text || "")
        .split(/\s+/)
        .filter(Boolean)
        .map(Number)
    );
  }
  const mine = ids(root.dataset.mine);
  const voted = ids(root.dataset.voted);
  const clock = new live.ServerClock(Number(root.dataset.speed));
  clock.observe(root.dataset.now);
  let closes = Date.parse(root.dataset.closes);
  let open = root.dataset.open === "true";
  let offSchedule = Number.isNaN(closes);
  let state = null; // the last snapshot

  function say(text, failed) {
    view.message.textContent = text;
    view.message.className = "message " + (failed ? "error" : "ok");
    view.message.hidden = !text;
  }

  // -- drawing ------------------------------------------------------------------------------------------------

  function questionCard(question) {
    const card = live.element("article", "question");
    card.dataset.id = question.id;
    card.append(live.element("p", "text", question.text));
    const meta = live.element("p", "meta");
    meta.append(live.element("span", "author", question.author));
    if (mine.has(question.id)) {
      meta.append(live.element("span", "yours", "Your question · ▲ " + question.votes));
    } else {
      const button = live.element("button", "vote", "▲ ");
      const isVoted = voted.has(question.id);
      button.type = "submit";
      button.name = "question";
      button.value = String(question.id);
      button.setAttribute("aria-pressed", isVoted ? "true" : "false");
      button.title = isVoted ? "Take your vote back" : "Vote for this question";
      button.append(live.element("span", "n", question.votes));
      meta.append(button);
    }
    card.append(meta);
    return card;
  }

  function draw() {
    if (!state) return;
    const focused = document.activeElement && document.activeElement.classList.contains("vote")
      ? document.activeElement.value
      : null;
    view.stageSection.hidden = !state.stage;
    view.stage.replaceChildren.apply(view.stage, state.stage ? [questionCard(state.stage)] : []);
    const items = (state.queue || []).map(function (question) {
      const item = document.createElement("li");
      item.append(questionCard(question));
      return item;
    });
    view.queue.replaceChildren.apply(view.queue, items);
    view.queueEmpty.hidden = items.length > 0;
    view.queued.textContent = String(state.queued || 0);
    if (focused !== null) {
      const again = voteForm.querySelector('button.vote[value="' + focused + '"]');
      if (again) again.focus();
    }
    // A question of ours that a moderator let through is in the list now, no longer waiting.
    const listed = new Set((state.queue || []).map(function (q) { return q.id; }));
    if (state.stage) listed.add(state.stage.id);
    for (const waiting of Array.from(view.waiting.children)) {
      if (listed.has(Number(waiting.dataset.id))) waiting.remove();
    }
    view.waitingSection.hidden = view.waiting.children.length === 0;
  }

  function tick() {
    let line = "";
    const left = closes - clock.now();
    if (offSchedule) line = OFF_SCHEDULE;
    else if (!open) line = CLOSED;
    else if (left > 0) line = "Questions close in " + live.remaining(left);
    if (view.closes.textContent !== line) view.closes.textContent = line;
    // Whether Q&A is open is the core's to say (a moderator may reopen it after its time): the form follows it.
    askForm.hidden = offSchedule || !open;
  }

  function show(snapshot) {
    state = snapshot;
    clock.observe(snapshot.now);
    offSchedule = !snapshot.session;
    if (snapshot.session) {
      view.title.textContent = snapshot.session.title;
      view.speakers.textContent = snapshot.session.speakers.join(", ");
      view.speakers.hidden = snapshot.session.speakers.length === 0;
      closes = Date.parse(snapshot.session.qa_closes);
    }
    open = snapshot.qa_open;
    draw();
    tick();
  }

  // -- sending ------------------------------------------------------------------------------------------------

  // POST `form`'s fields (and `extra`) and call done(answer) with the JSON of a success; a refusal is said.
  function send(form, extra, done) {
    const fields = new URLSearchParams(new FormData(form));
    for (const key in extra) fields.set(key, extra[key]);
    return fetch(form.action, {
      method: "POST",
      body: fields,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(
          function (answer) {
            if (response.ok && answer.ok) done(answer);
            else say(answer.detail || FAILED, true);
          },
          function () {
            say(FAILED, true);
          }
        );
      })
      .catch(function () {
        say(UNREACHABLE, true);
      });
  }

  askForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (view.send.disabled) return;
    view.send.disabled = true;
    try {
      if (view.name.value) localStorage.setItem(NAME_KEY, view.name.value);
      else localStorage.removeItem(NAME_KEY);
    } catch (error) {
      // storage off (private browsing): the name is simply not remembered
    }
    send(askForm, {}, function (answer) {
      say(answer.message, false);
      view.text.value = "";
      countCharacters();
      if (answer.mine) mine.add(answer.question);
      if (answer.voted) voted.add(answer.question);
      if (answer.outcome === "awaiting_review" && !view.waiting.querySelector('[data-id="' + answer.question + '"]')) {
        const item = live.element("li", null, answer.text);
        item.dataset.id = answer.question;
        view.waiting.append(item);
      }
      draw();
      view.waitingSection.hidden = view.waiting.children.length === 0;
    }).finally(function () {
      view.send.disabled = false;
    });
  });

  voteForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const button = event.submitter;
    if (!button || !button.value || button.disabled) return;
    button.disabled = true;
    send(voteForm, { question: button.value }, function (answer) {
      say(answer.message, false);
      if (answer.voted) voted.add(answer.question);
      else voted.delete(answer.question);
      if (state) {
        for (const question of (state.queue || []).concat(state.stage ? [state.stage] : [])) {
          if (question.id === answer.question) question.votes = answer.votes;
        }
      }
      draw();
    }).finally(function () {
      button.disabled = false;
    });
  });

  function countCharacters() {
    const most = Number(view.text.getAttribute("maxlength"));
    const used = view.text.value.length;
    view.counter.textContent = used ? used + " / " + most : "";
  }

  view.text.addEventListener("input", countCharacters);
  try {
    if (!view.name.value) view.name.value = localStorage.getItem(NAME_KEY) || "";
  } catch (error) {
    // storage off: nothing remembered
  }
  countCharacters();
  tick();
  setInterval(tick, 1000);
  live.follow(root.dataset.live, "qa", show, function (up) {
    if (!up) clock.dropped();
  });
})();

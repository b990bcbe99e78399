// The stage display, kept live: every snapshot of the session's Q&A (/live/qa/{session}) redraws the question
// on stage, the next questions and the count waiting; a countdown to the end of Q&A runs on the server's clock.
// The server renders the page as it was when served, so without this script it shows that, frozen.
//
// The question on stage is set in the largest of the type sizes of stage.css (fit-0 … fit-9) in which it fits
// its box, so a short question fills the screen and a long one still shows whole, taking the room of the next
// questions if it must; past the smallest size it is cut.
"use strict";

(function () {
  const live = window.ChairLive;
  const root = document.getElementById("stage");
  if (!root || !live) return;

  const FIT_STEPS = 10;
  // Keep in step with bot/web/stage.py (NEXT_SHOWN, OFF_SCHEDULE).
  const NEXT_SHOWN = Number(root.dataset.nextShown) || 4;
  const OFF_SCHEDULE = "This session is off the schedule.";
  const NO_QUESTION = "No question on stage yet: the moderators bring the top questions here.";

  const byId = function (id) {
    return document.getElementById(id);
  };
  const view = {
    title: byId("title"),
    speakers: byId("speakers"),
    clockLabel: byId("clock-label"),
    clockValue: byId("clock-value"),
    box: byId("question-box"),
    text: byId("question-text"),
    empty: byId("question-empty"),
    meta: byId("question-meta"),
    author: byId("question-author"),
    votes: byId("question-votes"),
    queue: byId("queue"),
    queueEmpty: byId("queue-empty"),
    queued: byId("queued"),
    connection: byId("connection"),
  };

  const clock = new live.ServerClock(Number(root.dataset.speed));
  clock.observe(root.dataset.now);
  let closes = Date.parse(root.dataset.closes);
  let open = root.dataset.open === "true";
  let offSchedule = Number.isNaN(closes);

  // The largest type size in which the question fits its box; false when even the smallest is too large.
  function fitText() {
    const text = view.text;
    for (let step = 0; step < FIT_STEPS; step++) {
      for (let other = 0; other < FIT_STEPS; other++) text.classList.toggle("fit-" + other, other === step);
      if (text.scrollHeight <= view.box.clientHeight && text.scrollWidth <= view.box.clientWidth) return true;
    }
    return false;
  }

  // A question too long for its box takes the room of the last next questions, one at a time (the first stays).
  function fitQuestion() {
    const items = Array.from(view.queue.children);
    for (const item of items) item.hidden = false;
    view.text.classList.remove("clipped");
    if (view.text.hidden) return;
    let shown = items.length;
    let fits = fitText();
    while (!fits && shown > 1) {
      shown -= 1;
      items[shown].hidden = true;
      fits = fitText();
    }
    view.text.classList.toggle("clipped", !fits);
  }

  function tick() {
    const left = closes - clock.now();
    let label = "";
    let value;
    if (offSchedule) {
      value = "";
    } else if (!open || !(left > 0)) {
      value = "Q&A closed";
    } else {
      label = "Q&A closes in";
      value = live.remaining(left);
    }
    if (view.clockLabel.textContent !== label) view.clockLabel.textContent = label;
    if (view.clockValue.textContent !== value) view.clockValue.textContent = value;
    root.classList.toggle("closing", open && !offSchedule && left > 0 && left <= 60000);
    root.classList.toggle("closed", !offSchedule && !(open && left > 0));
  }

  function showStage(stage) {
    view.text.hidden = !stage;
    view.meta.hidden = !stage;
    view.empty.hidden = !!stage;
    if (stage) {
      view.text.textContent = stage.text;
      view.author.textContent = "— " + stage.author;
      view.votes.textContent = "▲ " + stage.votes;
    } else {
      view.empty.textContent = offSchedule ? OFF_SCHEDULE : NO_QUESTION;
    }
    fitQuestion();
  }

  function showQueue(queue) {
    const items = [];
    for (const question of queue.slice(0, NEXT_SHOWN)) {
      const item = live.element("li", "queued");
      item.append(live.element("span", "votes", "▲ " + question.votes));
      const body = live.element("span", "body");
      body.append(live.element("span", "text", question.text), " ", live.element("span", "author", "— " + question.author));
      item.append(body);
      items.push(item);
    }
    view.queue.replaceChildren.apply(view.queue, items);
    view.queueEmpty.hidden = items.length > 0;
  }

  function show(state) {
    clock.observe(state.now);
    offSchedule = !state.session;
    if (state.session) {
      view.title.textContent = state.session.title;
      view.speakers.textContent = state.session.speakers.join(", ");
      view.speakers.hidden = state.session.speakers.length === 0;
      closes = Date.parse(state.session.qa_closes);
    }
    open = state.qa_open;
    root.classList.toggle("off-schedule", offSchedule);
    showQueue(state.queue || []);
    showStage(state.stage); // after the queue: a long question may take the room of its last items
    const waiting = state.queued || 0;
    view.queued.textContent = waiting + (waiting === 1 ? " question" : " questions") + " waiting";
    tick();
  }

  function connected(up) {
    view.connection.hidden = up;
    if (!up) clock.dropped();
  }

  fitQuestion();
  tick();
  setInterval(tick, 250);
  window.addEventListener("resize", fitQuestion);
  live.follow(root.dataset.live, "qa", show, connected);
})();

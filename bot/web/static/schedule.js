// The schedule page, made personal in the browser: every session's time in the reader's own time zone, and
// the now / next / past marks kept right on the event's clock (every 30 seconds, with no request to the
// server). The page carries each session's UTC instants (<time datetime=... data-end=...>); without this script
// it shows the venue's times and the marks as they were when it was served.
"use strict";

(function () {
  const REFRESH_MS = 30 * 1000;
  // The words of the badges, as the server writes them (bot/web/page.py, BADGES).
  const BADGES = { now: "Now", next: "Next" };
  const MARKS = ["now", "next", "past"];
  // Names browsers still report for zones renamed in the tz database (Chromium says "Asia/Katmandu"),
  // so the page names the zone as the schedule and the reader know it.
  const RENAMED = {
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Asia/Rangoon": "Asia/Yangon",
    "Europe/Kiev": "Europe/Kyiv",
    "Atlantic/Faeroe": "Atlantic/Faroe",
    "America/Godthab": "America/Nuuk",
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Indianapolis": "America/Indiana/Indianapolis",
    "Pacific/Enderbury": "Pacific/Kanton",
    "Pacific/Truk": "Pacific/Chuuk",
    "Pacific/Ponape": "Pacific/Pohnpei",
  };

  function browserZone() {
    const reported = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    return reported ? RENAMED[reported] || reported : null;
  }

  function partsIn(zone) {
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone || undefined,
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    return function (instant) {
      const parts = {};
      for (const part of format.formatToParts(instant)) parts[part.type] = part.value;
      return {
        day: parts.year + "-" + parts.month + "-" + parts.day,
        weekday: parts.weekday,
        time: parts.hour + ":" + parts.minute,
      };
    };
  }

  // "09:10–09:40"; the start carries its weekday when it falls on another day than the venue's, the end when it
  // falls on another day than the start ("Sun 23:40–Mon 00:20"), as the server writes times in other zones.
  function span(local, start, end, venueDay) {
    const first = local(start);
    const last = local(end);
    const from = first.day === venueDay ? first.time : first.weekday + " " + first.time;
    const to = last.day === first.day ? last.time : last.weekday + " " + last.time;
    return from + "–" + to;
  }

  function offsetName(zone, instant) {
    const format = new Intl.DateTimeFormat("en-GB", { timeZone: zone || undefined, timeZoneName: "longOffset" });
    const name = format.formatToParts(instant).find(function (part) {
      return part.type === "timeZoneName";
    });
    return name ? name.value : "";
  }

  function sessions() {
    const found = [];
    for (const item of document.querySelectorAll("li.session")) {
      const venue = item.querySelector(".when time.venue");
      if (!venue) continue;
      const start = Date.parse(venue.dateTime);
      const end = Date.parse(venue.dataset.end);
      if (Number.isNaN(start) || Number.isNaN(end)) continue;
      const list = item.closest(".sessions");
      found.push({
        item: item,
        start: start,
        end: end,
        venueZone: venue.dataset.zone,
        venueDay: list ? list.dataset.venueDay : "",
      });
    }
    return found;
  }

  function showLocalTimes(all, zone) {
    const venueZone = all.length ? all[0].venueZone : null;
    const note = document.getElementById("your-zone");
    const sameAsVenue = zone !== null && zone === venueZone;
    if (note) {
      // The offset on the event's first day, not today's: the two differ across a daylight-saving change.
      const offset = offsetName(zone, new Date(all.length ? all[0].start : Date.now()));
      const named = zone ? zone + (offset ? " (" + offset + ")" : "") : "your computer's zone";
      note.textContent = sameAsVenue
        ? "Your browser is in the venue's time zone, " + named + "."
        : "Your browser's time zone: " + named + ". Each session shows its time there too.";
      note.hidden = false;
    }
    if (sameAsVenue) return;
    const local = partsIn(zone);
    const label = zone ? "(" + zone + ")" : "";
    for (const session of all) {
      const line = session.item.querySelector(".when .local");
      if (!line) continue;
      const time = document.createElement("span");
      time.className = "local-time";
      time.textContent = span(local, new Date(session.start), new Date(session.end), session.venueDay);
      line.replaceChildren("In your zone: ", time);
      if (label) {
        const named = document.createElement("span");
        named.className = "local-zone";
        named.textContent = label;
        line.append(" ", named);
      }
      line.hidden = false;
      // A display zone that is the reader's own would say the same thing twice.
      for (const other of session.item.querySelectorAll(".when .other")) {
        if (other.dataset.zone === zone) other.hidden = true;
      }
    }
  }

  function stateAt(session, now, nextStart) {
    if (session.start <= now && now < session.end) return "now";
    if (session.end <= now) return "past";
    return session.start === nextStart ? "next" : "";
  }

  // The event's clock: the server's reading when the page was made, running at the event's speed since (a
  // rehearsal's clock runs fast). Without it, the browser's own clock.
  function eventClock(element) {
    const loaded = Date.now();
    const serverNow = element ? Date.parse(element.dataset.now) : NaN;
    const speed = element ? Number(element.dataset.speed) || 1 : 1;
    if (Number.isNaN(serverNow)) return Date.now;
    return function () {
      return serverNow + (Date.now() - loaded) * speed;
    };
  }

  let eventNow = eventClock(document.getElementById("event-clock"));

  function mark(all) {
    const now = eventNow();
    const live = all.filter(function (session) {
      return !session.item.classList.contains("cancelled");
    });
    let nextStart = null;
    for (const session of live) {
      if (session.start > now && (nextStart === null || session.start < nextStart)) nextStart = session.start;
    }
    for (const session of live) {
      const state = stateAt(session, now, nextStart);
      for (const name of MARKS) session.item.classList.toggle(name, name === state);
      const badge = session.item.querySelector(".badge");
      if (badge) badge.textContent = BADGES[state] || "";
    }
  }

  // When the schedule in force changes (a shift, a cancellation, a new version of the file), the server says so
  // on /live/schedule and the page fetches itself anew and swaps its list of days: no reload, no polling.
  function follow(onNewDays) {
    const clock = document.getElementById("event-clock");
    if (!clock || typeof EventSource === "undefined") return;
    let shown = clock.dataset.version;
    const stream = new EventSource("/live/schedule");
    stream.addEventListener("schedule", function (event) {
      let version;
      try {
        version = JSON.parse(event.data).version;
      } catch (error) {
        return;
      }
      if (!version || version === shown) return;
      shown = version;
      fetch(window.location.pathname, { headers: { Accept: "text/html" }, cache: "no-store" })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          const fresh = new DOMParser().parseFromString(html, "text/html");
          const days = fresh.getElementById("days");
          const freshClock = fresh.getElementById("event-clock");
          if (!days) return;
          document.getElementById("days").replaceWith(document.importNode(days, true));
          if (freshClock) eventNow = eventClock(freshClock);
          onNewDays();
        })
        .catch(function () {
          shown = null; // try again with the next change
        });
    });
  }

  function start() {
    let all = sessions();
    showLocalTimes(all, browserZone());
    mark(all);
    setInterval(function () {
      mark(all);
    }, REFRESH_MS);
    // A tab coming back after a while shows the right marks at once, not up to 30 seconds later.
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) mark(all);
    });
    follow(function () {
      all = sessions();
      showLocalTimes(all, browserZone());
      mark(all);
    });
  }

  start();
})();

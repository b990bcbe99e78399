// What the live pages (the stage display, the ask page) share: following a stream of JSON snapshots sent by
// Server-Sent Events, and reading the server's clock.
//
// The browser's EventSource reconnects by itself after a dropped connection (the server says how soon), but
// gives up for good when an answer is not a stream (the server restarting answers 503, a proxy 502): then a new
// one is opened here, a little later each time, so a projector left alone comes back on its own.
//
// Each snapshot carries "now", the event's clock when it was built. The event's clock is not the browser's (a
// rehearsal plays the day hundreds of times faster; a projector's clock may be minutes off), so countdowns run
// from the event's reading, at the event's speed. A page joining a stream others watch is first sent the
// snapshot built at the last change, whose "now" may be old: a reading is kept only when it is later than what
// the one kept says now.
"use strict";

window.ChairLive = (function () {
  const RETRY_FIRST_MS = 2000;
  const RETRY_MOST_MS = 30000;

  // Calls onSnapshot(state) with each snapshot of `url`'s `event`, and onConnected(true/false) when the stream
  // is up or down; returns nothing: the page follows the stream for as long as it is open.
  function follow(url, event, onSnapshot, onConnected) {
    let delay = RETRY_FIRST_MS;

    function connect() {
      const source = new EventSource(url);
      source.addEventListener(event, function (message) {
        let state;
        try {
          state = JSON.parse(message.data);
        } catch (error) {
          return; // not a snapshot: wait for the next one
        }
        delay = RETRY_FIRST_MS;
        onConnected(true);
        onSnapshot(state);
      });
      source.addEventListener("error", function () {
        onConnected(false);
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          setTimeout(connect, delay);
          delay = Math.min(delay * 2, RETRY_MOST_MS);
        }
      });
    }

    connect();
  }

  // The event's clock as best known: observe(iso) with each "now" received, now() for the event's time in
  // milliseconds. It runs `speed` times as fast as real time (a rehearsal's runs fast). After dropped() (the
  // server may have restarted, on another clock) the next "now" observed starts afresh; until then the
  // countdowns keep running on what was known.
  function ServerClock(speed) {
    this.speed = speed > 0 ? speed : 1;
    this.server = null; // the reading kept: the event's time then …
    this.local = 0; // … and the browser's
    this.renew = false;
  }
  ServerClock.prototype.observe = function (iso) {
    const server = Date.parse(iso);
    if (Number.isNaN(server)) return;
    if (this.renew || this.server === null || server > this.now()) {
      this.server = server;
      this.local = Date.now();
    }
    this.renew = false;
  };
  ServerClock.prototype.dropped = function () {
    this.renew = true;
  };
  ServerClock.prototype.now = function () {
    if (this.server === null) return Date.now();
    return this.server + (Date.now() - this.local) * this.speed;
  };

  // "12:34", "1:02:03": what is left of a span, rounded up to the second.
  function remaining(ms) {
    const total = Math.max(0, Math.ceil(ms / 1000));
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = total % 60;
    const two = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    return hours > 0 ? hours + ":" + two(minutes) + ":" + two(seconds) : two(minutes) + ":" + two(seconds);
  }

  // An element with the given class and text (never HTML: questions are what attendees typed).
  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined && text !== null) made.textContent = String(text);
    return made;
  }

  return { follow: follow, ServerClock: ServerClock, remaining: remaining, element: element };
})();

// mayfly console: progressive enhancement only; every page reads fine without it.
// 1. expiry countdowns tick every second; 2. parts marked data-live are refreshed from the server
// every second; 3. a launch's progress streams in (server-sent events).
"use strict";

function human(seconds) {
  if (seconds <= 0) return "overdue";
  const units = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
  const parts = [];
  for (const [unit, size] of units) {
    const n = Math.floor(seconds / size);
    seconds -= n * size;
    if (n > 0 || parts.length > 0) parts.push(n + unit);
    if (parts.length === 3) break;
  }
  return parts.join(" ");
}

function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll("[data-expires-at]")) {
    const at = Date.parse(el.getAttribute("data-expires-at"));
    if (!isNaN(at)) el.textContent = human(Math.floor((at - now) / 1000));
  }
}

let refreshing = false;
async function refresh() {
  const live = document.querySelectorAll("[data-live][id]");
  if (live.length === 0 || refreshing || document.hidden) return;
  refreshing = true;
  try {
    const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const el of live) {
      const next = fresh.getElementById(el.id);
      if (next && next.innerHTML !== el.innerHTML) el.replaceChildren(...document.adoptNode(next).childNodes);
    }
    tick();
  } catch (e) {
    // the daemon may be restarting: try again on the next round
  } finally {
    refreshing = false;
  }
}

function follow(pre) {
  const source = new EventSource(pre.getAttribute("data-progress-url"));
  source.addEventListener("progress", (e) => {
    pre.append(JSON.parse(e.data).text + "\n");
  });
  const end = () => {
    source.close();
    location.reload();
  };
  source.addEventListener("result", end);
  source.addEventListener("error", (e) => {
    if (e.data !== undefined) end();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  tick();
  setInterval(tick, 1000);
  setInterval(refresh, 1000);
  const pre = document.querySelector("[data-progress-url]");
  if (pre) follow(pre);
});

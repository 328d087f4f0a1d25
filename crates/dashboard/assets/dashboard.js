// The dashboard's behaviour: the feed (server-sent events), the selected request, the
// send form, the control buttons and the health tables. Every text from the server is set
// with textContent, never parsed as markup; the only markup inserted is the SVG picture the
// server rendered (and escaped) itself.
"use strict";

const API = "/_hoplab/api/";
const FEED_LIMIT = 200;
const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function statusClass(status) {
  return status >= 200 && status < 400 ? "ok" : "bad";
}

// ---- feed ----
const feed = $("feed").querySelector("tbody");
const seen = new Set();
let selected = null;

function invocationRow(row) {
  if (seen.has(row.id)) return null;
  seen.add(row.id);
  const tr = el("tr", null, "invocation");
  tr.dataset.id = row.id;
  tr.append(
    el("td", row.started || "", "muted"),
    el("td", row.method),
    el("td", row.path),
    el("td", row.status, statusClass(row.status)),
    el("td", row.validated || "—"),
    el("td", row.failure || ""),
  );
  tr.addEventListener("click", () => select(row.id));
  return tr;
}

function changeRow(change) {
  const tr = el("tr", null, "change");
  const td = el("td", change.time + "  " + (change.target || change.listener) + ": " + change.detail);
  td.colSpan = 6;
  tr.append(td);
  return tr;
}

function prepend(tr) {
  if (!tr) return;
  feed.insertBefore(tr, feed.firstChild);
  while (feed.children.length > FEED_LIMIT) {
    const last = feed.lastChild;
    if (last.dataset.id) seen.delete(last.dataset.id);
    feed.removeChild(last);
  }
}

async function getJson(path) {
  const response = await fetch(API + path, { cache: "no-store" });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

async function loadFeed() {
  const [list, changes] = await Promise.all([getJson("invocations?limit=" + FEED_LIMIT), getJson("changes")]);
  // Oldest first, so that prepending leaves the newest on top.
  list.invocations.slice().reverse().forEach((row) => prepend(invocationRow(row)));
  changes.changes.slice().reverse().forEach((change) => prepend(changeRow(change)));
}

function follow() {
  const events = new EventSource(API + "events");
  events.onopen = () => { $("live").textContent = "live"; };
  events.onerror = () => { $("live").textContent = "reconnecting…"; };
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.kind === "invocation") prepend(invocationRow(event.invocation));
    else if (event.kind === "change") { prepend(changeRow(event.change)); loadHealth(); }
    else if (event.kind === "lagged") $("live").textContent = "live (" + event.skipped + " events skipped)";
  };
}

// ---- one request ----
async function select(id) {
  selected = id;
  for (const tr of feed.querySelectorAll("tr.selected")) tr.classList.remove("selected");
  const tr = feed.querySelector('tr[data-id="' + CSS.escape(id) + '"]');
  if (tr) tr.classList.add("selected");
  let detail;
  try {
    detail = await getJson("invocations/" + encodeURIComponent(id));
  } catch (error) {
    showMessage(error.message, true);
    return;
  }
  if (selected !== id) return;
  $("picture-title").textContent = "Request " + detail.invocation.method + " " + detail.invocation.path;
  $("topology").innerHTML = detail.picture; // rendered and escaped by the server
  $("show-topology").hidden = false;
  renderDetail(detail);
}

function heading(text) { return el("h3", text); }

function renderDetail(detail) {
  const report = detail.report;
  const body = $("detail-body");
  body.replaceChildren();
  $("detail-id").textContent = detail.invocation.id;
  const summary = el("p");
  summary.append(el("span", detail.invocation.status, statusClass(detail.invocation.status)),
    document.createTextNode("  validated: " + (detail.invocation.validated || "none")));
  body.append(summary);
  if (detail.invocation.failure) body.append(el("pre", detail.invocation.failure, "bad"));

  body.append(heading("Certificates"));
  const certs = el("div");
  certs.id = "certificates";
  if (report.trace.certificates.length === 0) certs.append(el("p", "no certificate was presented", "muted"));
  for (const cert of report.trace.certificates) {
    const box = el("div", null, "cert " + cert.role);
    const role = cert.role === "validated" ? "validated" : "presented but not validated";
    box.append(el("strong", cert.presented_by + " → " + cert.presented_to + ": " + role));
    box.append(el("div", cert.verdict));
    for (const c of cert.chain) {
      box.append(el("div", "subject " + c.subject + " · issuer " + c.issuer + " · " + c.not_before + " – " + c.not_after, "muted"));
    }
    for (const line of cert.explanation) box.append(el("div", line));
    certs.append(box);
  }
  body.append(certs);

  body.append(heading("TLS sessions"));
  const sessions = el("ul");
  for (const s of report.trace.tls_sessions) {
    const through = s.through.length ? " through " + s.through.join(", ") : "";
    sessions.append(el("li", s.client + " → " + s.server + through + " · SNI " + (s.sni || "none") +
      " · " + (s.version || "") + " · " + s.outcome));
  }
  if (!report.trace.tls_sessions.length) sessions.append(el("li", "none", "muted"));
  body.append(sessions);

  body.append(heading("Hop trace"));
  const hops = el("ol");
  for (const step of report.trace.hops) hops.append(el("li", step.hop + ": " + step.note));
  body.append(hops);

  body.append(heading("Execution log"));
  body.append(el("pre", detail.log.join("\n")));
  $("detail").hidden = false;
}

$("show-topology").addEventListener("click", () => {
  $("topology").replaceChildren($("topology-template").content.cloneNode(true));
  $("picture-title").textContent = "Topology";
  $("show-topology").hidden = true;
});

// ---- send ----
$("send").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const headers = new Headers();
  for (const line of form.headers.value.split("\n")) {
    const at = line.indexOf(":");
    if (at > 0) {
      try { headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim()); }
      catch (error) { showMessage("bad header: " + line, true); return; }
    }
  }
  const count = Math.min(Math.max(parseInt(form.count.value, 10) || 1, 1), 100);
  const path = form.path.value.startsWith("/") ? form.path.value : "/" + form.path.value;
  const statuses = [];
  for (let i = 0; i < count; i++) {
    try {
      const response = await fetch(path, { method: form.method.value, headers, cache: "no-store" });
      statuses.push(response.status);
    } catch (error) {
      statuses.push("error: " + error.message);
    }
  }
  showMessage(form.method.value + " " + path + " → " + statuses.join(", "), false);
});

// ---- control ----
const control = document.body.dataset.control;
if (control === "token") $("token-row").hidden = false;
if (control === "off") {
  $("control-off").hidden = false;
  for (const b of document.querySelectorAll(".controls button")) b.disabled = true;
}

function showMessage(text, bad) {
  const message = $("message");
  message.textContent = text;
  message.className = bad ? "bad" : "ok";
}

async function post(path, name, body) {
  const headers = { "Content-Type": "application/json" };
  if (control === "token") headers.Authorization = "Bearer " + $("token").value;
  try {
    const response = await fetch(API + path, {
      method: "POST", headers, body: JSON.stringify(body || {}),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
    showMessage(name + ": " + answer.change.detail, false);
  } catch (error) {
    showMessage(error.message, true);
  }
  loadHealth();
}

function act(action, body) {
  const target = $("target").value;
  return post("targets/" + encodeURIComponent(target) + "/" + action, target, body);
}

$("stop").addEventListener("click", () => act("stop"));
$("start").addEventListener("click", () => act("start"));
$("apply-behaviour").addEventListener("click", () => {
  const behaviour = $("behaviour").value;
  const body = { behaviour };
  if (behaviour === "slow") body.delay_ms = parseInt($("delay").value, 10) || 0;
  if (behaviour === "status") body.status = parseInt($("status").value, 10) || 0;
  act("behaviour", body);
});
$("apply-certificate").addEventListener("click", () => act("certificate", { certificate: $("certificate").value }));
$("mark-healthy").addEventListener("click", () => act("health", { health: "healthy" }));
$("mark-unhealthy").addEventListener("click", () => act("health", { health: "unhealthy" }));
$("clear-health").addEventListener("click", () => act("health", { health: "checks" }));
$("apply-listener-certificate").addEventListener("click", () => {
  // The option's value is "<hop id>" or "<hop id> <list index>".
  const [listener, index] = $("listener").value.split(" ");
  const body = { certificate: $("listener-certificate").value };
  if (index !== undefined) body.list_index = parseInt(index, 10);
  post("listeners/" + encodeURIComponent(listener) + "/certificate", listener, body);
});

// ---- health ----
async function loadHealth() {
  let health;
  try { health = await getJson("health"); } catch (error) { return; }
  const targets = $("health").querySelector("tbody");
  targets.replaceChildren();
  for (const t of health.targets) {
    const tr = el("tr");
    tr.dataset.target = t.name;
    const forced = t.health_override ? "marked " + t.health_override : "health checks";
    tr.append(el("td", t.name), el("td", t.running ? "running" : "stopped", t.running ? "ok" : "bad"),
      el("td", t.behaviour), el("td", t.certificate || "plain HTTP"),
      el("td", forced, t.health_override === "unhealthy" ? "bad" : t.health_override ? "ok" : "muted"));
    targets.append(tr);
  }
  const listeners = $("listeners").querySelector("tbody");
  listeners.replaceChildren();
  for (const l of health.listeners) {
    const rows = [["default", l.default_certificate]].concat(l.certificates.map((c, i) => ["SNI list[" + i + "]", c]));
    for (const [which, serves] of rows) {
      const tr = el("tr");
      tr.dataset.listener = l.listener;
      tr.append(el("td", l.listener), el("td", which), el("td", serves || "not a scenario certificate"));
      listeners.append(tr);
    }
  }
  const groups = $("groups").querySelector("tbody");
  groups.replaceChildren();
  for (const g of health.groups) {
    for (const t of g.targets) {
      const tr = el("tr");
      tr.append(el("td", g.group), el("td", t.target),
        el("td", t.state, t.state === "unhealthy" ? "bad" : t.state === "healthy" ? "ok" : "muted"),
        el("td", t.reason || ""));
      groups.append(tr);
    }
  }
}

const HEALTH_EVERY_MS = 2000;
loadFeed().catch((error) => showMessage(error.message, true)).finally(follow);
loadHealth();
setInterval(() => { if (!document.hidden) loadHealth(); }, HEALTH_EVERY_MS);

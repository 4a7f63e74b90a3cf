/* The field app's pages: drawn on the phone from the pack (sync.js), with the words of the
   shell's <template> elements and of #field-texts, both translated by Django. Hash routes:
   #/ caseload, #/tasks, #/case/<uuid>, #/case/<uuid>/<action>, #/register, #/sync.

   window.cpmisField is the app's interface for the tests and the bench: ready, state(),
   enqueue(action), syncNow(), unlock(pin), lock(), wipe(reason), storedBytes(). */

import { Core, NetworkError } from "./sync.js";

const root = document.getElementById("field-app");
const T = JSON.parse(document.getElementById("field-texts").textContent);
const URLS = JSON.parse(document.getElementById("field-urls").textContent);
const LANG = root.dataset.lang || document.documentElement.lang || "en";
const LOCALE =
  LANG === "ur" ? (root.dataset.digits === "urdu" ? "ur-PK-u-nu-arabext" : "ur-PK-u-nu-latn") : "en-GB";
const view = document.getElementById("field-view");
const statusBar = document.getElementById("field-status");
const nav = root.querySelector(".field-nav");
const syncedNote = document.getElementById("field-synced");
const messages = document.getElementById("field-message");
const core = new Core(URLS, root.dataset.username || "");
const SOON_MS = 48 * 3600 * 1000;

// ---- words, numbers and dates -----------------------------------------------------------------

const numbers = new Intl.NumberFormat(LOCALE);
const plurals = new Intl.PluralRules(LOCALE);
const dateTimes = new Intl.DateTimeFormat(LOCALE, {
  day: "numeric",
  month: LANG === "ur" ? "long" : "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const dates = new Intl.DateTimeFormat(LOCALE, {
  day: "numeric",
  month: LANG === "ur" ? "long" : "short",
  year: "numeric",
});

function num(n) {
  return numbers.format(n);
}

/** ``text`` with its %(name)s placeholders filled (numbers written in the page's digits). */
function fmt(text, values = {}) {
  return String(text).replace(/%\((\w+)\)[sd]/g, (whole, name) => {
    const value = values[name];
    if (value === undefined || value === null) return "";
    return typeof value === "number" ? num(value) : String(value);
  });
}

/** ``text`` as nodes, each value isolated in a <bdi> (a case number or a Latin name inside
    Urdu text must not reorder the sentence around it). */
function fmtNodes(text, values = {}) {
  const nodes = [];
  let at = 0;
  for (const found of String(text).matchAll(/%\((\w+)\)[sd]/g)) {
    nodes.push(text.slice(at, found.index));
    const value = values[found[1]];
    nodes.push(el("bdi", { text: typeof value === "number" ? num(value) : String(value ?? "") }));
    at = found.index + found[0].length;
  }
  nodes.push(text.slice(at));
  return nodes.filter((n) => n !== "");
}

/** The text of ``base`` for ``n`` (``base_one`` or ``base_other``). */
function plural(base, n) {
  const form = plurals.select(n) === "one" ? "one" : "other";
  return fmt(T[base + "_" + form], { n });
}

function when(iso) {
  return iso ? dateTimes.format(new Date(iso)) : "";
}

function day(iso) {
  return iso ? dates.format(new Date(iso)) : "";
}

function span(ms) {
  const minutes = Math.floor(Math.abs(ms) / 60000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days >= 2) return fmt(T[plurals.select(days) === "one" ? "span_days_one" : "span_days_other"], { days });
  if (days === 1) return hours ? fmt(T.span_1day_hours, { hours }) : T.span_1day;
  if (hours) return rest ? fmt(T.span_hours_minutes, { hours, minutes: rest }) : fmt(T.span_hours, { hours });
  return fmt(T.span_minutes, { minutes: rest });
}

function ago(iso) {
  const ms = Date.now() - new Date(iso).getTime();
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return T.just_now;
  if (minutes < 60) return fmt(T.ago_minutes, { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural("ago_hours", hours);
  return plural("ago_days", Math.floor(hours / 24));
}

function kindLabel(kind) {
  return T["kind_" + kind] || kind;
}

// ---- DOM helpers --------------------------------------------------------------------------------

function clone(id) {
  return document.getElementById(id).content.cloneNode(true);
}

function slot(parent, name) {
  return parent.querySelector(`[data-slot="${name}"]`);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** A countdown badge (as the casework pages draw it), kept up to date by the clock below. */
function countdown(dueIso) {
  const node = el("span", { "data-due": dueIso });
  tick(node);
  return node;
}

function tick(node) {
  const due = new Date(node.dataset.due).getTime();
  const left = due - Date.now();
  node.title = fmt(T.due_at, { when: when(node.dataset.due) });
  if (left < 0) {
    node.className = "badge overdue";
    node.textContent = fmt(T.overdue_by, { span: span(left) });
  } else {
    node.className = "badge " + (left < SOON_MS ? "due-soon" : "ok");
    node.textContent = fmt(T.due_in, { span: span(left) });
  }
}

function badge(status) {
  const names = {
    "": ["waiting_badge", "due-soon"],
    held: ["held_badge", "due-soon"],
    conflict: ["conflict_badge", "overdue"],
    refused: ["refused_badge", "overdue"],
  };
  const [text, css] = names[status] || names[""];
  return el("span", { class: "badge " + css + " field-pending", text: T[text] });
}

function statusOf(entry) {
  return entry.outcome ? entry.outcome.status : "";
}

function flash(text, { link = null } = {}) {
  messages.replaceChildren();
  if (!text) {
    messages.hidden = true;
    return;
  }
  const item = el("li", {}, text);
  if (link) item.append(" ", link);
  messages.append(item);
  messages.hidden = false;
}

function showError(form, text) {
  const box = slot(form, "error");
  box.textContent = text;
  box.hidden = !text;
  if (text) box.scrollIntoView({ block: "nearest" });
}

function signInLink() {
  const link = slot(clone("tpl-sign-in"), "link");
  link.href = URLS.login;
  return link;
}

function problemText(problem) {
  if (!problem) return "";
  if (problem.kind === "offline") return T.sync_offline;
  if (problem.kind === "locked") return T.locked_out;
  if (problem.kind === "clock") return problem.text || fmt(T.sync_failed, { detail: "" });
  if (problem.kind === "sign-in") return plural("sign_in_again", core.unsent);
  if (problem.kind === "wiped") return "";
  return fmt(T.sync_failed, { detail: problem.text || "" });
}

// ---- the status bar and the note of the last sync ------------------------------------------------

function showStatus() {
  const s = core.state();
  statusBar.dataset.network = s.online ? "online" : "offline";
  statusBar.dataset.queued = String(s.queued);
  statusBar.dataset.failed = String(s.failed + s.conflicts);
  statusBar.dataset.locked = s.locked ? "true" : "false";
  let network = s.online ? T.online : T.offline;
  if (s.locked) network += " · " + T.locked;
  if (core.syncing) network += " · " + T.syncing;
  slot(statusBar, "network").textContent = network;
  const queued = slot(statusBar, "queued");
  const failed = slot(statusBar, "failed");
  if (!s.enrolled) {
    queued.textContent = T.not_enrolled;
    failed.hidden = true;
  } else {
    queued.textContent = fmt(T.waiting, { n: s.queued });
    const attention = s.failed + s.conflicts;
    failed.hidden = attention === 0;
    failed.textContent = attention ? plural("attention", attention) : "";
  }
  const open = s.enrolled && !s.locked;
  syncedNote.hidden = !open;
  if (open) {
    syncedNote.textContent = s.lastSyncedAt
      ? fmt(T.last_synced, { when: when(s.lastSyncedAt), ago: ago(s.lastSyncedAt) })
      : T.never_synced;
  }
}

// ---- routing ----------------------------------------------------------------------------------

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  return { page: parts[0] || "", id: parts[1] || "", action: parts[2] || "" };
}

let drawnMode = "";

function mode() {
  if (!core.enrolled) return core.online ? "enrol" : "enrol-offline";
  if (core.device && core.username && core.device.username !== core.username) return "other";
  if (core.locked) return "locked";
  return "open";
}

function render() {
  const m = mode();
  drawnMode = m;
  delete view.dataset.dirty;
  nav.hidden = m !== "open";
  showStatus();
  if (m === "enrol") return drawEnrol();
  if (m === "enrol-offline") return drawMessage(T.enrol_offline);
  if (m === "other") return drawMessage(fmt(T.other_user, { username: core.device.username }));
  if (m === "locked") return drawUnlock();
  const r = route();
  if (r.page === "tasks") return drawTasks();
  if (r.page === "case") return drawCase(r.id, r.action);
  if (r.page === "register") return drawRegister();
  if (r.page === "sync") return drawSync();
  return drawCaseload();
}

function show(fragment, title) {
  view.replaceChildren(fragment);
  const heading = view.querySelector("h1");
  document.title = (title || (heading ? heading.textContent : "")) + " · cpmis";
}

// Redraw when what the phone holds changes, but never under an officer's half-filled form.
core.onChange(() => {
  showStatus();
  if (mode() !== drawnMode) return render();
  if (view.dataset.dirty) return;
  if (drawnMode === "open") render();
});

view.addEventListener("input", (event) => {
  if (event.target.closest("form[data-kind]")) view.dataset.dirty = "1";
});

window.addEventListener("hashchange", () => {
  flash("");
  render();
  const r = route();
  if (r.page === "case" && r.action) {
    const open = document.getElementById("step-" + r.action);
    if (open) open.scrollIntoView({ block: "start" });
  } else {
    window.scrollTo(0, 0);
    view.focus({ preventScroll: true });
  }
});

// ---- enrolment, lock, message -------------------------------------------------------------------

function drawMessage(text) {
  const page = clone("tpl-message");
  slot(page, "text").textContent = text;
  show(page);
}

function drawEnrol() {
  const page = clone("tpl-enrol");
  const reason = slot(page, "reason");
  if (core.wipedReason) {
    reason.textContent = T["wiped_" + core.wipedReason] || T.wiped_unknown;
    reason.hidden = false;
  }
  const form = page.querySelector("form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const label = form.elements.label.value.trim();
    const pin = form.elements.pin.value;
    const again = form.elements.pin2.value;
    if (!label) return showError(form, T.label_missing);
    if (!/^[0-9]{6,}$/.test(pin)) return showError(form, T.pin_short);
    if (pin !== again) return showError(form, T.pin_mismatch);
    showError(form, "");
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      await core.enrol(label, pin);
      if (location.hash && location.hash !== "#/") location.hash = "#/";
      render();
    } catch (error) {
      showError(
        form,
        error instanceof NetworkError ? T.no_connection : fmt(T.enrol_failed, { detail: error.message }),
      );
    } finally {
      button.disabled = false;
    }
  });
  show(page);
}

function drawUnlock() {
  const page = clone("tpl-unlock");
  const form = page.querySelector("form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = form.elements.pin;
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const ok = await unlock(input.value);
      if (!ok && core.enrolled) {
        input.value = "";
        showError(form, plural("pin_wrong", core.triesLeft));
        input.focus();
      }
    } finally {
      button.disabled = false;
    }
  });
  show(page);
  form.elements.pin.focus();
}

async function unlock(pin) {
  const ok = await core.unlock(pin);
  if (ok) {
    lastInput = Date.now();
    render();
    if (core.online) core.syncNow();
  } else if (mode() !== drawnMode) {
    render(); // wiped after the last wrong PIN
  }
  return ok;
}

// ---- the caseload and the tasks -------------------------------------------------------------------

function openTasks(c) {
  return (c.tasks || []).filter((t) => !t.done_at && !t.for_supervisor);
}

function choiceLabel(name, code) {
  const pairs = (core.pack && core.pack.choices && core.pack.choices[name]) || [];
  const found = pairs.find(([value]) => value === code);
  return found ? found[1] : "";
}

function drawCaseload() {
  const page = clone("tpl-caseload");
  const rows = slot(page, "rows");
  const cases = (core.pack && core.pack.cases) || [];
  for (const entry of core.queue.filter((e) => e.action.kind === "register")) {
    const row = clone("tpl-caseload-row");
    const link = slot(row, "link");
    link.textContent = T.new_case;
    link.href = "#/sync";
    slot(row, "badge").append(badge(statusOf(entry)));
    slot(row, "child").textContent = entry.display.child;
    slot(row, "stage").textContent = T.new_case;
    slot(row, "clock").textContent = "—";
    slot(row, "risk").textContent = choiceLabel("risk_levels", entry.action.data.initial_risk);
    rows.append(row);
  }
  for (const c of cases) {
    const row = clone("tpl-caseload-row");
    const link = slot(row, "link");
    link.textContent = c.number;
    link.href = "#/case/" + c.uuid;
    const pending = core.pendingFor(c.uuid);
    if (pending.length) slot(row, "badge").append(badge(worst(pending)));
    slot(row, "child").textContent = c.child.name;
    slot(row, "stage").textContent =
      c.stage_label + (c.in_protection ? " · " + T.in_protection_short : "");
    const next = openTasks(c)[0];
    const clock = slot(row, "clock");
    if (next) clock.append(next.label + " ", countdown(next.due_at));
    else clock.textContent = "—";
    slot(row, "risk").textContent = c.risk_label;
    rows.append(row);
  }
  slot(page, "empty").hidden = rows.children.length > 0;
  show(page);
}

function worst(entries) {
  const order = ["refused", "conflict", "held", ""];
  const statuses = entries.map(statusOf);
  return order.find((s) => statuses.includes(s)) || "";
}

/** The provisional production clock of a protection recorded on the phone, not yet synced. */
function provisional(c) {
  if (c.in_protection) return null;
  const taken = core.pendingFor(c.uuid).find((e) => e.action.kind === "protect");
  if (!taken || !c.production_hours) return null;
  const due = new Date(new Date(taken.action.field_time).getTime() + c.production_hours * 3600000);
  return { due_at: due.toISOString(), basis: c.production_basis, hours: c.production_hours };
}

function drawTasks() {
  const page = clone("tpl-tasks");
  const rows = slot(page, "rows");
  const all = [];
  for (const c of (core.pack && core.pack.cases) || []) {
    for (const t of openTasks(c)) all.push({ c, label: t.label, due_at: t.due_at, basis: t.basis });
    const p = provisional(c);
    if (p) {
      all.push({ c, label: fmt(T.provisional_production, { when: when(p.due_at) }), due_at: p.due_at, basis: p.basis });
    }
  }
  all.sort((a, b) => new Date(a.due_at) - new Date(b.due_at));
  const now = Date.now();
  for (const t of all) {
    const row = clone("tpl-task-row");
    if (new Date(t.due_at).getTime() < now) row.firstElementChild.classList.add("overdue");
    slot(row, "countdown").append(countdown(t.due_at));
    slot(row, "due").textContent = when(t.due_at);
    slot(row, "task").textContent = t.label;
    const link = slot(row, "link");
    link.textContent = t.c.number;
    link.href = "#/case/" + t.c.uuid;
    slot(row, "child").textContent = t.c.child.name;
    slot(row, "basis").textContent = t.basis || "";
    rows.append(row);
  }
  slot(page, "empty").hidden = all.length > 0;
  show(page);
}

// ---- the case page ----------------------------------------------------------------------------

function describePending(entry) {
  const d = entry.action.data || {};
  const institutions = (core.pack && core.pack.institutions) || [];
  const place = (id) => (institutions.find((i) => i.id === id) || {}).name || "";
  const parts = [kindLabel(entry.action.kind)];
  if (entry.action.kind === "assess") parts.push(choiceLabel("risk_levels", d.risk_level));
  if (entry.action.kind === "protect" && d.temporary_institution) parts.push(place(d.temporary_institution));
  if (entry.action.kind === "place") {
    parts.push(choiceLabel("placement_options", d.option));
    if (d.institution) parts.push(place(d.institution));
  }
  return parts.filter(Boolean).join(" · ");
}

function drawCase(uuid, action) {
  const c = core.findCase(uuid);
  if (!c) return drawMessage(T.not_found);
  const page = clone("tpl-case");
  slot(page, "number").textContent = c.number;
  slot(page, "child").textContent = c.child.name;
  const who = [c.child.age_text || (c.child.age !== null && c.child.age !== undefined ? fmt(T.age_years, { age: c.child.age }) : ""), c.child.sex_label];
  slot(page, "who").textContent = who.filter(Boolean).join(" · ");
  slot(page, "stage").textContent = c.stage_label;
  slot(page, "risk").textContent = c.risk_label;
  const protection = slot(page, "protection");
  if (c.in_protection) protection.append(el("strong", { text: T.in_protection }));
  else protection.textContent = T.not_in_protection;
  slot(page, "district").textContent = c.district.name;
  slot(page, "opened").textContent = day(c.opened_at);
  slot(page, "next").textContent = c.next_step;

  const clocks = slot(page, "clocks");
  const now = Date.now();
  const p = provisional(c);
  if (p) {
    const item = clone("tpl-clock");
    const li = item.firstElementChild;
    li.classList.add("field-provisional");
    slot(item, "what").textContent = fmt(T.provisional_production, { when: when(p.due_at) });
    slot(item, "countdown").append(countdown(p.due_at));
    slot(item, "basis").textContent = p.basis || fmt(T.production_basis, { hours: p.hours });
    if (new Date(p.due_at).getTime() < now) li.classList.add("is-overdue");
    clocks.append(item);
  }
  for (const t of openTasks(c)) {
    const item = clone("tpl-clock");
    slot(item, "what").textContent = t.label;
    slot(item, "countdown").append(countdown(t.due_at));
    slot(item, "basis").textContent = t.basis || "";
    if (new Date(t.due_at).getTime() < now) item.firstElementChild.classList.add("is-overdue");
    clocks.append(item);
  }
  slot(page, "no-clocks").hidden = clocks.children.length > 0;

  const actions = slot(page, "actions");
  for (const offer of c.offers || []) actions.append(actionBox(c, offer, offer.action === action));

  const timeline = slot(page, "timeline");
  for (const e of c.timeline || []) {
    const item = clone("tpl-event");
    slot(item, "when").textContent = when(e.occurred_at);
    slot(item, "what").textContent = e.summary || e.label;
    if (e.by) slot(item, "by").append(...fmtNodes(T.recorded_by, { who: e.by }));
    if (e.note) {
      slot(item, "break").hidden = false;
      slot(item, "note").textContent = e.note;
    }
    timeline.append(item);
  }
  const pending = core.pendingFor(c.uuid).sort((a, b) => a.action.field_time.localeCompare(b.action.field_time));
  for (const entry of pending) {
    const item = clone("tpl-event");
    item.firstElementChild.classList.add("field-pending-event");
    item.firstElementChild.dataset.key = entry.action.key;
    slot(item, "when").textContent = when(entry.action.field_time);
    slot(item, "what").textContent = describePending(entry);
    slot(item, "by").textContent = fmt(T.recorded_by, { who: T.you });
    slot(item, "badge").append(badge(statusOf(entry)));
    const note = entry.action.data && entry.action.data.note;
    const message = entry.outcome && entry.outcome.status !== "held" ? entry.outcome.message : "";
    if (note || message) slot(item, "break").hidden = false;
    if (note) slot(item, "note").textContent = note;
    if (message) slot(item, "message").textContent = (note ? " " : "") + message;
    timeline.append(item);
  }
  slot(page, "concerns").textContent = (c.concerns || []).join(T.list_separator) || T.none;
  show(page, c.number);
}

function actionBox(c, offer, open) {
  const box = clone("tpl-action");
  const details = box.firstElementChild;
  details.id = "step-" + offer.action;
  if (open) details.open = true;
  slot(box, "label").textContent = offer.label;
  if (offer.why_not) {
    const why = slot(box, "why-not");
    why.textContent = fmt(T.not_yet, { why_not: offer.why_not });
    why.hidden = false;
    return box;
  }
  const template = document.getElementById("tpl-form-" + offer.action);
  if (!template) return box;
  const form = clone("tpl-form-" + offer.action).firstElementChild;
  prepareForm(form, offer.action);
  slot(form, "submit").textContent = offer.label;
  const production = slot(form, "production");
  if (production) production.textContent = fmt(T.production_basis, { hours: c.production_hours });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    keep(form, offer.action, c, offer.label);
  });
  details.append(form);
  return box;
}

function localValue(date) {
  const p = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}`;
}

/** Fill a form's "When", its choices (from the pack), institutions and districts. */
function prepareForm(form, kind) {
  const whenBox = slot(form, "when");
  if (whenBox) {
    const field = clone("tpl-when");
    const input = field.querySelector("input");
    input.id = kind + "-when";
    input.value = localValue(new Date());
    slot(field, "label").htmlFor = input.id;
    whenBox.replaceWith(field);
  }
  const choices = (core.pack && core.pack.choices) || {};
  for (const box of form.querySelectorAll("[data-choices]")) {
    for (const [code, label] of choices[box.dataset.choices] || []) {
      const input = el("input", { type: box.dataset.type, name: box.dataset.name, value: code });
      if (box.dataset.type === "radio" && box.hasAttribute("data-required")) input.required = true;
      box.append(el("label", {}, input, " " + label));
    }
  }
  for (const select of form.querySelectorAll("select[data-institutions]")) {
    select.append(el("option", { value: "", text: T.choose }));
    for (const i of (core.pack && core.pack.institutions) || []) {
      select.append(el("option", { value: String(i.id), text: fmt(T.institution_label, { name: i.name, free: i.free }) }));
    }
  }
  for (const select of form.querySelectorAll("select[data-districts]")) {
    const districts = (core.pack && core.pack.user && core.pack.user.districts) || [];
    if (districts.length !== 1) select.append(el("option", { value: "", text: T.choose }));
    for (const d of districts) select.append(el("option", { value: d.pcode, text: d.name }));
  }
}

function value(form, name) {
  const field = form.elements[name];
  if (!field) return "";
  return (field.value || "").trim();
}

function fieldTime(form) {
  const raw = value(form, "field_time");
  const date = raw ? new Date(raw) : null;
  if (!date || Number.isNaN(date.getTime())) throw new Error(T.bad_time);
  if (date.getTime() > Date.now() + core.settings.clock_skew_seconds * 1000) {
    throw new Error(fmt(T.future_time, { now: when(new Date().toISOString()) }));
  }
  return date.toISOString();
}

function intOrNull(text) {
  return text ? Number.parseInt(text, 10) : null;
}

/** The action a form describes: {data} or throws an Error with the officer's message. */
function readForm(form, kind) {
  if (kind === "visit" || kind === "follow-up") {
    const note = value(form, "note");
    if (kind === "visit" && !note) throw new Error(T.required);
    return { note };
  }
  if (kind === "assess") {
    const risk = value(form, "risk_level");
    if (!risk) throw new Error(T.required);
    return { risk_level: risk, note: value(form, "note") };
  }
  if (kind === "protect") return { temporary_institution: intOrNull(value(form, "temporary_institution")) };
  if (kind === "place") {
    const option = value(form, "option");
    if (!option) throw new Error(T.required);
    return {
      option,
      institution: intOrNull(value(form, "institution")),
      caregiver_sex: value(form, "caregiver_sex") || null,
      lower_option_reason: value(form, "lower_option_reason"),
    };
  }
  throw new Error(kind);
}

async function keep(form, kind, c, label) {
  let data;
  let time;
  try {
    time = fieldTime(form);
    data = readForm(form, kind);
  } catch (error) {
    return showError(form, error.message);
  }
  showError(form, "");
  try {
    await core.enqueue({ kind, case: c.uuid, base_version: c.version, field_time: time, data });
  } catch (error) {
    return showError(form, failure(error));
  }
  delete view.dataset.dirty;
  const target = "#/case/" + c.uuid;
  if (location.hash !== target) history.replaceState(null, "", target);
  render();
  flash(fmt(T.queued_done, { label }));
  window.scrollTo(0, 0);
}

function failure(error) {
  if (error.code === "future_time") return fmt(T.future_time, { now: when(new Date().toISOString()) });
  if (error.code === "bad_time") return T.bad_time;
  if (error.code === "locked") return T.locked_out;
  return fmt(T.storage_failed, { detail: error.message });
}

// ---- a new child met in the field ---------------------------------------------------------------

function drawRegister() {
  const page = clone("tpl-register");
  const form = page.querySelector("form");
  prepareForm(form, "register");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let time;
    let data;
    try {
      time = fieldTime(form);
      data = readRegister(form);
    } catch (error) {
      return showError(form, error.message);
    }
    showError(form, "");
    try {
      await core.enqueue({ kind: "register", case: crypto.randomUUID(), field_time: time, data });
    } catch (error) {
      return showError(form, failure(error));
    }
    delete view.dataset.dirty;
    history.replaceState(null, "", "#/");
    render();
    flash(fmt(T.queued_done, { label: kindLabel("register") }));
    window.scrollTo(0, 0);
  });
  show(page);
}

function readRegister(form) {
  const nameLatin = value(form, "name_latin");
  const nameUrdu = value(form, "name_urdu");
  if (!nameLatin && !nameUrdu) throw new Error(T.name_missing);
  const sex = value(form, "sex");
  if (!sex) throw new Error(T.required);
  const born = value(form, "date_of_birth");
  const age = value(form, "estimated_age_years");
  if (!born && !age) throw new Error(T.age_missing);
  if (age && !(/^[0-9]{1,2}$/.test(age) && Number(age) <= 17)) throw new Error(T.age_bad);
  const district = value(form, "district");
  const risk = value(form, "initial_risk");
  if (!district || !risk) throw new Error(T.required);
  const concerns = [...form.querySelectorAll('input[name="concerns"]:checked')].map((i) => i.value);
  if (!concerns.length) throw new Error(T.concerns_missing);
  const child = { uuid: crypto.randomUUID(), name_latin: nameLatin, name_urdu: nameUrdu, sex, district };
  // Absent rather than null: the server's child form takes a date or an age, not nulls.
  if (born) child.date_of_birth = born;
  if (age) child.estimated_age_years = Number(age);
  return { child, initial_risk: risk, concerns, note: value(form, "note") };
}

// ---- the sync page --------------------------------------------------------------------------------

function drawSync() {
  const page = clone("tpl-sync");
  const problem = slot(page, "problem");
  const text = problemText(core.problem);
  if (text) {
    problem.append(el("p", {}, text));
    if (core.problem.kind === "sign-in") problem.lastChild.append(" ", signInLink());
    problem.hidden = false;
  }
  const attention = slot(page, "attention");
  const waiting = slot(page, "waiting");
  if (core.unreadable.length) {
    attention.append(el("li", { class: "field-tampered" }, el("strong", { class: "error", text: T.tampered })));
  }
  for (const entry of core.queue) {
    const status = statusOf(entry);
    const item = clone("tpl-sync-item");
    const li = item.firstElementChild;
    li.dataset.key = entry.action.key;
    li.dataset.status = status || "waiting";
    slot(item, "label").textContent = describePending(entry);
    const which = slot(item, "case");
    if (entry.action.kind === "register") which.append(T.new_case);
    else which.append(...fmtNodes(T.for_case, { number: entry.display.number }));
    if (entry.display.child) which.append(" · ", el("bdi", { text: entry.display.child }));
    slot(item, "when").append(...fmtNodes(T.field_time, { when: when(entry.action.field_time) }));
    slot(item, "badge").append(badge(status));
    if (entry.outcome && entry.outcome.message) {
      const message = slot(item, "message");
      message.textContent = entry.outcome.message;
      message.hidden = false;
      if (status === "held") message.className = "muted";
    }
    const changes = slot(item, "changes");
    for (const change of (entry.outcome && entry.outcome.changes) || []) {
      changes.append(el("li", {}, ...fmtNodes(T.changed_by, { label: change.label, by: change.by || "—", when: when(change.at) })));
    }
    changes.hidden = changes.children.length === 0;
    const errors = slot(item, "errors");
    for (const list of Object.values((entry.outcome && entry.outcome.errors) || {})) {
      for (const message of list) errors.append(el("li", { text: message }));
    }
    errors.hidden = errors.children.length === 0 || status !== "refused";
    if (status === "conflict") slot(item, "decide").hidden = false;
    if (status === "refused") slot(item, "dismiss").hidden = false;
    for (const button of li.querySelectorAll("button[data-do]")) {
      button.addEventListener("click", () => decide(entry.action.key, button.dataset.do, button));
    }
    (status === "conflict" || status === "refused" ? attention : waiting).append(item);
  }
  slot(page, "attention-section").hidden = attention.children.length === 0;
  slot(page, "none").hidden = waiting.children.length > 0;
  page.querySelector('button[data-do="sync"]').addEventListener("click", (event) => syncFromButton(event.target));
  show(page);
}

async function syncFromButton(button) {
  button.disabled = true;
  try {
    const summary = await core.syncNow();
    report(summary);
  } finally {
    button.disabled = false;
  }
}

function report(summary) {
  if (core.problem) {
    const text = problemText(core.problem);
    if (core.problem.kind === "sign-in") flash(text, { link: signInLink() });
    else flash(text);
    return;
  }
  const sent = summary.applied + summary.duplicate + summary.conflict + summary.refused + summary.held;
  flash(
    sent
      ? fmt(T.sync_done, {
          applied: summary.applied + summary.duplicate,
          conflict: summary.conflict,
          refused: summary.refused,
          held: summary.held,
        })
      : T.sync_nothing,
  );
}

async function decide(key, decision, button) {
  if (!core.online && decision !== "discard") return flash(T.resolve_offline);
  button.disabled = true;
  try {
    const entry = core.queue.find((e) => e.action.key === key);
    if (!core.online && entry && statusOf(entry) !== "refused") return flash(T.resolve_offline);
    const problem = await core.resolve(key, decision);
    if (problem) {
      const text = problem.kind === "offline" ? T.resolve_offline : problemText(problem);
      if (problem.kind === "sign-in") flash(text, { link: signInLink() });
      else flash(text || "");
    }
    render();
  } finally {
    button.disabled = false;
  }
}

// ---- sign-out, lock, idle ------------------------------------------------------------------

async function signOut() {
  if (!core.online) return flash(T.sign_out_offline);
  const unsent = core.unsent;
  if (unsent > 0 && !window.confirm(plural("confirm_sign_out", unsent))) return;
  if (core.enrolled) {
    const problem = await core.signOut();
    if (problem && problem.kind === "offline") return flash(T.sign_out_offline);
  }
  const form = document.querySelector("form.logout");
  if (!form) {
    location.href = URLS.login;
    return;
  }
  const token = form.querySelector('input[name="csrfmiddlewaretoken"]');
  const cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (token && cookie) token.value = decodeURIComponent(cookie[1]); // the cached page's may be old
  form.submit(); // not a "submit" event: the handler below does not catch it again
}

root.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-do]");
  if (!button || !nav.contains(button)) return;
  if (button.dataset.do === "lock") {
    core.lock();
  } else if (button.dataset.do === "sign-out") {
    signOut();
  }
});

const logout = document.querySelector("form.logout");
if (logout) {
  logout.addEventListener("submit", (event) => {
    event.preventDefault();
    signOut();
  });
}

let lastInput = Date.now();
for (const name of ["pointerdown", "keydown", "touchstart", "input", "wheel"]) {
  document.addEventListener(name, () => (lastInput = Date.now()), { capture: true, passive: true });
}

function idleCheck() {
  if (core.enrolled && !core.locked && Date.now() - lastInput > core.settings.idle_lock_seconds * 1000) {
    core.lock();
  }
}

setInterval(() => {
  idleCheck();
  for (const node of view.querySelectorAll("[data-due]")) tick(node);
  showStatus();
}, 15000);

// A signal without a way through (the server did not answer): ask again now and then, and
// send what waits as soon as it answers.
setInterval(async () => {
  if (!navigator.onLine || core.online || !core.enrolled) return;
  await core.askStatus();
  showStatus();
  if (core.online && !core.locked && core.counts.queued > 0) core.syncNow().then(report);
}, 30000);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") idleCheck();
});

window.addEventListener("online", () => {
  core.reconnected();
  showStatus();
  if (core.enrolled && !core.locked) core.syncNow().then(report);
  else if (core.enrolled) core.askStatus();
  else if (drawnMode === "enrol-offline") render();
});
window.addEventListener("offline", () => {
  showStatus();
  if (drawnMode === "enrol") render();
});

// ---- start ------------------------------------------------------------------------------

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(URLS.worker, { scope: URLS.scope }).catch(() => {});
}

const ready = core
  .start()
  .catch(() => {})
  .then(() => {
    render();
    return true;
  });

window.cpmisField = Object.freeze({
  ready,
  state: () => core.state(),
  enqueue: (action) => core.enqueue(action),
  syncNow: () => core.syncNow(),
  unlock: (pin) => unlock(pin),
  lock: () => core.lock(),
  wipe: (reason) => core.wipe(reason || ""),
  storedBytes: () => core.storedBytes(),
});

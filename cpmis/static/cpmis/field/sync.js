/* The field app's state on the phone: enrolment, the lock, the queue of actions recorded
   offline, and the sync with cpmis (/api/field/, ADR 0020). No page drawing here (app.js).

   Rules kept here:
   - an action leaves the queue only when the server answered "applied" or "duplicate", when
     the officer set a conflict aside and the server confirmed it, or when the officer set aside
     one the server refused (the server keeps its receipt): nothing recorded is lost;
   - a record of the store that does not decrypt is never sent; the officer is told;
   - the phone asks at every start (online) and before every sync whether it must wipe itself,
     with the device's secret, so that it wipes even when its session is gone. */

import * as vault from "./vault.js";

const QUEUE = "q:";
const PACK = "pack";
const DEFAULTS = { idle_lock_seconds: 300, max_wrong_pins: 5, batch: 50, clock_skew_seconds: 300 };
const WAITING = new Set(["held"]); // sent again at the next sync
const FINAL = new Set(["applied", "duplicate", "discarded"]); // leaves the queue

export class NetworkError extends Error {}

function csrfToken() {
  const found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return found ? decodeURIComponent(found[1]) : "";
}

// Whether the server answered the last call: a phone can have a signal and no way through.
export const reach = { ok: true };

async function call(method, url, { body, device } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  if (device) headers["X-CPMIS-Device"] = device;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    reach.ok = false;
    throw new NetworkError(String(error));
  }
  reach.ok = true;
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  return { status: response.status, data: data || {}, redirected: response.redirected };
}

function queueId(seq) {
  return QUEUE + String(seq).padStart(10, "0");
}

function detailOf(data) {
  if (!data) return "";
  if (typeof data.detail === "string") return data.detail;
  const texts = [];
  for (const value of Object.values(data)) {
    if (Array.isArray(value)) texts.push(...value.filter((v) => typeof v === "string"));
  }
  return texts.join(" ");
}

export class Core {
  constructor(urls, username) {
    this.urls = urls;
    this.username = username; // the account signed in on the page (the shell's)
    this.enrolled = false;
    this.key = null; // the data key, only while unlocked
    this.pack = null;
    this.queue = []; // [{id, action, outcome, display}], by seq
    this.unreadable = []; // ids of records that did not decrypt
    this.device = null; // {device, secret, username, label}
    this.settings = { ...DEFAULTS };
    this.counts = { queued: 0, failed: 0, conflicts: 0 };
    this.lastSyncedAt = null;
    this.wrongPins = 0;
    this.problem = null; // the last sync's problem: {kind, text, n}
    this.wipedReason = "";
    this.listeners = [];
    this.syncing = null;
    this.followUp = null;
  }

  onChange(listener) {
    this.listeners.push(listener);
  }

  changed() {
    for (const listener of this.listeners) listener(this);
  }

  /** Online: the browser says so and the server answered the last call. */
  get online() {
    return navigator.onLine && reach.ok;
  }

  /** The browser's "online" event: try the server again. */
  reconnected() {
    reach.ok = true;
  }

  get locked() {
    return this.enrolled && this.key === null;
  }

  state() {
    return {
      enrolled: this.enrolled,
      locked: this.locked,
      online: this.online,
      queued: this.counts.queued,
      failed: this.counts.failed,
      conflicts: this.counts.conflicts,
      lastSyncedAt: this.lastSyncedAt,
    };
  }

  deviceUrl(what) {
    return this.urls.device.replace("DEVICE", this.device.device) + what + "/";
  }

  // ---- start, enrolment, the lock -----------------------------------------------------------

  /** Read what the phone holds (nothing personal: the store stays locked), and ask the server
      whether to wipe. */
  async start() {
    if (await vault.exists()) {
      const [device, keyMeta, pins, sync, settings, counts] = await Promise.all(
        ["device", "key", "pins", "sync", "settings", "counts"].map((n) => vault.getMeta(n)),
      );
      if (device && keyMeta) {
        this.enrolled = true;
        this.device = device;
        this.wrongPins = (pins && pins.wrong) || 0;
        this.lastSyncedAt = (sync && sync.lastSyncedAt) || null;
        this.settings = { ...DEFAULTS, ...(settings || {}) };
        this.counts = counts || this.counts;
      }
    }
    if (this.enrolled && this.online) await this.askStatus();
    this.changed();
  }

  /** Whether this phone may keep its store; wipes it when told to. Returns false after a wipe. */
  async askStatus() {
    if (!this.device) return true;
    let answer;
    try {
      answer = await call("POST", this.deviceUrl("status"), {
        body: { secret: this.device.secret, wiped: false },
      });
    } catch (error) {
      return true; // no connection: ask next time
    }
    if (answer.status === 200 && answer.data.state === "wipe") {
      await this.wipe(answer.data.reason || "unknown", { tellServer: true });
      return false;
    }
    return true;
  }

  async enrol(label, pin) {
    const answer = await call("POST", this.urls.enrol, { body: { label } });
    if (answer.status !== 201) {
      const error = new Error(detailOf(answer.data) || String(answer.status));
      error.status = answer.status;
      throw error;
    }
    // A store left by an earlier enrolment (of this phone) goes: a new device starts empty.
    await vault.destroy();
    const { stored, key } = await vault.newKey(pin);
    this.device = {
      device: answer.data.device,
      secret: answer.data.secret,
      username: this.username,
      label,
      enrolledAt: new Date().toISOString(),
    };
    this.counts = { queued: 0, failed: 0, conflicts: 0 };
    await vault.setMeta({
      device: this.device,
      key: stored,
      pins: { wrong: 0 },
      seq: 0,
      settings: this.settings,
      counts: this.counts,
    });
    this.enrolled = true;
    this.key = key;
    this.wrongPins = 0;
    this.wipedReason = "";
    this.queue = [];
    this.unreadable = [];
    this.pack = null;
    this.changed();
    await this.fetchPack();
  }

  /** Open the store with ``pin``: true, or false for a wrong PIN (counted; at the limit the
      store is wiped). */
  async unlock(pin) {
    if (!this.enrolled) return false;
    const stored = await vault.getMeta("key");
    const key = stored ? await vault.openKey(String(pin), stored) : null;
    if (key === null) {
      this.wrongPins += 1;
      if (this.wrongPins >= this.settings.max_wrong_pins) {
        await this.wipe("pins");
      } else {
        await vault.setMeta({ pins: { wrong: this.wrongPins } });
        this.changed();
      }
      return false;
    }
    this.key = key;
    this.wrongPins = 0;
    await vault.setMeta({ pins: { wrong: 0 } });
    await this.load();
    this.changed();
    return true;
  }

  get triesLeft() {
    return Math.max(this.settings.max_wrong_pins - this.wrongPins, 0);
  }

  /** Drop the key and everything decrypted from memory. */
  lock() {
    if (!this.enrolled) return;
    this.key = null;
    this.pack = null;
    this.queue = [];
    this.unreadable = [];
    this.changed();
  }

  /** Delete the store (and, when the server asked for it, tell the server it was done). */
  async wipe(reason = "", { tellServer = false } = {}) {
    const device = this.device;
    await vault.destroy();
    this.enrolled = false;
    this.key = null;
    this.pack = null;
    this.queue = [];
    this.unreadable = [];
    this.device = null;
    this.counts = { queued: 0, failed: 0, conflicts: 0 };
    this.lastSyncedAt = null;
    this.wrongPins = 0;
    this.problem = null;
    this.wipedReason = reason || "";
    if (tellServer && device) {
      try {
        await call("POST", this.urls.device.replace("DEVICE", device.device) + "status/", {
          body: { secret: device.secret, wiped: true },
        });
      } catch (error) {
        // offline: the server learns at the phone's next enrolment that it is gone
      }
    }
    this.changed();
  }

  async load() {
    let pack = null;
    try {
      pack = (await vault.get(this.key, PACK)) || null;
    } catch (error) {
      pack = null; // altered: a fresh one comes with the next sync
      this.unreadable.push(PACK);
    }
    this.pack = pack;
    const { values, unreadable } = await vault.getAll(this.key, QUEUE);
    this.queue = values.map(([id, value]) => ({ id, ...value }));
    this.unreadable = [...this.unreadable.filter((id) => id === PACK), ...unreadable];
    await this.recount();
  }

  async recount() {
    const counts = { queued: 0, failed: this.unreadable.length, conflicts: 0 };
    for (const entry of this.queue) {
      const status = entry.outcome ? entry.outcome.status : "";
      if (!status || WAITING.has(status)) counts.queued += 1;
      else if (status === "conflict") counts.conflicts += 1;
      else counts.failed += 1;
    }
    this.counts = counts;
    if (this.enrolled) await vault.setMeta({ counts });
  }

  requireKey() {
    if (this.key === null) {
      const error = new Error("locked");
      error.code = "locked";
      throw error;
    }
  }

  // ---- the pack -----------------------------------------------------------------------------

  async storePack(pack) {
    this.pack = pack;
    this.settings = { ...DEFAULTS, ...(pack.settings || {}) };
    this.lastSyncedAt = new Date().toISOString(); // the phone's clock: "N hours ago" is its own
    this.unreadable = this.unreadable.filter((id) => id !== PACK);
    await vault.put(this.key, [[PACK, pack]]);
    await vault.setMeta({ settings: this.settings, sync: { lastSyncedAt: this.lastSyncedAt } });
  }

  /** Fetch the officer's pack. Returns a problem ({kind, text}) or null. */
  async fetchPack() {
    this.requireKey();
    let answer;
    try {
      answer = await call("GET", this.urls.pack, { device: this.device.device });
    } catch (error) {
      return { kind: "offline" };
    }
    const problem = await this.refusal(answer);
    if (problem) return problem;
    await this.storePack(answer.data);
    await this.recount();
    this.changed();
    return null;
  }

  /** The cases the server sent after actions (and those the officer no longer holds). */
  async mergeCases(cases, removed) {
    if (!this.pack) return;
    const gone = new Set(removed || []);
    const fresh = new Map((cases || []).map((c) => [c.uuid, c]));
    const kept = this.pack.cases.filter((c) => !gone.has(c.uuid) && !fresh.has(c.uuid));
    this.pack.cases = [...kept, ...fresh.values()];
    await vault.put(this.key, [[PACK, this.pack]]);
  }

  findCase(uuid) {
    return this.pack ? this.pack.cases.find((c) => c.uuid === uuid) || null : null;
  }

  // ---- the queue ----------------------------------------------------------------------------

  /** Keep an action to send at the next sync; returns its key. ``action``: {kind, case, data,
      field_time?, base_version?}. */
  async enqueue(action) {
    this.requireKey();
    const now = new Date();
    const fieldTime = action.field_time ? new Date(action.field_time) : now;
    if (Number.isNaN(fieldTime.getTime())) {
      const error = new Error("field_time");
      error.code = "bad_time";
      throw error;
    }
    if (fieldTime.getTime() > now.getTime() + this.settings.clock_skew_seconds * 1000) {
      const error = new Error("future");
      error.code = "future_time";
      throw error;
    }
    const kind = action.kind;
    const found = kind === "register" ? null : this.findCase(action.case);
    let baseVersion = action.base_version;
    if (baseVersion === undefined) baseVersion = found ? found.version : null;
    const seq = await vault.nextSeq();
    const full = {
      key: action.key || crypto.randomUUID(),
      seq,
      kind,
      case: kind === "register" ? action.case || crypto.randomUUID() : action.case,
      base_version: kind === "register" ? null : baseVersion,
      field_time: fieldTime.toISOString(),
      queued_at: now.toISOString(),
      data: action.data || {},
    };
    const display =
      kind === "register"
        ? {
            number: "",
            child: (full.data.child && (full.data.child.name_latin || full.data.child.name_urdu)) || "",
          }
        : { number: found ? found.number : "", child: found ? found.child.name : "" };
    const entry = { id: queueId(seq), action: full, outcome: null, display };
    await vault.put(this.key, [[entry.id, { action: full, outcome: null, display }]]);
    this.queue.push(entry);
    await this.recount();
    this.changed();
    return full.key;
  }

  pendingFor(caseUuid) {
    return this.queue.filter((e) => e.action.case === caseUuid);
  }

  async saveEntry(entry) {
    const { action, outcome, display } = entry;
    await vault.put(this.key, [[entry.id, { action, outcome, display }]]);
  }

  async drop(entries) {
    const ids = new Set(entries.map((e) => e.id));
    await vault.remove([...ids]);
    this.queue = this.queue.filter((e) => !ids.has(e.id));
  }

  /** What the server's answer means when it is not a success: a problem, or null. Wipes the
      store when the server says the phone is gone (410). */
  async refusal(answer) {
    if (answer.status >= 200 && answer.status < 300) return null;
    if (answer.status === 410) {
      await this.wipe(answer.data.reason || "unknown", { tellServer: true });
      return { kind: "wiped" };
    }
    if (answer.status === 401 || answer.status === 403 || answer.redirected) {
      return { kind: "sign-in" };
    }
    if (answer.status === 409 && answer.data.code === "clock_off") {
      return { kind: "clock", text: answer.data.detail || "" };
    }
    return { kind: "failed", text: detailOf(answer.data) || "HTTP " + answer.status };
  }

  // ---- sync ---------------------------------------------------------------------------------

  /** Send what waits. Called while a sync runs, it runs once more after it (for what was
      queued meanwhile) and answers both syncs' counts together. */
  syncNow() {
    if (this.syncing) {
      if (!this.followUp) {
        this.followUp = this.syncing.then(async (first) => {
          this.followUp = null;
          const second = await this.syncNow();
          const both = { ...first };
          for (const [name, n] of Object.entries(second)) both[name] = (both[name] || 0) + n;
          return both;
        });
      }
      return this.followUp;
    }
    {
      this.syncing = this.doSync()
        .catch((error) => {
          // Locked or wiped while sending: what had no answer stays queued, sent again later
          // (the server answers "duplicate" for what it had already recorded).
          this.problem = { kind: "failed", text: error.code || error.message };
          return { applied: 0, duplicate: 0, conflict: 0, refused: 0, held: 0 };
        })
        .finally(() => {
          this.syncing = null;
          this.changed();
        });
      this.changed();
    }
    return this.syncing;
  }

  async doSync() {
    const summary = { applied: 0, duplicate: 0, conflict: 0, refused: 0, held: 0 };
    this.problem = null;
    if (!this.enrolled) return summary;
    if (this.key === null) {
      this.problem = { kind: "locked" };
      return summary;
    }
    if (!navigator.onLine) {
      this.problem = { kind: "offline" };
      return summary;
    }
    if (!(await this.askStatus())) return summary;
    if (!reach.ok) {
      this.problem = { kind: "offline" };
      return summary;
    }
    const toSend = this.queue.filter((e) => !e.outcome || WAITING.has(e.outcome.status));
    const size = Math.max(1, Math.min(this.settings.batch || 50, 50));
    for (let at = 0; at < toSend.length; at += size) {
      const batch = toSend.slice(at, at + size);
      let answer;
      try {
        answer = await call("POST", this.urls.sync, {
          body: { device_now: new Date().toISOString(), actions: batch.map((e) => e.action) },
          device: this.device.device,
        });
      } catch (error) {
        this.problem = { kind: "offline" };
        return summary;
      }
      const problem = await this.refusal(answer);
      if (problem) {
        this.problem = problem;
        return summary;
      }
      await this.record(batch, answer.data.results || [], summary);
      await this.mergeCases(answer.data.cases, answer.data.removed);
      this.changed();
    }
    const problem = await this.fetchPack();
    if (problem) this.problem = problem;
    await this.recount();
    return summary;
  }

  /** Keep the server's answers: the final ones leave the queue, the others stay with their
      message. */
  async record(batch, results, summary) {
    const byKey = new Map(results.map((r) => [String(r.key), r]));
    const done = [];
    for (const entry of batch) {
      const result = byKey.get(entry.action.key);
      if (!result) continue; // no answer for it: it stays, to be sent again
      if (result.status in summary) summary[result.status] += 1;
      if (FINAL.has(result.status)) {
        done.push(entry);
      } else {
        entry.outcome = {
          status: result.status,
          message: result.message || "",
          errors: result.errors || {},
          changes: result.changes || [],
          at: new Date().toISOString(),
        };
        await this.saveEntry(entry);
      }
    }
    if (done.length) await this.drop(done);
    await this.recount();
  }

  /** The officer's decision on a conflict ("apply" or "discard"), or setting aside an action
      the server refused (its receipt is the server's: nothing is lost). Returns a problem or
      null. */
  async resolve(key, decision) {
    this.requireKey();
    const entry = this.queue.find((e) => e.action.key === key);
    if (!entry) return null;
    const status = entry.outcome ? entry.outcome.status : "";
    if (status === "refused" && decision === "discard") {
      await this.drop([entry]);
      await this.recount();
      this.changed();
      return null;
    }
    if (!this.online) return { kind: "offline" };
    let answer;
    try {
      answer = await call("POST", this.urls.resolve, {
        body: { key, decision },
        device: this.device.device,
      });
    } catch (error) {
      return { kind: "offline" };
    }
    const problem = await this.refusal(answer);
    if (problem) return problem;
    const summary = { applied: 0, duplicate: 0, conflict: 0, refused: 0, held: 0 };
    await this.record([entry], [answer.data.result], summary);
    await this.mergeCases(answer.data.cases, answer.data.removed);
    this.changed();
    // Actions held behind this one can go now.
    if (this.queue.some((e) => e.outcome && e.outcome.status === "held")) await this.syncNow();
    return null;
  }

  /** Actions not yet recorded in cpmis (what a sign-out would lose). */
  get unsent() {
    return this.counts.queued + this.counts.conflicts;
  }

  /** End this device on the server and wipe the store. Returns a problem or null. */
  async signOut() {
    if (!this.online) return { kind: "offline" };
    if (this.device) {
      try {
        await call("POST", this.deviceUrl("sign-out"), { body: {} });
      } catch (error) {
        return { kind: "offline" };
      }
    }
    await this.wipe("signed_out");
    return null;
  }

  storedBytes() {
    return vault.storedBytes();
  }
}

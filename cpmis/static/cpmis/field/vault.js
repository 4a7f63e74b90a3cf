/* The field app's store on the phone: IndexedDB database "cpmis-field", encrypted with
   WebCrypto.

   Store "meta" (plain, nothing about a child): the device's uuid and secret, the wrapped data
   key with its PBKDF2 salt, the wrong-PIN count, the settings of the lock, the last sync time,
   the counts shown in the status bar. Store "vault": records {id, iv, ct}, each the AES-GCM
   (256-bit) ciphertext of one JSON value (the pack, each queued action with its outcome),
   authenticated with its own id, so that a record altered or moved to another id fails to
   decrypt instead of being read.

   The data key is random (generateKey) and kept only wrapped, under a key derived from the
   officer's PIN (PBKDF2-SHA-256, 310,000 iterations, a 16-byte random salt): without the PIN
   the records cannot be read. Once unwrapped it is not extractable, and it lives in memory
   only while the app is unlocked. */

export const DB_NAME = "cpmis-field";
const DB_VERSION = 1;
export const ITERATIONS = 310000;
const KEY_CONTEXT = new TextEncoder().encode("cpmis-field data key v1");

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let connection = null;
let opening = null; // the promise of the connection

/** A record that would not decrypt: altered on the phone, or made with another key. */
export class Unreadable extends Error {
  constructor(id) {
    super("unreadable record " + id);
    this.id = id;
  }
}

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
  });
}

/** Whether the database exists, without creating it (opening would). */
export async function exists() {
  if (connection) return true;
  if (indexedDB.databases) {
    const all = await indexedDB.databases();
    return all.some((d) => d.name === DB_NAME);
  }
  return true; // no way to ask: open() will tell (an empty store is "not enrolled")
}

export function open() {
  // One connection, however many callers ask at once (a second one would keep the database
  // open and block its deletion).
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB_NAME, DB_VERSION);
      r.onupgradeneeded = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
        if (!db.objectStoreNames.contains("vault")) db.createObjectStore("vault", { keyPath: "id" });
      };
      r.onsuccess = () => {
        connection = r.result;
        // Another tab (or wipe.js on the login page) deletes the database: let it.
        connection.onversionchange = () => close();
        resolve(connection);
      };
      r.onerror = () => {
        opening = null;
        reject(r.error);
      };
    });
  }
  return opening;
}

export function close() {
  if (connection) connection.close();
  connection = null;
  opening = null;
}

/** Delete the whole database (the wipe). */
export async function destroy() {
  if (opening) {
    try {
      await opening; // an open under way: let it finish, then close it
    } catch (error) {
      // it failed: nothing to close
    }
  }
  close();
  await new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(DB_NAME);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
    // onblocked: another tab holds it open; it closes on "versionchange" and the delete goes on.
  });
}

// ---- meta (plain) ----------------------------------------------------------------------

export async function getMeta(name) {
  const db = await open();
  const tx = db.transaction("meta", "readonly");
  return request(tx.objectStore("meta").get(name));
}

export async function setMeta(values) {
  const db = await open();
  const tx = db.transaction("meta", "readwrite");
  const store = tx.objectStore("meta");
  for (const [name, value] of Object.entries(values)) store.put(value, name);
  return finished(tx);
}

/** The next sequence number of this device's actions (read and increased in one transaction). */
export async function nextSeq() {
  const db = await open();
  const tx = db.transaction("meta", "readwrite");
  const store = tx.objectStore("meta");
  let seq = 0;
  const got = store.get("seq");
  got.onsuccess = () => {
    seq = (got.result || 0) + 1;
    store.put(seq, "seq");
  };
  await finished(tx);
  return seq;
}

// ---- the data key --------------------------------------------------------------------------

async function keyFromPin(pin, salt, iterations) {
  const base = await crypto.subtle.importKey("raw", encoder.encode(pin), "PBKDF2", false, [
    "deriveKey",
  ]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

/** A new data key, wrapped under the PIN: returns what to keep in meta and the usable key. */
export async function newKey(pin) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const fresh = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, [
    "encrypt",
    "decrypt",
  ]);
  const wrapping = await keyFromPin(pin, salt, ITERATIONS);
  const params = { name: "AES-GCM", iv, additionalData: KEY_CONTEXT };
  const wrapped = new Uint8Array(await crypto.subtle.wrapKey("raw", fresh, wrapping, params));
  const stored = { kdf: "PBKDF2-SHA-256", iterations: ITERATIONS, salt, iv, wrapped };
  return { stored, key: await unwrap(wrapped, wrapping, iv) };
}

function unwrap(wrapped, wrapping, iv) {
  return crypto.subtle.unwrapKey(
    "raw",
    wrapped,
    wrapping,
    { name: "AES-GCM", iv, additionalData: KEY_CONTEXT },
    { name: "AES-GCM", length: 256 },
    false, // never extractable once unwrapped
    ["encrypt", "decrypt"],
  );
}

/** The data key for ``pin``, or null when the PIN is wrong (the wrapped key fails to open). */
export async function openKey(pin, stored) {
  const wrapping = await keyFromPin(pin, stored.salt, stored.iterations);
  try {
    return await unwrap(stored.wrapped, wrapping, stored.iv);
  } catch (error) {
    return null;
  }
}

// ---- encrypted records ---------------------------------------------------------------------

async function seal(key, id, value) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = encoder.encode(JSON.stringify(value));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(id) },
    key,
    plain,
  );
  return { id, iv, ct: new Uint8Array(ct) };
}

async function unseal(key, record) {
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: record.iv, additionalData: encoder.encode(record.id) },
      key,
      record.ct,
    );
    return JSON.parse(decoder.decode(plain));
  } catch (error) {
    throw new Unreadable(record.id);
  }
}

/** Encrypt and keep each [id, value] of ``entries`` (one transaction). */
export async function put(key, entries) {
  const sealed = await Promise.all(entries.map(([id, value]) => seal(key, id, value)));
  const db = await open();
  const tx = db.transaction("vault", "readwrite");
  const store = tx.objectStore("vault");
  for (const record of sealed) store.put(record);
  return finished(tx);
}

export async function remove(ids) {
  const db = await open();
  const tx = db.transaction("vault", "readwrite");
  const store = tx.objectStore("vault");
  for (const id of ids) store.delete(id);
  return finished(tx);
}

/** The value of one record (undefined if none); throws Unreadable if it does not decrypt. */
export async function get(key, id) {
  const db = await open();
  const record = await request(db.transaction("vault", "readonly").objectStore("vault").get(id));
  return record ? unseal(key, record) : undefined;
}

/** Every record whose id starts with ``prefix``, in id order: {values: [[id, value]], unreadable:
    [id]}. */
export async function getAll(key, prefix) {
  const db = await open();
  const range = IDBKeyRange.bound(prefix, prefix + "\uffff");
  const records = await request(
    db.transaction("vault", "readonly").objectStore("vault").getAll(range),
  );
  const values = [];
  const unreadable = [];
  for (const record of records) {
    try {
      values.push([record.id, await unseal(key, record)]);
    } catch (error) {
      unreadable.push(record.id);
    }
  }
  return { values, unreadable };
}

/** The ids of the records whose id starts with ``prefix`` (no key needed). */
export async function ids(prefix) {
  const db = await open();
  const range = IDBKeyRange.bound(prefix, prefix + "\uffff");
  return request(db.transaction("vault", "readonly").objectStore("vault").getAllKeys(range));
}

function sizeOf(value) {
  if (value === null || value === undefined) return 0;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (typeof value === "string") return encoder.encode(value).length;
  if (typeof value === "number" || typeof value === "boolean") return 8;
  if (Array.isArray(value)) return value.reduce((n, v) => n + sizeOf(v), 0);
  return Object.entries(value).reduce((n, [k, v]) => n + k.length + sizeOf(v), 0);
}

/** The bytes this app keeps in IndexedDB (keys and values of both stores). */
export async function storedBytes() {
  if (!(await exists())) return 0;
  const db = await open();
  let total = 0;
  for (const name of ["meta", "vault"]) {
    const store = db.transaction(name, "readonly").objectStore(name);
    const [keys, values] = await Promise.all([
      request(store.getAllKeys()),
      request(store.getAll()),
    ]);
    total += sizeOf(keys) + sizeOf(values);
  }
  return total;
}

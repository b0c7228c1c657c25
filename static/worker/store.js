// IndexedDB `comptoir`: the queue of steps made offline, the conflicts the server answered, and small
// values (the bundle, the account, the wrong pickup codes typed offline).
(function (comptoir) {
  "use strict";

  var dbPromise = null;
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("comptoir", 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        var queue = db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        queue.createIndex("account", "account");
        queue.createIndex("parcel", "effect.parcel");
        db.createObjectStore("conflicts", { keyPath: "seq" }).createIndex("account", "account");
        db.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function transact(stores, mode, work) {
    dbPromise = dbPromise || openDb();
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, mode), result;
        t.oncomplete = function () { resolve(result); };
        t.onerror = t.onabort = function () { reject(t.error); };
        result = work(t);
      });
    });
  }

  // Runs ``ask`` in a read transaction and resolves with its request's result.
  function reading(store, ask) {
    var out = {};
    return transact([store], "readonly", function (t) {
      var request = ask(t.objectStore(store));
      request.onsuccess = function () { out.value = request.result; };
      return out;
    }).then(function (o) { return o.value; });
  }

  function read(store, key) { return reading(store, function (s) { return s.get(key); }); }
  // Small values are read at every step: keep them in memory too (this worker alone writes them).
  var memo = {};
  function getMeta(key) {
    if (key in memo) return Promise.resolve(memo[key]);
    return read("meta", key).then(function (value) { memo[key] = value; return value; });
  }
  function setMeta(key, value) {
    delete memo[key];
    writes += 1;
    return transact(["meta"], "readwrite", function (t) { t.objectStore("meta").put(value, key); });
  }

  function all(store) {
    return reading(store, function (s) { return s.getAll(); }).then(function (v) { return v || []; });
  }

  // Counting with an index, not reading every entry: the queue may hold thousands.
  function countOf(store, account) {
    return reading(store, function (s) { return s.index("account").count(account); });
  }

  // At most ``n`` queued steps of ``account`` after step ``seq``, oldest first (a cursor stops there: the
  // queue may hold thousands).
  function entriesAfter(account, seq, n) {
    var out = [];
    return transact(["queue"], "readonly", function (t) {
      var cursor = t.objectStore("queue").openCursor(seq ? IDBKeyRange.lowerBound(seq, true) : null);
      cursor.onsuccess = function () {
        var c = cursor.result;
        if (!c) return;
        if (c.value.account === account) out.push(c.value);
        if (out.length < n) c.continue();
      };
    }).then(function () { return out; });
  }

  // The oldest queued step of ``account``.
  function nextEntry(account) {
    return entriesAfter(account, 0, 1).then(function (entries) { return entries[0]; });
  }

  // How many writes the store has seen: what is read from it stays true until the next one.
  var writes = 0;
  function written() { return writes; }

  function put(store, value) {
    writes += 1;
    return transact([store], "readwrite", function (t) { t.objectStore(store).put(value); });
  }
  function remove(store, key) {
    writes += 1;
    return transact([store], "readwrite", function (t) { t.objectStore(store).delete(key); });
  }
  function toConflict(entry, answer) {
    writes += 1;
    return transact(["queue", "conflicts"], "readwrite", function (t) {
      t.objectStore("queue").delete(entry.seq);
      t.objectStore("conflicts").put(Object.assign({}, entry, answer));
    });
  }

  // Everything stored, erased (a revoked device); steps the server has not yet received stay, with the
  // account they belong to, so they can still be handed over.
  function erase(keepQueue) {
    writes += 1;
    return all("queue").then(function (queue) {
      var owners = {};
      queue.forEach(function (e) { owners[e.account] = true; });
      return transact(["queue", "conflicts", "meta"], "readwrite", function (t) {
        if (!keepQueue || !queue.length) t.objectStore("queue").clear();
        t.objectStore("conflicts").clear();
        t.objectStore("meta").clear();
        memo = {};
        var account = Object.keys(owners)[0];
        if (keepQueue && queue.length) t.objectStore("meta").put(Number(account), "account");
      });
    });
  }

  comptoir.store = {
    reading: reading, getMeta: getMeta, setMeta: setMeta, all: all, countOf: countOf, nextEntry: nextEntry,
    entriesAfter: entriesAfter, put: put, remove: remove, toConflict: toConflict, written: written, erase: erase,
  };
})(self.comptoir = self.comptoir || {});

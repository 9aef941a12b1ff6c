// Keeps a listener's recording in the browser's IndexedDB until the hosts have it, so a reload,
// a Back, a rate-limit answer or a server error never loses it. One recording per episode,
// keyed by the slug in /ask/<slug>/... (the ask, embed and thanks pages all share it).
// Every call resolves to undefined instead of failing: without IndexedDB (private modes of some
// browsers) the recorder still works, it just cannot keep the recording across page loads.
(function () {
  "use strict";

  var DB_NAME = "mailbag-recorder";
  var STORE = "recordings";

  function episodeKey() {
    var parts = window.location.pathname.split("/");
    return parts[1] === "ask" && parts[2] ? parts[2] : null;
  }

  function run(mode, action) {
    if (!window.indexedDB || !episodeKey()) return Promise.resolve(undefined);
    return new Promise(function (resolve) {
      var opening;
      try {
        opening = window.indexedDB.open(DB_NAME, 1);
      } catch (error) {
        resolve(undefined);
        return;
      }
      opening.onupgradeneeded = function () {
        opening.result.createObjectStore(STORE);
      };
      opening.onerror = function () { resolve(undefined); };
      opening.onsuccess = function () {
        var db = opening.result;
        try {
          var tx = db.transaction(STORE, mode);
          var request = action(tx.objectStore(STORE), episodeKey());
          tx.oncomplete = function () { db.close(); resolve(request.result); };
          tx.onerror = tx.onabort = function () { db.close(); resolve(undefined); };
        } catch (error) {
          db.close();
          resolve(undefined);
        }
      };
    });
  }

  window.MailbagRecordingStore = {
    load: function () {
      return run("readonly", function (store, key) { return store.get(key); });
    },
    save: function (recording) {
      return run("readwrite", function (store, key) {
        return store.put({ blob: recording.blob, seconds: recording.seconds, savedAt: Date.now() }, key);
      });
    },
    clear: function () {
      return run("readwrite", function (store, key) { return store.delete(key); });
    },
  };

  // A thanks page (/ask/<slug>/thanks/, or the embed's) means it was delivered: forget the kept copy.
  if (/\/thanks\/?$/.test(window.location.pathname)) window.MailbagRecordingStore.clear();
})();

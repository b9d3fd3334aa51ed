// The list form saves itself: the lines changed since the last save are sent in the background
// (deductions:list_autosave) a few seconds after the last keystroke, at the latest
// data-max-delay after the first unsaved change, and when the page is hidden or left. Typing
// keeps the session alive (accounts:keep_alive). Until saved, the changes are kept in this tab
// (sessionStorage, by input name: amounts, reasons and comments; for a new person also what was
// typed as name and national ID, until the person is on the list), so they survive a session
// that ends: after logging in again they are put back and saved.
//
// A new person's row (`n-0-…`, below the list) is sent once its national ID and name are
// filled in: the server checks it as «Lagre utkast» does and adds the person to the list, and
// the row is emptied. A row with less stays in this tab until completed (or «Lagre utkast»).
//
// Every line carries `l-N-was`, the fingerprint of its values as last saved: the server saves
// only lines this user changed, and reports a line a colleague changed meanwhile (a conflict).
//
// window.trekkAutosave.flush() saves what is pending now; it resolves to true when nothing
// is left unsaved.
(function () {
  "use strict";

  var LINE = /^(l-\d+)-(dues|home|travel|reason|comment)$/;
  var NEW = /^(n-\d+)-(national_id|name|dues|home|travel|reason|comment)$/;
  var SUBMITTED = "submitted"; // a new person's row sent with the form («Lagre utkast»)

  function rowPrefix(name) {
    var match = name && (LINE.exec(name) || NEW.exec(name));
    return match ? match[1] : null;
  }

  function isNew(prefix) {
    return prefix.charAt(0) === "n";
  }
  var AMOUNT = /-(dues|home|travel)$/;
  var CHUNK = 200; // lines a request (the server takes at most 500)

  function amountKey(text) {
    // "1 234,50", "1234.5" and "1234,50" are one amount; anything else compares as text.
    var cleaned = String(text || "").replace(/\s|\u00a0|kr/gi, "").replace(",", ".");
    if (cleaned === "") {
      return "0.00";
    }
    var number = Number(cleaned);
    return isNaN(number) ? "?" + text : number.toFixed(2);
  }

  function same(name, a, b) {
    return AMOUNT.test(name) ? amountKey(a) === amountKey(b) : String(a).trim() === String(b).trim();
  }

  function Autosave(form, box) {
    this.form = form;
    this.box = box;
    this.status = box.querySelector("[data-autosave-status]");
    this.retryButton = box.querySelector("[data-autosave-retry]");
    this.loginLink = box.querySelector("[data-autosave-login]");
    this.restored = document.querySelector("[data-autosave-restored]");
    this.saveUrl = box.dataset.saveUrl;
    this.keepAliveUrl = box.dataset.keepAliveUrl;
    this.loginUrl = box.dataset.loginUrl;
    this.delay = Number(box.dataset.delay) || 5000;
    this.maxDelay = Number(box.dataset.maxDelay) || 30000;
    this.keepAliveEvery = Number(box.dataset.keepAlive) || 120000;
    this.storageKey = "trekk-autosave:" + box.dataset.listId;
    this.dirty = new Map(); // row prefix ("l-12") -> generation of its last change
    this.generation = 0;
    this.firstUnsaved = 0;
    this.timer = null;
    this.inFlight = null;
    this.lastRequest = Date.now();
    this.submitting = false;
    this.ended = false;
    this.stored = this.readStorage();

    form.addEventListener("input", this.changed.bind(this));
    form.addEventListener("change", this.changed.bind(this));
    form.addEventListener("paste", this.pasted.bind(this), true); // before deduction_list.js fills
    form.addEventListener("keydown", this.keptAlive.bind(this));
    form.addEventListener("submit", this.submitted.bind(this));
    this.retryButton.addEventListener("click", this.flush.bind(this));
    var leave = this.leaving.bind(this);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        leave();
      }
    });
    window.addEventListener("pagehide", leave);
    this.restore();
  }

  // --- what is unsaved ---------------------------------------------------------------------

  Autosave.prototype.rowOf = function (prefix) {
    var input = this.form.elements[prefix + (isNew(prefix) ? "-name" : "-was")];
    return input ? input.closest("tr") : null;
  };

  // A new person's row with a national ID and a name: complete enough to be a line.
  Autosave.prototype.complete = function (prefix) {
    var elements = this.form.elements;
    return ["-national_id", "-name"].every(function (name) {
      var input = elements[prefix + name];
      return input && input.value.trim() !== "";
    });
  };

  Autosave.prototype.inputsOf = function (prefix) {
    var row = this.rowOf(prefix);
    if (!row) {
      return [];
    }
    return Array.prototype.filter.call(row.querySelectorAll("[name]"), function (input) {
      return rowPrefix(input.name) === prefix;
    });
  };

  Autosave.prototype.changed = function (event) {
    var prefix = rowPrefix(event.target.name);
    if (!prefix || this.submitting) {
      return;
    }
    this.markDirty(prefix);
  };

  // deduction_list.js fills the lines below a pasted column without an input event each.
  Autosave.prototype.pasted = function (event) {
    var start = event.target.closest && event.target.closest("tr[data-line]");
    if (!start) {
      return;
    }
    var self = this;
    var before = new Map();
    for (var row = start; row; row = row.nextElementSibling) {
      var dues = row.querySelector("input[name^='l-'][name$='-dues']");
      if (dues) {
        before.set(dues, dues.value);
      }
    }
    setTimeout(function () {
      before.forEach(function (value, input) {
        if (input.value !== value) {
          self.markDirty(LINE.exec(input.name)[1]);
        }
      });
    }, 0);
  };

  Autosave.prototype.markDirty = function (prefix) {
    if (!this.rowOf(prefix)) {
      return;
    }
    if (isNew(prefix) && !this.complete(prefix)) {
      this.dirty.delete(prefix); // kept in the tab, sent once complete
      this.remember(prefix);
      if (!this.ended && !this.dirty.size && !this.inFlight) {
        this.say("En ny person lagres når fødselsnummer og navn er fylt ut.");
      }
      return;
    }
    this.generation += 1;
    this.dirty.set(prefix, this.generation);
    this.remember(prefix);
    if (!this.ended) {
      this.say("Endringer ikke lagret ennå …");
      this.schedule();
    }
  };

  Autosave.prototype.schedule = function () {
    var now = Date.now();
    if (!this.firstUnsaved) {
      this.firstUnsaved = now;
    }
    var wait = Math.max(0, Math.min(this.delay, this.firstUnsaved + this.maxDelay - now));
    clearTimeout(this.timer);
    this.timer = setTimeout(this.flush.bind(this), wait);
  };

  // --- kept in the tab ---------------------------------------------------------------------

  Autosave.prototype.readStorage = function () {
    try {
      var stored = JSON.parse(sessionStorage.getItem(this.storageKey) || "null");
      if (stored && stored.edits && stored.was) {
        return stored;
      }
    } catch (error) {
      // no storage (private mode, full): the changes are still saved while the session lasts
    }
    return { edits: {}, was: {}, savedAt: "", ended: false };
  };

  Autosave.prototype.writeStorage = function () {
    try {
      if (Object.keys(this.stored.was).length) {
        sessionStorage.setItem(this.storageKey, JSON.stringify(this.stored));
      } else {
        sessionStorage.removeItem(this.storageKey);
      }
    } catch (error) {
      // as above
    }
  };

  Autosave.prototype.remember = function (prefix) {
    var stored = this.stored;
    var inputs = this.inputsOf(prefix);
    if (isNew(prefix)) {
      stored.was[prefix] = ""; // a new person has no saved values
      if (!inputs.some(function (input) { return input.value.trim() !== ""; })) {
        this.forget(prefix); // emptied again: nothing to keep
        this.writeStorage();
        return;
      }
    } else if (!(prefix in stored.was)) {
      stored.was[prefix] = this.form.elements[prefix + "-was"].value;
    }
    inputs.forEach(function (input) {
      stored.edits[input.name] = input.value;
    });
    this.writeStorage();
  };

  Autosave.prototype.forget = function (prefix) {
    var edits = this.stored.edits;
    delete this.stored.was[prefix];
    Object.keys(edits).forEach(function (name) {
      if (name.indexOf(prefix + "-") === 0) {
        delete edits[name];
      }
    });
  };

  // Changes kept in this tab from before (a session that ended, a page left before saving)
  // go back into their lines, marked unsaved, and are saved at once.
  Autosave.prototype.restore = function () {
    var self = this;
    var stored = this.stored;
    var back = [];
    var newBack = [];
    var send = false;
    Object.keys(stored.was).forEach(function (prefix) {
      var submitted = stored.was[prefix] === SUBMITTED; // read before the inputs change
      var inputs = self.inputsOf(prefix);
      var differs = inputs.some(function (input) {
        return input.name in stored.edits && !same(input.name, input.value, stored.edits[input.name]);
      });
      if (!differs) {
        self.forget(prefix); // saved meanwhile (the form's own «Lagre utkast»)
        return;
      }
      // All of the row's values first, then the events (the totals follow): an event makes the
      // row remembered as it is then, which must not be half put back.
      var put = inputs.filter(function (input) {
        return input.name in stored.edits && input.value !== stored.edits[input.name];
      });
      put.forEach(function (input) {
        input.value = stored.edits[input.name];
      });
      put.forEach(function (input) {
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
      if (isNew(prefix)) {
        stored.was[prefix] = "";
        if (self.complete(prefix)) {
          // sent at once; one «Lagre utkast» added already is answered as added, not twice
          self.generation += 1;
          self.dirty.set(prefix, self.generation);
          send = true;
          if (submitted) {
            return; // quietly: it was most likely saved with the form
          }
        }
        self.rowOf(prefix).classList.add("table-warning");
        newBack.push(prefix);
        return;
      }
      self.form.elements[prefix + "-was"].value = stored.was[prefix];
      self.rowOf(prefix).classList.add("table-warning");
      back.push(prefix);
      send = true;
    });
    var ended = stored.ended;
    stored.ended = false;
    this.writeStorage();
    if (back.length || newBack.length) {
      var what = [];
      if (back.length) {
        what.push("endringene i " + (back.length === 1 ? "1 linje" : back.length + " linjer"));
      }
      if (newBack.length) {
        what.push("det du skrev om " + (newBack.length === 1 ? "1 ny person" : newBack.length + " nye personer"));
      }
      var text = ended ? "Økten din ble avsluttet før alt var lagret. " : "";
      text += stored.savedAt ? "Det som ble lagret kl. " + stored.savedAt + " er på plass. " : "";
      text += what.join(" og ").replace(/^./, function (first) { return first.toUpperCase(); });
      text += " som ikke var lagret, er hentet fra denne fanen og lagt inn igjen (merket gult).";
      text += send ? " De lagres nå." : "";
      if (newBack.some(function (prefix) { return !self.complete(prefix); })) {
        text += " En ny person lagres når fødselsnummer og navn er fylt ut.";
      }
      this.restored.textContent = text;
      this.restored.hidden = false;
    }
    if (send) {
      this.firstUnsaved = Date.now() - this.maxDelay; // save at once
      this.schedule();
    }
  };

  // --- saving ------------------------------------------------------------------------------

  Autosave.prototype.csrf = function () {
    var token = this.form.elements.csrfmiddlewaretoken;
    return token ? token.value : "";
  };

  Autosave.prototype.post = function (url, body, keepalive) {
    this.lastRequest = Date.now();
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      keepalive: !!keepalive,
      headers: { "X-CSRFToken": this.csrf(), Accept: "application/json" },
    });
  };

  // Resolves to true when nothing is left unsaved.
  Autosave.prototype.flush = function (keepalive) {
    keepalive = keepalive === true;
    clearTimeout(this.timer);
    this.timer = null;
    var self = this;
    if (this.inFlight) {
      return this.inFlight.then(function () {
        return self.dirty.size ? self.flush(keepalive) : self.clean();
      });
    }
    if (!this.dirty.size || this.ended) {
      return Promise.resolve(this.clean());
    }
    this.firstUnsaved = 0;
    var sent = Array.from(this.dirty.entries()).filter(function (entry) {
      if (self.rowOf(entry[0])) {
        return true;
      }
      self.dirty.delete(entry[0]); // its row is no longer on the page; kept in the tab
      return false;
    });
    if (!sent.length) {
      return Promise.resolve(this.clean());
    }
    this.say("Lagrer …");
    this.retryButton.hidden = true;
    var chain = Promise.resolve(true);
    for (var start = 0; start < sent.length; start += CHUNK) {
      chain = chain.then(this.sendChunk.bind(this, sent.slice(start, start + CHUNK), keepalive));
    }
    this.inFlight = chain
      .catch(function () {
        self.failed("får ikke kontakt med serveren. Endringene er tatt vare på i denne fanen.");
        return false;
      })
      .then(function (ok) {
        self.inFlight = null;
        if (self.dirty.size && !self.ended && !self.timer && ok) {
          self.schedule(); // typed while saving
        }
        return ok && self.clean();
      });
    return this.inFlight;
  };

  Autosave.prototype.clean = function () {
    return this.dirty.size === 0;
  };

  Autosave.prototype.sendChunk = function (entries, keepalive, previousOk) {
    if (previousOk === false || this.ended) {
      return false;
    }
    var self = this;
    var body = new URLSearchParams();
    body.append("csrfmiddlewaretoken", this.csrf());
    var newCount = 0;
    entries.forEach(function (entry) {
      self.inputsOf(entry[0]).forEach(function (input) {
        body.append(input.name, input.value);
      });
      if (isNew(entry[0])) {
        newCount = Math.max(newCount, Number(entry[0].slice(2)) + 1);
      } else {
        body.append(entry[0] + "-was", self.form.elements[entry[0] + "-was"].value);
      }
    });
    body.append("new-count", String(newCount)); // the new persons' rows sent, and no others
    return this.post(this.saveUrl, body, keepalive).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            if (response.status === 403 && !data.login_url) {
              self.failed("siden er utløpt (" + response.status + "). Last inn siden på nytt.");
            } else {
              self.sessionEnded(data);
            }
            return false;
          });
      }
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json || response.status >= 500) {
        self.failed("feil på serveren (" + response.status + "). Endringene er tatt vare på i denne fanen.");
        return false;
      }
      return response.json().then(function (data) {
        if (data.error) {
          self.failed(data.error);
          return false;
        }
        return self.saved(entries, data);
      });
    });
  };

  Autosave.prototype.saved = function (entries, data) {
    var self = this;
    var errors = new Map();
    (data.errors || []).forEach(function (error) {
      var prefix = LINE.exec(error.field) ? LINE.exec(error.field)[1] : error.field.replace(/-[^-]*$/, "");
      errors.set(prefix, (errors.get(prefix) || []).concat([error]));
    });
    var conflicts = new Map();
    (data.conflicts || []).forEach(function (conflict) {
      conflicts.set("l-" + conflict.position, conflict);
    });
    var added = new Map();
    (data.added || []).forEach(function (person) {
      added.set(person.prefix, person.name);
    });
    var names = [];
    Object.keys(data.was || {}).forEach(function (position) {
      var was = self.form.elements["l-" + position + "-was"];
      if (was) {
        was.value = data.was[position];
      }
    });
    entries.forEach(function (entry) {
      var prefix = entry[0];
      var row = self.rowOf(prefix);
      self.unmark(row);
      if (!row) {
        // gone from the page meanwhile: nothing to mark
      } else if (errors.has(prefix)) {
        self.markError(prefix, errors.get(prefix));
      } else if (conflicts.has(prefix)) {
        self.markConflict(prefix, conflicts.get(prefix));
      } else if (added.has(prefix)) {
        names.push(added.get(prefix));
        if (self.dirty.get(prefix) === entry[1]) {
          self.forget(prefix);
          if (window.trekkList && window.trekkList.added) {
            window.trekkList.added(row); // the sum moves into the list's saved total
          }
          self.inputsOf(prefix).forEach(function (input) {
            input.value = "";
          });
        } // typed in meanwhile: sent again, and the server says it is on the list already
      } else if (self.dirty.get(prefix) === entry[1] && !isNew(prefix)) {
        self.forget(prefix);
      }
      if (self.dirty.get(prefix) === entry[1]) {
        self.dirty.delete(prefix); // re-sent only when changed again
      }
    });
    this.stored.savedAt = data.saved_at;
    this.stored.ended = false;
    this.writeStorage();
    var people = "";
    if (names.length) {
      people = " · " + (names.length > 3 ? names.length + " personer" : names.slice(0, -1).join(", ") +
        (names.length > 1 ? " og " : "") + names[names.length - 1]) + " er lagt til på listen";
    }
    var problems = errors.size + conflicts.size;
    if (problems) {
      var lines = problems === 1 ? "1 linje" : problems + " linjer";
      this.say("Lagret " + data.saved_at + people + ", men ikke " + lines + " (se merknadene i listen).", true);
      return false;
    }
    var text = "Lagret " + data.saved_at + people;
    this.say(this.dirty.size ? text + ". Nye endringer lagres snart." : text);
    return true;
  };

  // --- what the page shows -----------------------------------------------------------------

  Autosave.prototype.say = function (text, problem) {
    this.status.textContent = text;
    this.status.classList.toggle("text-danger", !!problem);
    this.status.classList.toggle("fw-semibold", !!problem);
  };

  Autosave.prototype.failed = function (reason) {
    this.say("Ikke lagret: " + reason, true);
    this.retryButton.hidden = false;
    if (!this.timer) {
      this.timer = setTimeout(this.flush.bind(this), this.maxDelay); // and again later
    }
  };

  Autosave.prototype.sessionEnded = function (data) {
    this.ended = true;
    clearTimeout(this.timer);
    this.timer = null;
    this.stored.ended = true;
    this.writeStorage();
    var when = this.stored.savedAt ? "Det som ble lagret kl. " + this.stored.savedAt + " er trygt; " : "Det som er lagret er trygt; ";
    this.say(
      "Økten din er avsluttet. " + when + "endringene etter det er tatt vare på i denne fanen. " +
        "Logg inn igjen for å fortsette.",
      true
    );
    this.retryButton.hidden = true;
    // Back to this very page of the form (its `side`, `q`, `vis`): the edits kept in the tab
    // are of the lines shown here (leaving a page saves its edits first).
    var here = window.location.pathname + window.location.search;
    this.loginLink.href = this.loginUrl.split("?")[0] + "?next=" + encodeURIComponent(here);
    this.loginLink.hidden = false;
  };

  Autosave.prototype.unmark = function (row) {
    if (!row) {
      return;
    }
    row.classList.remove("table-warning", "table-danger");
    var next = row.nextElementSibling;
    while (next && next.hasAttribute("data-autosave-note")) {
      var after = next.nextElementSibling;
      next.remove();
      next = after;
    }
    row.querySelectorAll(".is-invalid[data-autosave-invalid]").forEach(function (input) {
      input.classList.remove("is-invalid");
      input.removeAttribute("data-autosave-invalid");
    });
  };

  Autosave.prototype.note = function (row, kind) {
    var note = document.createElement("tr");
    note.setAttribute("data-autosave-note", kind);
    note.className = kind === "error" ? "table-danger" : "table-warning";
    var cell = document.createElement("td");
    cell.colSpan = row.children.length;
    cell.className = "small";
    cell.setAttribute("role", "alert");
    note.appendChild(cell);
    row.after(note);
    return cell;
  };

  Autosave.prototype.markError = function (prefix, errors) {
    var row = this.rowOf(prefix);
    row.classList.add("table-danger");
    var messages = [];
    errors.forEach(function (error) {
      var input = row.querySelector("[name='" + error.field + "']");
      if (input && !input.classList.contains("is-invalid")) {
        input.classList.add("is-invalid");
        input.setAttribute("data-autosave-invalid", "");
      }
      messages.push(error.message);
    });
    this.note(row, "error").textContent = "Ikke lagret: " + messages.join(" ");
  };

  Autosave.prototype.markConflict = function (prefix, conflict) {
    var self = this;
    var row = this.rowOf(prefix);
    row.classList.add("table-warning");
    var cell = this.note(row, "conflict");
    cell.setAttribute("data-testid", "autosave-conflict");
    cell.appendChild(document.createTextNode("Ikke lagret: " + conflict.message + " "));
    var mine = document.createElement("button");
    mine.type = "button";
    mine.className = "btn btn-outline-primary btn-sm me-1";
    mine.textContent = "Bruk min verdi";
    mine.addEventListener("click", function () {
      self.form.elements[prefix + "-was"].value = conflict.was;
      self.stored.was[prefix] = conflict.was;
      self.unmark(row);
      self.markDirty(prefix);
    });
    var theirs = document.createElement("button");
    theirs.type = "button";
    theirs.className = "btn btn-outline-secondary btn-sm";
    theirs.textContent = "Bruk lagret verdi";
    theirs.addEventListener("click", function () {
      Object.keys(conflict.saved).forEach(function (name) {
        var input = self.form.elements[prefix + "-" + name];
        if (input) {
          input.value = conflict.saved[name];
          input.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
      self.form.elements[prefix + "-was"].value = conflict.was;
      self.dirty.delete(prefix);
      self.forget(prefix);
      self.writeStorage();
      self.unmark(row);
    });
    cell.appendChild(mine);
    cell.appendChild(theirs);
  };

  // --- the session, the form's own submit, leaving -----------------------------------------

  Autosave.prototype.keptAlive = function () {
    if (this.ended || Date.now() - this.lastRequest < this.keepAliveEvery) {
      return;
    }
    var self = this;
    var body = new URLSearchParams({ csrfmiddlewaretoken: this.csrf() });
    this.post(this.keepAliveUrl, body).then(
      function (response) {
        if (response.status === 401 || response.type === "opaqueredirect") {
          self.sessionEnded(null);
        }
      },
      function () {
        // unreachable: the next autosave says so
      }
    );
  };

  // «Lagre utkast» and «Lever» send the whole form. An autosave on its way first: its new
  // fingerprints go with the form, or the form would conflict with this user's own save.
  Autosave.prototype.submitted = function (event) {
    if (this.inFlight) {
      event.preventDefault();
      var form = this.form;
      var submitter = event.submitter;
      this.inFlight.then(function () {
        form.requestSubmit(submitter);
      });
      return;
    }
    this.submitting = true;
    clearTimeout(this.timer);
    this.timer = null;
    this.forgetNew(SUBMITTED);
  };

  // The new persons' rows went with the form's own save: emptied when it added them. Kept
  // marked (`submitted`) when the page is left for the form's answer, which may be the login.
  Autosave.prototype.forgetNew = function (mark) {
    var self = this;
    Object.keys(this.stored.was).forEach(function (prefix) {
      if (isNew(prefix)) {
        if (mark) {
          self.stored.was[prefix] = mark;
        } else {
          self.forget(prefix);
        }
        self.dirty.delete(prefix);
      }
    });
    this.writeStorage();
  };

  Autosave.prototype.leaving = function () {
    if (!this.submitting && this.dirty.size && !this.ended) {
      this.flush(true);
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-list-form]");
    var box = document.querySelector("[data-autosave]");
    if (!form || !box || !window.fetch) {
      return;
    }
    var autosave = new Autosave(form, box);
    window.trekkAutosave = {
      flush: function () {
        return autosave.flush();
      },
      // No more background saves from this page, not even on leaving it (a browser test's
      // end: its database goes next, and a save on `pagehide` is sent with keepalive, which
      // no route of the test can stop).
      stop: function () {
        clearTimeout(autosave.timer);
        autosave.timer = null;
        autosave.submitting = true;
      },
    };
    // Before the list form shows other rows (deduction_list.js: a search, a filter, a page):
    // what is pending is autosaved first (with its conflicts shown here), then the form's own
    // save takes what autosave leaves to «Lagre utkast» (new persons without national ID or name).
    if (window.trekkList) {
      var formLeave = window.trekkList.beforeLeave;
      window.trekkList.beforeLeave = function () {
        return autosave.flush().then(function (saved) {
          return saved
            ? formLeave().then(function (left) {
                if (left) {
                  autosave.forgetNew(); // the form's save added them, and emptied their rows
                }
                return left;
              })
            : false;
        });
      };
    }
  });
})();

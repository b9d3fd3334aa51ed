// The deduction list form, quick at 5,000 lines. The form shows a page of lines, searched and
// filtered by the server (deductions/lists/pages.py), and works without this script; the server
// recounts and checks everything on save. This keeps the numbers on screen current and makes
// search, filters and pages fetch only the rows, saving what was typed first; it adds paste
// from a spreadsheet (the rest of a long column filled by the server) and Enter to the next line.
//
// Every keystroke costs the same at any size: one delegated listener, and the list total moves by
// the difference of the one line typed in (in øre, integers, so no float drift). The total starts
// from the whole list's saved sum (the server's) and each row's saved sum (`data-saved`).
(function () {
  "use strict";

  var MAX_ORE = 1e12; // deductions/lists/forms.py MAX_AMOUNT (100,000,000.00 kr) in øre

  // parse_amount in deductions/lists/forms.py: «1 234,50», «1234.50», «kr 85» or empty (0), in
  // øre; null for what the server refuses (counted as 0 here, named by the server on save).
  function ore(text) {
    var cleaned = (text || "").trim().toLowerCase();
    if (cleaned.slice(0, 2) === "kr") {
      cleaned = cleaned.slice(2);
    }
    if (cleaned.slice(-2) === "kr") {
      cleaned = cleaned.slice(0, -2);
    }
    cleaned = cleaned.trim().replace(/[\u00a0 ]/g, "").replace(/,/g, ".");
    if (!cleaned) {
      return 0;
    }
    var match = /^\+?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/.exec(cleaned);
    if (!match || (!match[1] && !match[2])) {
      return null;
    }
    var value;
    if (match[3] === undefined) {
      var fraction = (match[2] || "").replace(/0+$/, "");
      if (fraction.length > 2) {
        return null;
      }
      value = Number(match[1] || "0") * 100 + Number((fraction + "00").slice(0, 2));
    } else {
      value = Number(cleaned) * 100;
      if (Math.abs(value - Math.round(value)) > 1e-6) {
        return null;
      }
      value = Math.round(value);
    }
    return isFinite(value) && value < MAX_ORE ? value : null;
  }

  // money.kr: «1 234,50», grouped with no-break spaces.
  function kr(value) {
    var whole = String(Math.floor(value / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    return whole + "," + String(value % 100 + 100).slice(1);
  }

  function rowSum(row) {
    var reason = row.querySelector("[data-reason]");
    if (reason && reason.value) {
      return 0;
    }
    var sum = 0;
    var inputs = row.querySelectorAll("[data-amount]");
    for (var i = 0; i < inputs.length; i++) {
      sum += ore(inputs[i].value) || 0;
    }
    return sum;
  }

  function ListForm(form) {
    this.form = form;
    this.view = form.querySelector("[data-list-view]");
    this.totals = document.querySelectorAll("[data-list-total]");
    this.status = form.querySelector("[data-list-status]");
    this.next = form.querySelector("[data-list-next]");
    this.sums = new Map(); // row -> its sum in øre as last counted
    this.dirty = false;
    this.asked = 0; // the latest rows asked for: older answers are dropped
    this.countRows();
    form.addEventListener("input", this.changed.bind(this));
    form.addEventListener("change", this.changed.bind(this));
    form.addEventListener("paste", this.pasted.bind(this));
    form.addEventListener("keydown", this.keydown.bind(this));
    this.setUpFinding();
  }

  // The whole list's saved sum, moved by what the rows shown now hold against what they saved.
  ListForm.prototype.countRows = function () {
    var saved = this.view.querySelector("[data-list-saved-total]");
    this.total = ore(saved ? saved.getAttribute("data-list-saved-total") : "") || 0;
    this.sums = new Map();
    var rows = this.form.querySelectorAll("tr[data-line]");
    for (var i = 0; i < rows.length; i++) {
      var before = Number(rows[i].getAttribute("data-saved") || 0);
      this.sums.set(rows[i], before);
      this.total += this.recount(rows[i]);
    }
    this.showTotal();
  };

  ListForm.prototype.showTotal = function () {
    var text = "kr " + kr(this.total);
    for (var i = 0; i < this.totals.length; i++) {
      if (this.totals[i].textContent !== text) {
        this.totals[i].textContent = text;
      }
    }
  };

  // One line recounted (its three amounts), returning the difference to its last sum.
  ListForm.prototype.recount = function (row) {
    var sum = rowSum(row);
    var before = this.sums.get(row) || 0;
    this.sums.set(row, sum);
    var cell = row.querySelector("[data-line-total]");
    if (cell && (sum !== before || cell.textContent === "")) {
      cell.textContent = kr(sum);
    }
    return sum - before;
  };

  ListForm.prototype.changed = function (event) {
    var row = event.target.closest && event.target.closest("tr[data-line]");
    if (!row) {
      return;
    }
    this.dirty = true;
    if (!(event.target.matches("[data-amount]") || event.target.matches("[data-reason]"))) {
      return;
    }
    var difference = this.recount(row);
    if (difference) {
      this.total += difference;
      this.showTotal();
    }
  };

  // The rows of the same table from `row` on, in order.
  ListForm.prototype.rowsFrom = function (row) {
    var rows = [];
    for (var next = row; next; next = next.nextElementSibling) {
      if (next.hasAttribute("data-line")) {
        rows.push(next);
      }
    }
    return rows;
  };

  ListForm.prototype.dues = function (row) {
    return row.querySelector("input[name$='-dues']");
  };

  // A column copied from a spreadsheet into a dues cell: one amount a line, down the page; what
  // does not fit is saved by the server into the lines after this page, in the view's order.
  ListForm.prototype.pasted = function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[name$='-dues']") || !event.clipboardData) {
      return;
    }
    var lines = event.clipboardData.getData("text/plain").replace(/\r\n?/g, "\n").split("\n");
    while (lines.length && !lines[lines.length - 1].trim()) {
      lines.pop();
    }
    if (lines.length < 2) {
      return; // one value: the browser's own paste
    }
    event.preventDefault();
    var rows = this.rowsFrom(input.closest("tr[data-line]"));
    var filled = Math.min(lines.length, rows.length);
    var difference = 0;
    for (var i = 0; i < filled; i++) {
      this.dues(rows[i]).value = lines[i].split("\t")[0].trim();
      difference += this.recount(rows[i]);
    }
    this.total += difference;
    this.showTotal();
    this.dirty = true;
    var rest = lines.slice(filled);
    var last = /^l-(\d+)-dues$/.exec(this.dues(rows[filled - 1]).name);
    if (!rest.length) {
      this.say("Limte inn " + filled + " beløp.");
    } else if (!last) {
      this.say("Limte inn " + filled + " beløp (" + rest.length + " fikk ikke plass under).");
    } else {
      this.pasteRest(filled, rest, last[1]);
    }
  };

  ListForm.prototype.pasteRest = function (filled, rest, after) {
    var self = this;
    self.say("Limer inn " + (filled + rest.length) + " beløp …");
    window.trekkList.beforeLeave().then(function (saved) {
      if (!saved) {
        return;
      }
      var body = new URLSearchParams();
      body.append("csrfmiddlewaretoken", self.form.elements.csrfmiddlewaretoken.value);
      body.append("etter", after);
      body.append("verdier", rest.join("\n"));
      var url = self.form.getAttribute("data-paste-url") + self.current();
      return self.send(url, body).then(function (answer) {
        if (!answer.ok) {
          self.showErrors(answer.errors, "Resten ble ikke limt inn");
          return;
        }
        var message =
          "Limte inn " + (filled + answer.filled) + " beløp (" + filled + " på denne siden og " +
          answer.filled + " på linjene etter, lagret).";
        if (answer.left) {
          message += " " + answer.left + " fikk ikke plass: listen slutter før.";
        }
        return self.show(self.current(), false).then(function () { self.say(message); });
      });
    });
  };

  // Enter in an amount goes to the next line's dues instead of sending the form.
  ListForm.prototype.keydown = function (event) {
    if (event.key !== "Enter" || !event.target.matches || !event.target.matches("[data-amount]")) {
      return;
    }
    event.preventDefault();
    var rows = this.rowsFrom(event.target.closest("tr[data-line]"));
    if (rows.length > 1) {
      var next = this.dues(rows[1]);
      next.focus();
      next.select();
    }
  };

  ListForm.prototype.say = function (message, failed) {
    if (this.status) {
      this.status.textContent = message;
      this.status.classList.toggle("text-danger", Boolean(failed));
    }
  };

  // A POST the server answers with JSON {ok, errors, ...}; a lost connection is an answer too.
  ListForm.prototype.send = function (url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    }).then(function (response) {
      return response.json().catch(function () {
        var message = "Uventet svar fra serveren (" + response.status + "; er du logget ut?). " +
          "Kopier det du har skrevet, og last siden på nytt.";
        return { ok: false, errors: [{ label: "", messages: [message], fields: {} }] };
      });
    }, function () {
      return { ok: false, errors: [{ label: "", messages: ["Ingen forbindelse med serveren."], fields: {} }] };
    });
  };

  // The rows as typed, saved as «Lagre utkast» would (the same form fields), answered in JSON.
  ListForm.prototype.save = function () {
    var self = this;
    var body = new URLSearchParams(new FormData(this.form));
    body.append("lagre", "1");
    self.dirty = false; // typing meanwhile makes it dirty again
    return this.send(this.form.action, body).then(function (answer) {
      if (!answer.ok) {
        self.dirty = true;
        self.showErrors(answer.errors, "Ikke lagret");
        return false;
      }
      self.saved(answer.total);
      return true;
    });
  };

  // After a save the rows' sums are what is saved, and persons added in the rows below are on
  // the list: their rows are empty again. The total on screen stays what it was.
  ListForm.prototype.saved = function (total) {
    var holder = this.view.querySelector("[data-list-saved-total]");
    if (holder && total !== undefined) {
      holder.setAttribute("data-list-saved-total", total);
    }
    var rows = this.view.querySelectorAll("tr[data-line]");
    for (var i = 0; i < rows.length; i++) {
      rows[i].setAttribute("data-saved", String(this.sums.get(rows[i]) || 0));
    }
    var inputs = this.form.querySelectorAll("[name^='n-']");
    for (var j = 0; j < inputs.length; j++) {
      inputs[j].value = "";
    }
    var marked = this.form.querySelectorAll(".is-invalid");
    for (var k = 0; k < marked.length; k++) {
      marked[k].classList.remove("is-invalid");
    }
    this.countRows();
  };

  // A person typed in the rows below that autosave has added to the list: their sum is now in
  // the list's saved sum, and their row is emptied. The total on screen stays what it was.
  ListForm.prototype.added = function (row) {
    var holder = this.view.querySelector("[data-list-saved-total]");
    var sum = rowSum(row);
    if (holder && sum) {
      var total = (ore(holder.getAttribute("data-list-saved-total")) || 0) + sum;
      holder.setAttribute("data-list-saved-total", Math.floor(total / 100) + "." + String(total % 100 + 100).slice(1));
    }
    var inputs = row.querySelectorAll("[name^='n-']");
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].value = "";
    }
    this.total += this.recount(row) + sum; // the row's sum moved into the saved sum
    this.showTotal();
  };

  ListForm.prototype.showErrors = function (errors, what) {
    var parts = [];
    for (var i = 0; i < errors.length; i++) {
      var error = errors[i];
      parts.push((error.label ? error.label + ": " : "") + error.messages.join(" "));
      for (var name in error.fields) {
        var input = this.form.elements[name];
        if (input) {
          input.classList.add("is-invalid");
        }
      }
    }
    this.say(what + ". " + parts.join(" "), true);
  };

  // Before other rows are shown (a search, a filter, another page): what was typed is saved.
  ListForm.prototype.beforeLeave = function () {
    return this.dirty ? this.save() : Promise.resolve(true);
  };

  ListForm.prototype.query = function () {
    var params = new URLSearchParams();
    if (this.search.value.trim()) {
      params.append("q", this.search.value.trim());
    }
    if (this.filter.value) {
      params.append("vis", this.filter.value);
    }
    var text = params.toString();
    return text ? "?" + text : "";
  };

  // The query of the rows shown now (`?q=…&vis=…&side=…`), as the form posts to.
  ListForm.prototype.current = function () {
    return new URL(this.form.action, window.location.href).search;
  };

  // Shows the rows of `query` (`?q=…&side=2`): saved first, then only the rows fetched.
  ListForm.prototype.show = function (query, push) {
    var self = this;
    var asked = ++self.asked;
    return window.trekkList.beforeLeave().then(function (saved) {
      if (!saved || asked !== self.asked) {
        return;
      }
      var url = self.editUrl + query;
      var rows = url + (query ? "&" : "?") + "del=rader";
      return fetch(rows, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (!response.ok || response.redirected) {
            throw new Error(String(response.status)); // an error, or the login page
          }
          return response.text();
        })
        .then(function (html) {
          if (asked !== self.asked) {
            return;
          }
          self.view.innerHTML = html;
          self.form.action = url;
          self.next.hidden = !self.view.querySelector("a[rel=next]");
          self.dirty = false;
          self.countRows();
          window.history[push ? "pushState" : "replaceState"](null, "", url);
        })
        .catch(function () {
          self.say("Kunne ikke hente linjene. Prøv igjen, eller last siden på nytt.", true);
        });
    });
  };

  // Search and filter as you type; page links fetch their rows. Without this script the search
  // is a plain GET form and the links plain links.
  ListForm.prototype.setUpFinding = function () {
    var tools = document.querySelector("[data-list-find]");
    this.search = tools.querySelector("[data-list-search]");
    this.filter = tools.querySelector("[data-list-filter]");
    this.editUrl = tools.getAttribute("action");
    var self = this;
    var pending = null;
    var find = function () {
      window.clearTimeout(pending);
      self.show(self.query(), false);
    };
    this.search.addEventListener("input", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(find, 250);
    });
    this.filter.addEventListener("change", find);
    tools.addEventListener("submit", function (event) {
      event.preventDefault();
      find();
    });
    this.view.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-list-page]");
      if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
        event.preventDefault();
        self.show(link.search, true).then(function () {
          self.view.querySelector("table").scrollIntoView({ block: "start" });
        });
      }
    });
    window.addEventListener("popstate", function () {
      var params = new URLSearchParams(window.location.search);
      self.search.value = params.get("q") || "";
      self.filter.value = params.get("vis") || "";
      self.show(window.location.search, false);
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-list-form]");
    if (form) {
      performance.mark("list-form-start"); // bench/list_form.py: the script's own time
      var listForm = new ListForm(form);
      window.trekkListForm = listForm;
      // The hook another script (autosave) may replace or wrap: resolves true when nothing
      // typed is unsaved, false when it could not be saved (the rows then stay).
      window.trekkList = {
        beforeLeave: function () { return listForm.beforeLeave(); },
        isDirty: function () { return listForm.dirty; },
        save: function () { return listForm.save(); },
        added: function (row) { listForm.added(row); },
      };
      performance.mark("list-form-ready");
    }
    // A double click on "Lever" sends one request (the server delivers once either way).
    document.querySelectorAll("[data-deliver-form]").forEach(function (deliver) {
      deliver.addEventListener("submit", function () {
        deliver.querySelectorAll("[data-once]").forEach(function (button) {
          window.setTimeout(function () { button.disabled = true; }, 0);
        });
      });
    });
  });
})();

// The deduction list form, made quick at 5,000 lines. The server recounts and checks everything
// on save, and the form works without this script; this only keeps the numbers on screen current
// and adds search, filters, paste from a spreadsheet and Enter to the next line.
//
// Every keystroke costs the same at any size: one delegated listener, and the list total moves by
// the difference of the one line typed in (in øre, integers, so no float drift). At load the
// script reads each line's amounts once; nothing else touches every row until a search or a
// filter is chosen.
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
    this.table = form.querySelector("[data-testid=list-lines]");
    this.rows = Array.prototype.slice.call(form.querySelectorAll("tr[data-line]"));
    this.sums = new Map(); // row -> its sum in øre as last counted
    this.totals = document.querySelectorAll("[data-list-total]");
    this.status = form.querySelector("[data-list-status]");
    this.total = 0;
    for (var i = 0; i < this.rows.length; i++) {
      var sum = rowSum(this.rows[i]);
      this.sums.set(this.rows[i], sum);
      this.total += sum;
    }
    this.showTotal();
    form.addEventListener("input", this.changed.bind(this));
    form.addEventListener("change", this.changed.bind(this));
    form.addEventListener("paste", this.pasted.bind(this));
    form.addEventListener("keydown", this.keydown.bind(this));
    this.setUpFinding();
  }

  ListForm.prototype.showTotal = function () {
    var text = "kr " + kr(this.total);
    for (var i = 0; i < this.totals.length; i++) {
      if (this.totals[i].textContent !== text) {
        this.totals[i].textContent = text;
      }
    }
  };

  // One line recounted (its three amounts), the total moved by the difference.
  ListForm.prototype.recount = function (row) {
    var sum = rowSum(row);
    var before = this.sums.get(row) || 0;
    this.sums.set(row, sum);
    var cell = row.querySelector("[data-line-total]");
    if (cell) {
      cell.textContent = kr(sum);
    }
    return sum - before;
  };

  ListForm.prototype.changed = function (event) {
    var row = event.target.closest && event.target.closest("tr[data-line]");
    if (!row || !(event.target.matches("[data-amount]") || event.target.matches("[data-reason]"))) {
      return;
    }
    var difference = this.recount(row);
    if (difference) {
      this.total += difference;
      this.showTotal();
    }
  };

  // The visible rows of the same table from `row` on, in order.
  ListForm.prototype.rowsFrom = function (row) {
    var rows = [];
    for (var next = row; next; next = next.nextElementSibling) {
      if (next.hasAttribute("data-line") && !next.hidden) {
        rows.push(next);
      }
    }
    return rows;
  };

  ListForm.prototype.dues = function (row) {
    return row.querySelector("input[name$='-dues']");
  };

  // A column copied from a spreadsheet into a dues cell: one amount a line, down the list.
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
    var message = "Limte inn " + filled + " beløp";
    if (lines.length > filled) {
      message += " (" + (lines.length - filled) + " fikk ikke plass under)";
    }
    this.say(message + ".");
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

  ListForm.prototype.say = function (message) {
    if (this.status) {
      this.status.textContent = message;
    }
  };

  // Search and filters: shown only with this script, so without it the page is as before.
  ListForm.prototype.setUpFinding = function () {
    var tools = document.querySelector("[data-list-find]");
    if (!tools || !this.table) {
      return;
    }
    this.search = tools.querySelector("[data-list-search]");
    this.filter = tools.querySelector("[data-list-filter]");
    this.shown = tools.querySelector("[data-list-shown]");
    this.listed = Array.prototype.slice.call(this.table.querySelectorAll("tr[data-line]"));
    tools.hidden = false;
    var pending = null;
    var apply = this.find.bind(this);
    this.search.addEventListener("input", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(apply, 100);
    });
    this.filter.addEventListener("change", apply);
    // A search field's Enter would send the form: here it only searches.
    this.search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        window.clearTimeout(pending);
        apply();
      }
    });
  };

  // «Avvik» as the page can know it: an amount other than a non-empty one the page was loaded
  // with (the prefilled insurance, an apprentice's dues, a saved draft's amounts), a reason, or
  // a line the server marked with errors. Dues typed into an empty cell are filling, not avvik.
  function deviates(row) {
    if (row.hasAttribute("data-errors") || row.querySelector("[data-reason]").value) {
      return true;
    }
    var inputs = row.querySelectorAll("[data-amount]");
    for (var i = 0; i < inputs.length; i++) {
      var loaded = inputs[i].defaultValue;
      if (loaded.trim() && ore(inputs[i].value) !== ore(loaded)) {
        return true;
      }
    }
    return false;
  }

  var FILTERS = {
    "": function () { return true; },
    unfilled: function (row) {
      return !row.querySelector("[data-reason]").value && !this.dues(row).value.trim();
    },
    "not-deducted": function (row) { return Boolean(row.querySelector("[data-reason]").value); },
    deviations: deviates,
  };

  ListForm.prototype.find = function () {
    var query = this.search.value.trim().toLowerCase();
    var compact = query.replace(/\s+/g, "");
    var keep = FILTERS[this.filter.value] || FILTERS[""];
    var shown = 0;
    for (var i = 0; i < this.listed.length; i++) {
      var row = this.listed[i];
      var text = row.getAttribute("data-search") || "";
      var visible =
        (!query || text.indexOf(query) !== -1 || text.indexOf(compact) !== -1) &&
        keep.call(this, row);
      if (row.hidden === visible) {
        row.hidden = !visible;
        var errors = row.nextElementSibling;
        if (errors && errors.hasAttribute("data-line-errors")) {
          errors.hidden = !visible;
        }
      }
      shown += visible ? 1 : 0;
    }
    this.shown.textContent =
      shown === this.listed.length
        ? "Viser alle " + shown + " personene."
        : "Viser " + shown + " av " + this.listed.length + " personer. Summen gjelder hele listen.";
  };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-list-form]");
    if (form) {
      performance.mark("list-form-start"); // bench/list_form.py: the script's own time
      window.trekkListForm = new ListForm(form);
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

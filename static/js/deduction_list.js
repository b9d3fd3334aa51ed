// The deduction list form: line sums and the list total follow what is typed.
// The server recounts everything on save; this only keeps the numbers on screen current.
(function () {
  "use strict";

  function amount(text) {
    var cleaned = (text || "").replace(/\s|kr/gi, "").replace(",", ".");
    var value = parseFloat(cleaned);
    return isFinite(value) && value > 0 ? value : 0;
  }

  function kr(value) {
    return value.toLocaleString("nb-NO", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function lineTotal(row) {
    var reason = row.querySelector("[data-reason]");
    if (reason && reason.value) {
      return 0;
    }
    var sum = 0;
    row.querySelectorAll("[data-amount]").forEach(function (input) {
      sum += amount(input.value);
    });
    return sum;
  }

  function recount(form) {
    var total = 0;
    form.querySelectorAll("tr[data-line]").forEach(function (row) {
      var sum = lineTotal(row);
      total += sum;
      var cell = row.querySelector("[data-line-total]");
      if (cell) {
        cell.textContent = kr(sum);
      }
    });
    document.querySelectorAll("[data-list-total]").forEach(function (element) {
      element.textContent = "kr " + kr(total);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-list-form]");
    if (form) {
      var pending = null;
      form.addEventListener("input", function () {
        window.clearTimeout(pending);
        pending = window.setTimeout(function () { recount(form); }, 150);
      });
      form.addEventListener("change", function () { recount(form); });
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

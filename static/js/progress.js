/* Progress for what can take seconds at the largest employer: reading an uploaded file,
 * delivering a list, making a CSV. Without this script every form and link works as before;
 * with it the person sees that something is happening, and cannot send it twice.
 *
 * - <form method="post" data-progress="Leverer listen …">: on submit the buttons are disabled
 *   and a spinner with the text is shown (role=status, so it is read out). The form is sent
 *   with XMLHttpRequest (a file's upload counted in per cent), and the page it answers with,
 *   after any redirect, replaces this one as a normal submit would have.
 * - <a data-progress="Lager filen …" href="…csv">: the file is fetched, with the bytes received
 *   shown, and saved under the name the server gives. Anything else than a file (the login page
 *   after an ended session, an error) is opened as the plain link would have been.
 */
(function () {
  "use strict";

  /* One status line per container (the button's row, the links' paragraph), at its end. */
  function statusIn(container) {
    var status = container.querySelector(":scope > [data-progress-status]");
    if (!status) {
      status = document.createElement("span");
      status.className = "progress-status d-block small";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      status.setAttribute("data-progress-status", "");
      container.appendChild(status);
    }
    return status;
  }

  function show(status, text, busy) {
    status.textContent = "";
    if (busy) {
      var spinner = document.createElement("span");
      spinner.className = "progress-spinner";
      spinner.setAttribute("aria-hidden", "true");
      status.appendChild(spinner);
    }
    status.appendChild(document.createTextNode(text));
    status.hidden = false;
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toLocaleString("nb-NO", { maximumFractionDigits: 1 }) + " MB";
  }

  function buttonsOf(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }

  function setBusy(form, busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    buttonsOf(form).forEach(function (button) { button.disabled = busy; });
  }

  /* The answer to an upload replaces the page, as a normal submit would have. */
  function swapIn(xhr) {
    if (xhr.responseURL) {
      window.history.replaceState(null, "", xhr.responseURL);
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
  }

  function send(form, submitter, status, uploading) {
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", function (event) {
      if (uploading && event.lengthComputable) {
        var percent = Math.floor((event.loaded / event.total) * 100);
        show(status, "Laster opp filen … " + percent + " %", true);
      }
    });
    xhr.upload.addEventListener("load", function () {
      show(status, form.getAttribute("data-progress"), true);
    });
    xhr.addEventListener("load", function () { swapIn(xhr); });
    xhr.addEventListener("error", function () {
      setBusy(form, false);
      show(status, "Det du sendte, kom ikke fram. Sjekk nettforbindelsen og prøv igjen.", false);
    });
    xhr.send(data);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-progress][method=post]") || event.defaultPrevented) {
      return;
    }
    var submitter = event.submitter;
    var status = statusIn(submitter ? submitter.parentElement : form);
    event.preventDefault();
    setBusy(form, true);
    var file = form.querySelector("input[type=file]");
    var uploading = file && file.files.length > 0;
    show(status, uploading ? "Laster opp filen …" : form.getAttribute("data-progress"), true);
    send(form, submitter, status, uploading);
  });

  // Back to a page whose form was sent: usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("form[data-progress]").forEach(function (form) {
      setBusy(form, false);
    });
    document.querySelectorAll("[data-progress-status]").forEach(function (status) {
      status.hidden = true;
    });
  });

  function filenameOf(response, href) {
    var disposition = response.headers.get("Content-Disposition") || "";
    var utf = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    if (utf) {
      return decodeURIComponent(utf[1]);
    }
    var plain = /filename="?([^";]+)"?/i.exec(disposition);
    return plain ? plain[1] : href.split("/").filter(Boolean).pop();
  }

  function readAll(response, status, text) {
    if (!response.body || !response.body.getReader) {
      return response.blob();
    }
    var reader = response.body.getReader();
    var chunks = [];
    var received = 0;
    function pump() {
      return reader.read().then(function (step) {
        if (step.done) {
          return new Blob(chunks, { type: response.headers.get("Content-Type") || "" });
        }
        chunks.push(step.value);
        received += step.value.length;
        show(status, text + " " + megabytes(received) + " mottatt", true);
        return pump();
      });
    }
    return pump();
  }

  function save(blob, filename) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = filename;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-progress]");
    if (!link || event.defaultPrevented || event.button !== 0 ||
        event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    if (link.getAttribute("aria-busy") === "true" || !window.fetch || !window.Blob) {
      if (link.getAttribute("aria-busy") === "true") {
        event.preventDefault();
      }
      return;
    }
    event.preventDefault();
    var href = link.href;
    var text = link.getAttribute("data-progress");
    var status = statusIn(link.parentElement);
    link.setAttribute("aria-busy", "true");
    show(status, text, true);
    fetch(href, { credentials: "same-origin" })
      .then(function (response) {
        var disposition = response.headers.get("Content-Disposition") || "";
        if (!response.ok || disposition.indexOf("attachment") === -1) {
          window.location.assign(href); // the login page, an error: as the plain link
          return null;
        }
        return readAll(response, status, text).then(function (blob) {
          save(blob, filenameOf(response, href));
          show(status, "Filen er lastet ned.", false);
        });
      })
      .catch(function () {
        show(status, "Filen kunne ikke lastes ned. Prøv igjen.", false);
      })
      .then(function () { link.removeAttribute("aria-busy"); });
  });
})();

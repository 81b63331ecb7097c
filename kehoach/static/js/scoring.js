/* The scoring grid (F10) as a spreadsheet.
 *
 * Without this script every row of the grid is a plain form with its Save button. With it:
 * - Tab and Shift+Tab move along the row, and on to the next or the previous row;
 * - Enter saves the cell and goes down the column (on the last row it saves in place);
 *   the up and down arrows move up and down the column;
 * - Esc puts back the value last saved;
 * - leaving a changed cell saves that cell alone: an htmx POST of the row's form with
 *   `cell`, one request at a time, so each carries the row's version as the last answer left
 *   it. The answer is out-of-band swaps: the message beside the cell, the row's new version
 *   and score, every line's rank, the status line under the grid.
 * A value the server refuses stays in its cell, marked, with its message, until it is
 * corrected or Esc is pressed; the other cells of the row are saved on their own. Leaving the
 * page while a typed value is not saved yet asks first (the browser's own question).
 */
(function () {
  "use strict";

  var box, grid, body;

  function isScore(element) {
    return Boolean(
      element && element.tagName === "INPUT" && element.form && element.name.indexOf("s_") === 0
    );
  }

  function rowInputs(row) {
    return Array.prototype.filter.call(row.querySelectorAll("input"), isScore);
  }

  function cellOf(input) {
    return input.closest("td");
  }

  function noteOf(input) {
    return document.getElementById(input.getAttribute("aria-describedby"));
  }

  function mark(input, wrong) {
    if (wrong) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    cellOf(input).classList.toggle("invalid", wrong);
  }

  function status(text) {
    var line = document.getElementById("scoring-status");
    if (line) {
      var message = document.createElement("p");
      message.className = "msg error";
      message.textContent = text;
      line.replaceChildren(message);
    }
  }

  function sibling(row, step) {
    return step > 0 ? row.nextElementSibling : row.previousElementSibling;
  }

  function down(input, step) {
    for (var row = sibling(input.closest("tr"), step); row; row = sibling(row, step)) {
      var found = rowInputs(row).filter(function (other) {
        return other.name === input.name;
      });
      if (found.length) {
        return found[0];
      }
    }
    return null;
  }

  function across(input, step) {
    var row = input.closest("tr");
    var own = rowInputs(row);
    var at = own.indexOf(input) + step;
    if (at >= 0 && at < own.length) {
      return own[at];
    }
    for (row = sibling(row, step); row; row = sibling(row, step)) {
      var list = rowInputs(row);
      if (list.length) {
        return step > 0 ? list[0] : list[list.length - 1];
      }
    }
    return null;
  }

  function restore(input) {
    input.value = input.dataset.saved;
    delete input.dataset.refused;
    mark(input, false);
    var note = noteOf(input);
    if (note) {
      note.textContent = "";
    }
    input.select();
  }

  function keys(event) {
    var input = event.target;
    // a key that ends a composition (an input method for Vietnamese) belongs to it
    if (!isScore(input) || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var target = null;
    switch (event.key) {
      case "Enter":
        event.preventDefault(); // never the row's form: leaving the cell saves it
        target = down(input, 1);
        if (!target) {
          htmx.trigger(input, "change");
        }
        break;
      case "ArrowDown":
        target = down(input, 1);
        break;
      case "ArrowUp":
        target = down(input, -1);
        break;
      case "Tab":
        target = across(input, event.shiftKey ? -1 : 1);
        break;
      case "Escape":
        event.preventDefault();
        restore(input);
        return;
      default:
        return;
    }
    if (target) {
      event.preventDefault();
      target.focus();
      target.select();
    }
  }

  function configure(event) {
    var trigger = event.detail.triggeringEvent;
    var input = trigger && trigger.target;
    if (!isScore(input)) {
      event.preventDefault();
      return;
    }
    var value = input.value.trim();
    // nothing new to save: the value saved, or one already refused (its message is shown)
    if (value === input.dataset.saved || value === input.dataset.refused) {
      event.preventDefault();
      return;
    }
    var params = event.detail.parameters;
    new FormData(input.form).forEach(function (item, name) {
      params[name] = item;
    });
    params.cell = input.name.slice(2);
    input.dataset.sent = value;
    cellOf(input).classList.add("saving");
  }

  function answered(event) {
    var config = event.detail.requestConfig;
    var input = config && config.triggeringEvent && config.triggeringEvent.target;
    if (!isScore(input)) {
      return;
    }
    cellOf(input).classList.remove("saving");
    var note = noteOf(input);
    if (!event.detail.successful || !note) {
      mark(input, true);
      status(box.dataset.failed);
      return;
    }
    if (note.dataset.state === "saved") {
      input.dataset.saved = note.dataset.value;
      delete input.dataset.refused;
      mark(input, false);
      // shown as stored ("4.5" becomes "4,5") unless the user is back in the cell
      if (document.activeElement !== input && input.value.trim() === input.dataset.sent) {
        input.value = note.dataset.value;
      }
    } else {
      input.dataset.refused = input.dataset.sent;
      mark(input, true);
    }
  }

  // leaving the page with a cell typed but not saved (still on its way, or refused) asks first
  function unsaved(event) {
    var pending = Array.prototype.some.call(body.querySelectorAll("input"), function (input) {
      return isScore(input) && input.value.trim() !== input.dataset.saved;
    });
    if (pending) {
      event.preventDefault();
      event.returnValue = "";
    }
  }

  function setup() {
    box = document.getElementById("scoring");
    grid = document.getElementById("scoring-grid");
    if (!box || !grid || !box.dataset.saveUrl || !window.htmx || !grid.tBodies.length) {
      return;
    }
    body = grid.tBodies[0];
    Array.prototype.forEach.call(body.querySelectorAll("input"), function (input) {
      if (isScore(input) && input.dataset.saved === undefined) {
        input.dataset.saved = input.defaultValue.trim();
      }
    });
    body.setAttribute("hx-post", box.dataset.saveUrl);
    body.setAttribute("hx-trigger", "change");
    body.setAttribute("hx-swap", "none");
    body.setAttribute("hx-sync", "this:queue all");
    body.addEventListener("keydown", keys);
    body.addEventListener("htmx:configRequest", configure);
    body.addEventListener("htmx:afterRequest", answered);
    window.addEventListener("beforeunload", unsaved);
    htmx.process(body);
    box.classList.add("live");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

/* Wide tables scroll inside their own box (.wide, .table-scroll), never the page.
 *
 * When a box is narrower than its table (a phone, a narrow column of a dashboard), it gets the
 * class "overflows": the stylesheet then shows the hint this script's tag carries
 * (data-scroll-hint, translated by the page) and a shadow on the side that has more. A box that
 * overflows also becomes reachable from the keyboard (tabindex="0", role="region", named after
 * its table) so that the arrow keys scroll it; it stops being a tab stop when it fits again.
 * Boxes are checked when the page loads, when their size changes, after an htmx swap and when
 * a <details> opens. Without this script the boxes still scroll: the page only loses the hint.
 *
 * A table.stack, shown as cards on a phone (display: block), keeps what it is for a screen
 * reader: its parts get their table roles explicitly, as some browsers drop them otherwise.
 * Folded figures (details.figures, the dashboards' tables) open for printing and fold again.
 */
(function () {
  "use strict";

  var SELECTOR = ".wide, .table-scroll";
  var script = document.currentScript;
  var hint = (script && script.getAttribute("data-scroll-hint")) || "";
  var observer = window.ResizeObserver
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          update(entry.target);
        });
      })
    : null;

  function tableName(box) {
    var table = box.querySelector("table");
    if (!table) {
      return null;
    }
    var labelledBy = table.getAttribute("aria-labelledby");
    if (labelledBy) {
      return { labelledBy: labelledBy };
    }
    var label = table.getAttribute("aria-label");
    if (!label && table.caption) {
      label = table.caption.textContent.trim();
    }
    return label ? { label: label } : null;
  }

  function makeFocusable(box) {
    if (box.hasAttribute("tabindex")) {
      return; // focusable in the page's own markup (the portal): leave it as it is
    }
    box.setAttribute("tabindex", "0");
    box.setAttribute("data-made-focusable", "");
    if (!box.hasAttribute("role")) {
      box.setAttribute("role", "region");
      var name = tableName(box);
      if (name && name.labelledBy) {
        box.setAttribute("aria-labelledby", name.labelledBy);
      } else if (name) {
        box.setAttribute("aria-label", name.label);
      }
    }
  }

  function makeUnfocusable(box) {
    if (!box.hasAttribute("data-made-focusable")) {
      return;
    }
    ["tabindex", "data-made-focusable", "role", "aria-labelledby", "aria-label"].forEach(
      function (name) {
        box.removeAttribute(name);
      }
    );
  }

  function update(box) {
    if (!box.isConnected || box.clientWidth === 0) {
      return; // removed by a swap, or inside a closed <details>
    }
    var overflows = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("overflows", overflows);
    if (overflows) {
      if (hint && !box.hasAttribute("data-hint")) {
        box.setAttribute("data-hint", hint);
      }
      makeFocusable(box);
    } else {
      makeUnfocusable(box);
    }
  }

  function watch(root) {
    var boxes = root.matches && root.matches(SELECTOR) ? [root] : [];
    if (root.querySelectorAll) {
      boxes = boxes.concat(Array.prototype.slice.call(root.querySelectorAll(SELECTOR)));
    }
    boxes.forEach(function (box) {
      if (observer && !box.hasAttribute("data-watched")) {
        box.setAttribute("data-watched", "");
        observer.observe(box);
      }
      update(box);
    });
  }

  var ROLES = [
    ["table.stack", "table"],
    ["table.stack > thead, table.stack > tbody, table.stack > tfoot", "rowgroup"],
    ["table.stack > * > tr", "row"],
    ["table.stack > * > tr > td", "cell"],
    ["table.stack > * > tr > th[scope^=col], table.stack > thead > tr > th", "columnheader"],
    ["table.stack > tbody > tr > th[scope^=row], table.stack > tfoot > tr > th", "rowheader"],
  ];

  function keepTableRoles(root) {
    ROLES.forEach(function (pair) {
      root.querySelectorAll(pair[0]).forEach(function (element) {
        if (!element.hasAttribute("role")) {
          element.setAttribute("role", pair[1]);
        }
      });
    });
  }

  function watchPage() {
    keepTableRoles(document);
    watch(document);
  }

  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.figures:not([open])").forEach(function (details) {
      details.open = true;
      openedForPrint.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (details) {
      details.open = false;
    });
    openedForPrint = [];
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watchPage);
  } else {
    watchPage();
  }
  document.addEventListener("htmx:afterSettle", watchPage);
  document.addEventListener(
    "toggle",
    function (event) {
      if (event.target.open) {
        watch(event.target);
      }
    },
    true
  );
  if (!observer) {
    window.addEventListener("resize", watchPage);
  }
})();

/* A form that htmx is to send is never sent by the browser instead.
 *
 * htmx takes over the forms of an answer it swaps in only when the swap settles (about 20 ms
 * later), but the browser may already have focused a field of that answer (autofocus on the
 * field to correct) and a quick typist may press Enter in between: the browser would then send
 * the form itself and reload the page. At the moment of sending, in the capture phase, this
 * script lets htmx take the form over first; htmx then handles the same submit event on the
 * form. Forms htmx already knows are left as they are (htmx.process does nothing twice).
 */
(function () {
  "use strict";

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!window.htmx || !(form instanceof HTMLFormElement)) {
        return;
      }
      if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) {
        window.htmx.process(form);
      }
    },
    true
  );
})();

/* The API documentation pages (/api/v1/docs/, /api/v1/docs/redoc/): starts the vendored
   Swagger UI or Redoc on the live schema. A file, not an inline script (CSP). */
(function () {
  "use strict";
  var root = document.getElementById("api-docs");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-schema-url");
  if (root.getAttribute("data-ui") === "redoc" && window.Redoc) {
    window.Redoc.init(url, { hideDownloadButton: false, expandResponses: "200" }, root);
    return;
  }
  if (window.SwaggerUIBundle) {
    var token = root.getAttribute("data-csrf-token");
    window.SwaggerUIBundle({
      url: url,
      domNode: root,
      deepLinking: true,
      validatorUrl: null,
      // "Try it out" with the session of the pages: Django asks writes for the CSRF token.
      requestInterceptor: function (request) {
        if (token && request.method && request.method !== "GET") {
          request.headers["X-CSRFToken"] = token;
        }
        return request;
      },
    });
  }
})();

// Starts Swagger UI on the schema the page names: a file, not an inline script, which the CSP forbids.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.schemaUrl, domNode: root, deepLinking: true });
});

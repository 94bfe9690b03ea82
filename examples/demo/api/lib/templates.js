const fs = require("fs");
const path = require("path");

function loadTemplate(name) {
  return fs.readFileSync(path.join(__dirname, "..", "views", `${name}.html`), "utf8");
}

function renderPage(name, vars) {
  let html = loadTemplate(name);
  for (const [key, value] of Object.entries(vars)) {
    html = html.replaceAll(`{{${key}}}`, String(value));
  }
  return html;
}

module.exports = { renderPage, loadTemplate };

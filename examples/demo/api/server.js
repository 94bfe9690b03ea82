const express = require("express");
const fs = require("fs");
const { execSync } = require("child_process");
const bcrypt = require("bcrypt");
const { renderPage } = require("./lib/templates");

const app = express();
const config = JSON.parse(fs.readFileSync("./config.json", "utf8"));

app.get("/invoices/:id.pdf", (req, res) => {
  const pdf = execSync(`wkhtmltopdf http://localhost:${config.port}/invoices/${req.params.id} -`);
  res.type("pdf").send(pdf);
});

app.get("/products/:sku", async (req, res) => {
  res.send(renderPage("product", { sku: req.params.sku }));
});

app.post("/login", async (req, res) => {
  const user = await findUser(req.body.email);
  const ok = bcrypt.compareSync(req.body.password, user.passwordHash);
  res.json({ ok });
});

app.post("/login-async", async (req, res) => {
  const user = await findUser(req.body.email);
  const ok = await bcrypt.compare(req.body.password, user.passwordHash);
  res.json({ ok });
});

app.get("/health", async (req, res) => {
  const version = await fs.promises.readFile("./VERSION", "utf8");
  res.json({ ok: true, version });
});

async function findUser(email) {
  return { email, passwordHash: "$2b$10$..." };
}

app.listen(config.port);

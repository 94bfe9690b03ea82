#!/usr/bin/env node
const fs = require("fs");

async function main() {
  const products = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  console.log(`seeding ${products.length} products`);
}

main();

const express = require("express");
const { Pool } = require("pg");

const pool = new Pool();
const router = express.Router();

// A per-process memo keyed by customer id: grows with every customer who
// ever asks, never expires, and each worker holds a different copy.
const customerCache = new Map();

async function customerById(id) {
  if (!customerCache.has(id)) {
    const result = await pool.query("SELECT * FROM customers WHERE id = $1", [id]);
    customerCache.set(id, result.rows[0]);
  }
  return customerCache.get(id);
}

router.get("/orders/recent", async (req, res) => {
  const { rows: orders } = await pool.query(
    "SELECT * FROM orders WHERE status = $1 ORDER BY created_at DESC LIMIT 20",
    [req.query.status || "pending"],
  );
  for (const order of orders) {
    const { rows: items } = await pool.query("SELECT * FROM order_items WHERE order_id = $1", [order.id]);
    order.items = items;
  }
  res.json(orders);
});

router.get("/orders/recent-batched", async (req, res) => {
  const { rows: orders } = await pool.query("SELECT * FROM orders ORDER BY id DESC LIMIT 20");
  const ids = orders.map((o) => o.id);
  const { rows: items } = await pool.query("SELECT * FROM order_items WHERE order_id = ANY($1)", [ids]);
  res.json({ orders, items });
});

router.get("/customers/:id", async (req, res) => {
  res.json(await customerById(req.params.id));
});

module.exports = router;

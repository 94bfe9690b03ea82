//! Estimated impact: what one location costs at a reference scale, in
//! milliseconds of added latency (or of event-loop time taken from every
//! other request) per execution.
//!
//! The reference scale: loops over D = 100 rows, tables of 1M rows, one
//! event loop serving C = 10 requests at a time. Each rule has a cost class:
//!
//! | class (`cost` in the rule's TOML) | cost of one location |
//! |---|---|
//! | `query-per-row` (N+1) | one round trip (`ms`) × D^k in k nested loops (k ≥ 1) |
//! | `full-scan` (missing index) | a 1M-row scan instead of an index lookup (`ms`) × D^k |
//! | `blocked-loop` | blocking time `ms` × C (every in-flight request waits; throughput ≤ 1/b) × D^k |
//! | `fixed` (ad-hoc cache) | `weight` (unbounded growth and staleness: no latency model) |
//!
//! k is capped at 3. Then the setting: × 2 in a request handler (it runs on
//! every request), × 0.05 in scripts, migrations and startup code (they run,
//! but not under user traffic), × 0.01 in tests (they never see production
//! load; they stay in the register because they are still bugs).

use crate::finding::Finding;
use crate::rules::meta::{self, Cost};

/// Rows per loop at the reference scale.
pub const ROWS_PER_LOOP: f64 = 100.0;
/// Requests in flight on one event loop at the reference scale.
pub const CONCURRENCY: f64 = 10.0;
/// The cost of a finding whose rule has no metadata (never in practice).
const UNKNOWN: Cost = Cost::Fixed { weight: 10.0 };

/// The estimated impact of one finding (ms per execution at the reference
/// scale, adjusted for where it runs).
pub fn impact(finding: &Finding) -> f64 {
    let cost = meta::get(&finding.rule).map_or(UNKNOWN, |m| m.cost);
    cost_at(cost, finding.setting.loop_depth) * setting_factor(finding)
}

/// A cost class at the reference scale, for a location in `loop_depth`
/// nested loops.
pub fn cost_at(cost: Cost, loop_depth: u32) -> f64 {
    let depth = loop_depth.min(3) as i32;
    let rows = ROWS_PER_LOOP.powi(depth);
    match cost {
        Cost::QueryPerRow { ms } => ms * ROWS_PER_LOOP.powi(depth.max(1)),
        Cost::FullScan { ms } => ms * rows,
        Cost::BlockedLoop { ms } => ms * CONCURRENCY * rows,
        Cost::Fixed { weight } => weight,
    }
}

/// × 2 on a request path, × 0.05 in scripts and migrations, × 0.01 in tests.
pub fn setting_factor(finding: &Finding) -> f64 {
    let s = finding.setting;
    if s.test {
        0.01
    } else if s.script {
        0.05
    } else if s.request_path {
        2.0
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_at_scale() {
        assert_eq!(cost_at(Cost::QueryPerRow { ms: 1.0 }, 0), 100.0);
        assert_eq!(cost_at(Cost::QueryPerRow { ms: 1.0 }, 2), 10_000.0);
        assert_eq!(cost_at(Cost::BlockedLoop { ms: 5.0 }, 0), 50.0);
        assert_eq!(cost_at(Cost::FullScan { ms: 100.0 }, 9), 100.0 * 1e6);
        assert_eq!(cost_at(Cost::Fixed { weight: 20.0 }, 3), 20.0);
    }

    #[test]
    fn every_rule_has_a_cost_from_its_toml() {
        let sync_db = meta::get("blocking-call/sync-db").expect("rule exists");
        assert_eq!(sync_db.cost, Cost::BlockedLoop { ms: 50.0 });
    }
}

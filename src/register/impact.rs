//! Estimated impact: what one location costs at a reference scale, in
//! milliseconds of added latency (or of event-loop time taken from every
//! other request) per execution.
//!
//! The reference scale: loops over D = 100 rows, tables of 1M rows, one
//! event loop serving C = 10 requests at a time. Each rule has a cost class:
//!
//! | class | cost of one location |
//! |---|---|
//! | query per row (N+1) | one round trip (1 ms) × D^k in k nested loops (k ≥ 1) |
//! | full scan (missing index) | a 1M-row scan instead of an index lookup (~100 ms) × D^k |
//! | blocked event loop | blocking time b × C (every in-flight request waits; throughput ≤ 1/b) × D^k |
//! | ad-hoc cache | 20 (unbounded growth and staleness: no latency model, a fixed middle weight) |
//!
//! b per blocking rule: subprocess 200 ms (fork/exec plus the child's run),
//! network 100 ms, `block_on` 100 ms, sleep 100 ms, CPU-bound hashing 100 ms,
//! database 50 ms (a round trip plus execution under load; Django's ORM
//! raises in async code), file I/O 5 ms.
//! k is capped at 3. Then the setting: × 2 in a request handler (it runs on
//! every request), × 0.05 in scripts, migrations and startup code (they run,
//! but not under user traffic), × 0.01 in tests (they never see production
//! load; they stay in the register because they are still bugs).

use crate::finding::{Finding, Severity};

/// Rows per loop at the reference scale.
pub const ROWS_PER_LOOP: f64 = 100.0;
/// Requests in flight on one event loop at the reference scale.
pub const CONCURRENCY: f64 = 10.0;

/// How a rule's cost grows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CostClass {
    /// One query per row: a round trip of this many ms per iteration.
    QueryPerRow(f64),
    /// A full scan that grows with the table: ms per execution at 1M rows.
    FullScan(f64),
    /// The event loop is blocked for this many ms per call.
    BlockedLoop(f64),
    /// Memory and staleness risk, weighted as a fixed number.
    Fixed(f64),
}

/// The cost class of a rule (by id, then by family).
pub fn cost_class(rule: &str) -> CostClass {
    let family = rule.split('/').next().unwrap_or(rule);
    let name = rule.rsplit('/').next().unwrap_or(rule);
    match family {
        "n-plus-one" => CostClass::QueryPerRow(1.0),
        "missing-index" => CostClass::FullScan(100.0),
        "blocking-call" => CostClass::BlockedLoop(match name {
            "subprocess" => 200.0,
            "sync-network" | "block-on" | "sleep" | "cpu-bound" => 100.0,
            "sync-db" => 50.0,
            "file-io" => 5.0,
            _ => 10.0,
        }),
        "adhoc-cache" => CostClass::Fixed(20.0),
        _ => CostClass::Fixed(10.0),
    }
}

/// The estimated impact of one finding (ms per execution at the reference
/// scale, adjusted for where it runs).
pub fn impact(finding: &Finding) -> f64 {
    let depth = finding.setting.loop_depth.min(3) as i32;
    let rows = ROWS_PER_LOOP.powi(depth);
    let base = match cost_class(&finding.rule) {
        CostClass::QueryPerRow(ms) => ms * ROWS_PER_LOOP.powi(depth.max(1)),
        CostClass::FullScan(ms) => ms * rows,
        CostClass::BlockedLoop(ms) => ms * CONCURRENCY * rows,
        CostClass::Fixed(w) => w,
    };
    base * setting_factor(finding)
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

/// The severity band of an expected cost (impact × confidence):
/// critical ≥ 1,000, high ≥ 100, medium ≥ 10, low below.
pub fn band(expected_cost: f64) -> Severity {
    if expected_cost >= 1000.0 {
        Severity::Critical
    } else if expected_cost >= 100.0 {
        Severity::High
    } else if expected_cost >= 10.0 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands() {
        assert_eq!(band(5000.0), Severity::Critical);
        assert_eq!(band(1000.0), Severity::Critical);
        assert_eq!(band(999.0), Severity::High);
        assert_eq!(band(10.0), Severity::Medium);
        assert_eq!(band(9.9), Severity::Low);
    }

    #[test]
    fn classes() {
        assert_eq!(cost_class("n-plus-one/x"), CostClass::QueryPerRow(1.0));
        assert_eq!(
            cost_class("blocking-call/file-io"),
            CostClass::BlockedLoop(5.0)
        );
        assert_eq!(cost_class("unknown/x"), CostClass::Fixed(10.0));
    }
}

//! Helpers shared by the register tests: findings built by hand, so the
//! register, its formats and the trackers are tested without depending on
//! what the extractors find.

#![allow(dead_code)]

use faultline::facts::Span;
use faultline::finding::{Evidence, Finding, Setting};
use faultline::rules::meta;

/// A finding of `rule` at `path:line`, in function `scope`, calling `anchor`,
/// with root cause `cause`. Spans are made up from the line.
pub fn finding(
    rule: &str,
    path: &str,
    line: u32,
    scope: &str,
    anchor: &str,
    cause: &str,
) -> Finding {
    let m = meta::get(rule).map(|m| (m.family.clone(), m.severity));
    let (family, severity) = m.unwrap_or_else(|| {
        (
            rule.split('/').next().unwrap().to_string(),
            faultline::finding::Severity::Medium,
        )
    });
    Finding {
        rule: rule.to_string(),
        family,
        severity,
        path: path.to_string(),
        span: Span {
            start: line * 100,
            end: line * 100 + 10,
            line,
            column: 5,
            end_line: line,
        },
        message: format!("`{anchor}()` blocks inside `{scope}`"),
        fix: "Use the async API".to_string(),
        evidence: Vec::new(),
        setting: Setting::default(),
        anchor: anchor.to_string(),
        scope: Some(scope.to_string()),
        cause: cause.to_string(),
        fingerprint: String::new(),
        priority: 0.0,
    }
}

/// A blocking-call finding whose cause is the site itself.
pub fn direct(rule: &str, path: &str, line: u32, scope: &str, anchor: &str) -> Finding {
    finding(
        rule,
        path,
        line,
        scope,
        anchor,
        &[path, scope, anchor].join(faultline::finding::CAUSE_SEPARATOR),
    )
}

/// Set the ranking setting, and the severity the way the families do: one
/// level up on a request path, low in tests.
pub fn with_setting(mut f: Finding, request_path: bool, test: bool, loop_depth: u32) -> Finding {
    if test {
        f.severity = faultline::finding::Severity::Low;
    } else if request_path {
        f.severity = f.severity.raised();
    }
    f.setting = Setting {
        request_path,
        test,
        script: false,
        loop_depth,
    };
    f
}

/// Add an evidence step.
pub fn with_evidence(mut f: Finding, path: &str, line: u32, note: &str) -> Finding {
    f.evidence.push(Evidence {
        path: path.to_string(),
        line,
        note: note.to_string(),
    });
    f
}

/// Fingerprint and sort, as a scan does.
pub fn ranked(mut findings: Vec<Finding>) -> Vec<Finding> {
    faultline::rank::rank(&mut findings, &faultline::register::Churn::none());
    findings
}

/// A small register: a blocking helper called from three handlers, a
/// direct sleep in a test, a file read at startup.
pub fn sample() -> Vec<Finding> {
    let cause = [
        "shop/pricing.py",
        "shop.pricing.exchange_rate",
        "requests.get",
    ]
    .join(faultline::finding::CAUSE_SEPARATOR);
    let helper = |path: &str, line: u32, scope: &str| {
        let f = finding(
            "blocking-call/sync-network",
            path,
            line,
            scope,
            "exchange_rate -> requests.get",
            &cause,
        );
        let f = with_setting(f, true, false, 0);
        with_evidence(
            f,
            "shop/pricing.py",
            12,
            "`exchange_rate` calls `requests.get`",
        )
    };
    ranked(vec![
        helper("shop/views.py", 20, "shop.views.product_price"),
        helper("shop/views.py", 41, "shop.views.cart"),
        helper("shop/api.py", 7, "shop.api.quote"),
        with_setting(
            direct(
                "blocking-call/sleep",
                "tests/test_views.py",
                9,
                "tests.test_views.test_x",
                "time.sleep",
            ),
            false,
            true,
            0,
        ),
        direct(
            "blocking-call/file-io",
            "shop/config.py",
            3,
            "shop.config.load",
            "open",
        ),
    ])
}

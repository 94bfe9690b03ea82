//! Finding messages: what runs per item, why it hurts (N round trips), and
//! the batched form in the ORM's own idiom.

use super::catalog::Catalog;
use super::{severity, Site, CONCURRENT};
use crate::facts::LoopId;
use crate::finding::{Evidence, Finding, Setting, CAUSE_SEPARATOR};
use crate::model::Model;
use crate::rules::chain::{call_hop, chain_start, lowercase_first, Hop};
use crate::rules::RuleContext;

/// A query inside the loop itself.
pub fn direct(ctx: &RuleContext, rule: &str, site: &Site, setting: Setting) -> Finding {
    let model = ctx.model;
    let file = model.file(site.file);
    let what = if site.iteration {
        format!("iterating `{}` {}", site.text, site.query.what)
    } else {
        format!("`{}()` {}", site.text, site.query.what)
    };
    let mut finding = ctx.finding(rule, site.file, site.span);
    finding.severity = severity(finding.severity, setting);
    finding.message = format!(
        "{what} {} (N+1{}): {}.",
        per_item(model, site.file, &site.loops, rule),
        if rule == CONCURRENT {
            ", concurrent"
        } else {
            ""
        },
        cost(rule, &site.loops)
    );
    if site.invariant {
        finding.message.push_str(
            " Its arguments do not use the loop's variables: the same query runs every time.",
        );
        finding.fix = "run it once before the loop and reuse the result".to_string();
    } else {
        finding.fix = site.query.fix.clone();
    }
    finding.setting = setting;
    finding.anchor = site.text.to_string();
    finding.scope = scope(model, site);
    finding.cause = [
        file.path.as_str(),
        finding.scope.as_deref().unwrap_or(""),
        site.text,
    ]
    .join(CAUSE_SEPARATOR);
    finding
}

/// A call inside the loop to a project function that queries, with the
/// chain down to the query.
pub fn through_helper(
    ctx: &RuleContext,
    rule: &str,
    call: &Site,
    catalog: &Catalog,
    hops: &[Hop<usize>],
    sites: &[Site],
    setting: Setting,
) -> Finding {
    let model = ctx.model;
    let mut names = vec![format!("`{}()`", call.text)];
    let mut evidence = Vec::new();
    let mut leaf = None;
    for hop in hops {
        match hop {
            Hop::Call(from, via) => {
                let (name, step) = call_hop(model, *from, *via);
                names.push(name);
                evidence.push(step);
            }
            Hop::Site(from, index) => {
                let site = &sites[*index];
                let path = &model.file(site.file).path;
                names.push(format!(
                    "`{}{}` at {path}:{}",
                    site.text,
                    if site.iteration { "" } else { "()" },
                    site.span.line
                ));
                evidence.push(Evidence {
                    path: path.clone(),
                    line: site.span.line,
                    note: format!(
                        "`{}` {} `{}`",
                        model.function(*from).name,
                        if site.iteration { "iterates" } else { "calls" },
                        site.text
                    ),
                });
                leaf = Some((*from, site));
            }
        }
    }
    let Some((leaf_fn, site)) = leaf else {
        unreachable!("a chain ends at a site")
    };
    let helper = chain_start(hops)
        .map(|f| model.function(f).name.as_str())
        .unwrap_or("");
    let mut finding = ctx.finding(rule, call.file, call.span);
    finding.severity = severity(finding.severity, setting);
    finding.message = format!(
        "`{}()` {} {} through project code ({}) (N+1{}): {}.",
        call.text,
        site.query.what,
        per_item(model, call.file, &call.loops, rule),
        names.join(" → "),
        if rule == CONCURRENT {
            ", concurrent"
        } else {
            ""
        },
        cost(rule, &call.loops)
    );
    finding.fix = format!(
        "{}; or, at the source ({}), {}",
        catalog.helper_fix.replace("{helper}", helper),
        model.function(leaf_fn).name,
        lowercase_first(&site.query.fix)
    );
    finding.evidence = evidence;
    finding.setting = setting;
    finding.anchor = format!("{} -> {}", call.text, site.text);
    finding.scope = scope(model, call);
    finding.cause = [
        model.file(site.file).path.as_str(),
        model.function(leaf_fn).qname.as_str(),
        site.text,
    ]
    .join(CAUSE_SEPARATOR);
    finding
}

/// "once per item of `orders`", "once per item of `order.lines`, inside a
/// loop over `orders`", "for every item of `ids` inside `Promise.all`".
fn per_item(model: &Model, file: u32, loops: &[LoopId], rule: &str) -> String {
    let facts = &model.file(file).facts;
    let name = |l: LoopId| {
        facts
            .loops
            .get(l as usize)
            .and_then(|l| l.iterable.as_deref())
            .unwrap_or("the loop")
    };
    let Some((&inner, outer)) = loops.split_last() else {
        return String::new();
    };
    let mut text = if rule == CONCURRENT {
        format!("for every item of `{}`, gathered concurrently", name(inner))
    } else {
        format!("once per item of `{}`", name(inner))
    };
    if let Some(&first) = outer.first() {
        text.push_str(&format!(
            ", inside {} more loop{} over data (from `{}`)",
            outer.len(),
            if outer.len() == 1 { "" } else { "s" },
            name(first)
        ));
    }
    text
}

/// The count, concretely (the rule's `why` carries the latency figures).
fn cost(rule: &str, loops: &[LoopId]) -> String {
    let queries = match loops.len() {
        0 | 1 => "10,000 items → 10,000 queries".to_string(),
        2 => "100 × 100 items → 10,000 queries".to_string(),
        _ => "100 × 100 × 100 items → 1,000,000 queries".to_string(),
    };
    if rule == CONCURRENT {
        format!("{queries} sent at once, queued on the connection pool")
    } else {
        queries
    }
}

/// The qualified name of the named function around a site.
fn scope(model: &Model, site: &Site) -> Option<String> {
    let facts = &model.file(site.file).facts;
    let f = super::named(facts, site.function?)?;
    Some(facts.functions[f as usize].qname.clone())
}

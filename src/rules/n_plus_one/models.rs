//! Which names stand for ORM models, sessions and clients, so a resolved
//! callee can be matched against the catalogs: `shop.models.Order` (a class
//! deriving from `django.db.models.Model`) is written `<django>`, and
//! `shop.models.Order.objects.get` becomes `<django>.objects.get`.
//!
//! Module-level instances are followed across files first: with
//! `db = SQLAlchemy()` in `app.ext`, `ext.db.session.get` is read as
//! `flask_sqlalchemy.SQLAlchemy().session.get`, and `class User(db.Model)`
//! derives from `flask_sqlalchemy.SQLAlchemy().Model`.
//!
//! This is the family's one question about the ORM schema ("what is this
//! class?"), kept narrow so a fuller ORM model can answer it instead.

use super::catalog::Catalog;
use crate::facts::{ArgValue, AssignOp, AssignScope, Language};
use crate::model::Model;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// How many levels of project base classes are followed.
const MAX_DEPTH: usize = 16;

/// Names of model classes (library and project) of one language family, each
/// with the token it is written as.
pub struct ModelIndex<'a> {
    tokens: FxHashMap<Cow<'a, str>, &'a str>,
    /// Module-level names bound to a library call's result: `ext.db` →
    /// `flask_sqlalchemy.SQLAlchemy()`.
    instances: FxHashMap<&'a str, String>,
}

impl<'a> ModelIndex<'a> {
    /// The model classes of one language family: the catalog's library
    /// classes, and every project class deriving from one of them through
    /// project classes.
    pub fn new(model: &'a Model, family: &str, catalog: &'a Catalog) -> ModelIndex<'a> {
        let mut tokens: FxHashMap<Cow<'a, str>, &'a str> = FxHashMap::default();
        for kind in &catalog.models {
            for class in &kind.classes {
                tokens.insert(Cow::Borrowed(class.as_str()), kind.token.as_str());
            }
        }
        let mut instances = FxHashMap::default();
        for (index, file) in model.files.iter().enumerate() {
            if file.language.family() != family {
                continue;
            }
            let facts = &file.facts;
            for assign in &facts.assigns {
                let (AssignScope::Module, AssignOp::Bind, Some(name), Some(ArgValue::Call(call))) = (
                    assign.scope,
                    assign.op,
                    assign.resolved.as_deref(),
                    &assign.value,
                ) else {
                    continue;
                };
                let Some(call) = facts.calls.get(*call as usize) else {
                    continue;
                };
                // A project function's result is not a library instance.
                if model.callee(index as u32, call).is_some() {
                    continue;
                }
                if let Some(resolved) = call.resolved.as_deref() {
                    instances.insert(name, format!("{resolved}()"));
                }
            }
        }
        if tokens.is_empty() {
            return ModelIndex { tokens, instances };
        }
        // (names a class is known by, its bases), for this family's classes.
        let pending: Vec<(Vec<Cow<'a, str>>, &'a [String])> = model
            .files
            .iter()
            .filter(|f| f.language.family() == family)
            .flat_map(|f| {
                f.facts.classes.iter().map(move |c| {
                    let mut names = vec![Cow::Borrowed(c.qname.as_str())];
                    // Ruby constants are global (autoloading): `Post`, `Admin.User`.
                    if f.language == Language::Ruby {
                        names.push(Cow::Borrowed(c.name.as_str()));
                        if let Some(rest) = c
                            .qname
                            .strip_prefix(f.facts.module.as_str())
                            .and_then(|r| r.strip_prefix('.'))
                        {
                            names.push(Cow::Borrowed(rest));
                        }
                    }
                    (names, c.bases.as_slice())
                })
            })
            .filter(|(_, bases)| !bases.is_empty())
            .collect();
        let instance_bases: Vec<Vec<String>> = pending
            .iter()
            .map(|(_, bases)| {
                bases
                    .iter()
                    .map(|b| expand(&instances, b).into_owned())
                    .collect()
            })
            .collect();
        let mut pending: Vec<_> = pending
            .into_iter()
            .map(|(names, _)| names)
            .zip(instance_bases)
            .collect();
        for _ in 0..MAX_DEPTH {
            let before = pending.len();
            pending.retain(|(names, bases)| {
                let Some(token) = bases.iter().find_map(|b| tokens.get(b.as_str()).copied()) else {
                    return true;
                };
                for name in names {
                    tokens.entry(name.clone()).or_insert(token);
                }
                false
            });
            if pending.len() == before {
                break;
            }
        }
        ModelIndex { tokens, instances }
    }

    /// The callee with its leading model, session or client name replaced by
    /// its token (`<django>.objects.get`); unchanged when it names none.
    pub fn canonical<'s>(&self, resolved: &'s str) -> Cow<'s, str> {
        match expand(&self.instances, resolved) {
            Cow::Borrowed(text) => self.tokenize(text),
            Cow::Owned(text) => Cow::Owned(self.tokenize(&text).into_owned()),
        }
    }

    fn tokenize<'s>(&self, resolved: &'s str) -> Cow<'s, str> {
        if self.tokens.is_empty() {
            return Cow::Borrowed(resolved);
        }
        for prefix in prefixes(resolved) {
            // A factory call (`get_user_model()`), else a class or its instance.
            let keys = [Some(prefix), prefix.strip_suffix("()")];
            for key in keys.into_iter().flatten() {
                if let Some(token) = self.tokens.get(key) {
                    return Cow::Owned(format!("{token}{}", &resolved[key.len()..]));
                }
            }
        }
        Cow::Borrowed(resolved)
    }
}

/// Prefixes at `.` boundaries, shortest first, then the whole text.
fn prefixes(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('.')
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .map(move |end| &text[..end])
}

/// `text` with a leading module-level instance name replaced by the call
/// that made it.
fn expand<'s>(instances: &FxHashMap<&str, String>, text: &'s str) -> Cow<'s, str> {
    if instances.is_empty() {
        return Cow::Borrowed(text);
    }
    for prefix in prefixes(text) {
        if let Some(value) = instances.get(prefix) {
            return Cow::Owned(format!("{value}{}", &text[prefix.len()..]));
        }
    }
    Cow::Borrowed(text)
}

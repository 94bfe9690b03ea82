//! Which names stand for ORM models, sessions and clients, so a resolved
//! callee can be matched against the catalogs: `shop.models.Order` (a class
//! deriving from `django.db.models.Model`) is written `<django>`, and
//! `shop.models.Order.objects.get` becomes `<django>.objects.get`.
//!
//! This is the family's one question about the ORM schema ("what is this
//! class?"), kept narrow so a fuller ORM model can answer it instead.

use super::catalog::Catalog;
use crate::facts::Language;
use crate::model::Model;
use std::borrow::Cow;
use std::collections::HashMap;

/// How many levels of project base classes are followed.
const MAX_DEPTH: usize = 16;

/// Names of model classes (library and project) of one language family, each
/// with the token it is written as.
pub struct ModelIndex<'a> {
    tokens: HashMap<Cow<'a, str>, &'a str>,
}

impl<'a> ModelIndex<'a> {
    /// The model classes of one language family: the catalog's library
    /// classes, and every project class deriving from one of them through
    /// project classes.
    pub fn new(model: &'a Model, family: &str, catalog: &'a Catalog) -> ModelIndex<'a> {
        let mut tokens: HashMap<Cow<'a, str>, &'a str> = HashMap::new();
        for kind in &catalog.models {
            for class in &kind.classes {
                tokens.insert(Cow::Borrowed(class.as_str()), kind.token.as_str());
            }
        }
        if tokens.is_empty() {
            return ModelIndex { tokens };
        }
        // (names a class is known by, its bases), for this family's classes.
        let mut pending: Vec<(Vec<Cow<'a, str>>, &'a [String])> = model
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
        ModelIndex { tokens }
    }

    /// The callee with its leading model, session or client name replaced by
    /// its token (`<django>.objects.get`); unchanged when it names none.
    pub fn canonical<'s>(&self, resolved: &'s str) -> Cow<'s, str> {
        if self.tokens.is_empty() {
            return Cow::Borrowed(resolved);
        }
        let ends = resolved
            .match_indices('.')
            .map(|(i, _)| i)
            .chain(std::iter::once(resolved.len()));
        for end in ends {
            let prefix = &resolved[..end];
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

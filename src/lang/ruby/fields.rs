//! Field ids of the Ruby grammar, looked up once: `child_by_field_name`
//! searches the grammar's field names on every call.

use std::sync::OnceLock;

/// The ids of the fields the extractor reads.
#[derive(Debug)]
pub struct Fields {
    pub arguments: u16,
    pub block: u16,
    pub body: u16,
    pub key: u16,
    pub left: u16,
    pub method: u16,
    pub name: u16,
    pub object: u16,
    pub operator: u16,
    pub pattern: u16,
    pub receiver: u16,
    pub right: u16,
    pub scope: u16,
    pub superclass: u16,
    pub value: u16,
}

/// The field ids (0, which matches no child, for a name the grammar lacks).
pub fn fields() -> &'static Fields {
    static FIELDS: OnceLock<Fields> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let language = super::language();
        let id = |name: &str| language.field_id_for_name(name).map_or(0, |f| f.get());
        Fields {
            arguments: id("arguments"),
            block: id("block"),
            body: id("body"),
            key: id("key"),
            left: id("left"),
            method: id("method"),
            name: id("name"),
            object: id("object"),
            operator: id("operator"),
            pattern: id("pattern"),
            receiver: id("receiver"),
            right: id("right"),
            scope: id("scope"),
            superclass: id("superclass"),
            value: id("value"),
        }
    })
}

//! Call arguments: `has_many :orders, dependent: :destroy` →
//! `[Str("orders"), dependent: Str("destroy")]`. Values are read as in
//! [`super::values`].

use super::fields::fields;
use super::values::{Owner, Pending, Slot};
use super::walker::Walker;
use crate::facts::{Arg, ArgValue, CallId, LoopId};
use tree_sitter::Node;

impl<'a> Walker<'a> {
    /// The arguments of call `id` (the node `call`), in order. A hash
    /// written as an argument gives keyword arguments, as `key: v` pairs
    /// do (`where({ id: 1 })` is `where(id: 1)`). The block comes last, as
    /// a closure that is the body of loop `body_of`.
    pub(super) fn read_args(
        &mut self,
        call: Node<'a>,
        id: CallId,
        body_of: Option<LoopId>,
    ) -> Vec<Arg> {
        let start = self.pending.len();
        let mut args = Vec::new();
        // A setter's arguments are what is assigned: `config.cache_store =
        // :redis_cache_store, { expires_in: 1.hour }`.
        let assigned = self
            .is_assignment_target(call)
            .then(|| self.parent()?.child_by_field_id(fields().right))
            .flatten();
        let list = call.child_by_field_id(fields().arguments).or(assigned);
        if let Some(list) = list {
            let mut nodes = std::mem::take(&mut self.arg_nodes);
            nodes.clear();
            if Some(list) == assigned && list.kind() != "right_assignment_list" {
                nodes.push(list);
            } else {
                nodes.extend(list.named_children(&mut self.cursor.borrow_mut()));
            }
            for &node in &nodes {
                match node.kind() {
                    "pair" => {
                        let slot = Slot::new(Owner::Arg(id, args.len()));
                        args.push(self.pair(node, slot));
                    }
                    "hash" => {
                        let mut cursor = node.walk();
                        for child in node.named_children(&mut cursor) {
                            let slot = Slot::new(Owner::Arg(id, args.len()));
                            args.push(match child.kind() {
                                "pair" => self.pair(child, slot),
                                _ => positional(self.other(child)),
                            });
                        }
                    }
                    "comment" => {}
                    _ => {
                        let slot = Slot::new(Owner::Arg(id, args.len()));
                        args.push(positional(self.value(node, slot)));
                    }
                }
            }
            self.arg_nodes = nodes;
        }
        if let Some(block) = call.child_by_field_id(fields().block) {
            self.pending.push(Pending {
                node: block.id(),
                slot: Slot::new(Owner::Arg(id, args.len())),
                body_of,
            });
            args.push(positional(ArgValue::Closure(u32::MAX)));
        }
        self.order_pending(start);
        args
    }

    /// `key: value`, `:key => value`, `"key" => value` are keyword
    /// arguments; other keys make the pair an `Other` value.
    fn pair(&mut self, node: Node<'a>, slot: Slot) -> Arg {
        let keyword = node
            .child_by_field_id(fields().key)
            .and_then(|k| self.hash_key(k));
        match (keyword, node.child_by_field_id(fields().value)) {
            (Some(keyword), Some(v)) => Arg {
                keyword: Some(keyword),
                value: self.value(v, slot),
            },
            // Ruby 3.1 shorthand `f(x:)` passes the local or method `x`.
            (Some(keyword), None) => Arg {
                value: ArgValue::Path(keyword.clone()),
                keyword: Some(keyword),
            },
            _ => positional(self.other(node)),
        }
    }
}

fn positional(value: ArgValue) -> Arg {
    Arg {
        keyword: None,
        value,
    }
}

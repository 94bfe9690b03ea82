//! faultline: finds the code that breaks when the product scales.

pub mod facts;
pub mod lang;
pub mod layout;

//! The callback domain. Pure Rust: no I/O, no clock (callers pass `now`), no wasm-bindgen, no
//! Workers API, no DOM. The edge and the widget share it.

pub mod availability;
pub mod capacity;
pub mod config;
pub mod create;
pub mod iso;
pub mod limits;
pub mod office_hours;
pub mod params;
pub mod phone;
pub mod query;
pub mod queue;
pub mod record;
pub mod scenario;
pub mod wire;
pub mod zone;

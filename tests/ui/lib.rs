//! The compile-fail and compile-pass cases of the DSL live in `fail/` and `pass/`; `ui.rs` runs them.

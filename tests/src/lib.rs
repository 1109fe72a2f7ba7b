//! Cross-crate tests of fleet.

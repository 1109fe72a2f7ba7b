//! fleet-gen

//! fleet-gen's integration tests in one binary, one module per concern.

mod inventory_fuzz;
mod synthetic;

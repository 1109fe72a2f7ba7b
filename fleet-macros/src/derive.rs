//! Which derive is running: what every stage of a derive is told.

/// Which derive is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derive {
    /// `#[derive(HostSpec)]`
    HostSpec,
    /// `#[derive(NixOptions)]`
    NixOptions,
    /// `#[derive(NixEnum)]`
    NixEnum,
    /// `#[derive(Secrets)]`
    Secrets,
}

impl Derive {
    /// The derive's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Derive::HostSpec => "HostSpec",
            Derive::NixOptions => "NixOptions",
            Derive::NixEnum => "NixEnum",
            Derive::Secrets => "Secrets",
        }
    }
}

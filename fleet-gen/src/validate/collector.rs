//! The diagnostics a check gathers, and the place of the fleet being checked.

use crate::diagnostic::Diagnostic;
use crate::error::{Problem, Warning};
use fleet_dsl::Location;

/// Diagnostics gathered while checking a fleet, and the place being checked: a problem found
/// while checking a host, a profile, a user or one `.set` is reported at that call.
#[derive(Debug, Default, Clone)]
pub(crate) struct Diagnostics {
    /// In the order found.
    pub list: Vec<Diagnostic>,
    here: Option<Location>,
}

impl Diagnostics {
    /// Records a problem at the place being checked.
    pub fn push(&mut self, problem: Problem) {
        self.list.push(problem.at(self.here.as_ref()));
    }

    /// Records a warning at the place being checked.
    pub fn warn(&mut self, warning: &Warning) {
        self.list.push(warning.at(self.here.as_ref()));
    }

    /// From now on, problems are at `at`; returns the place checked before, for [`Self::leave`].
    pub fn enter(&mut self, at: &Location) -> Option<Location> {
        self.here.replace(at.clone())
    }

    /// Back to the place checked before [`Self::enter`].
    pub fn leave(&mut self, before: Option<Location>) {
        self.here = before;
    }

    /// Records a problem at a place of the fleet's code or inventory.
    pub fn at(&mut self, at: &Location, problem: Problem) {
        self.list.push(problem.at(Some(at)));
    }

    /// Records a problem (at `at`, or at the place being checked), unless the same one was
    /// recorded already.
    pub fn push_once(&mut self, at: Option<&Location>, problem: Problem) {
        let d = problem.at(at.or(self.here.as_ref()));
        if !self.list.iter().any(|known| known.code == d.code && known.message == d.message) {
            self.list.push(d);
        }
    }
}

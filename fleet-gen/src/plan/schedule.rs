//! Upgrade schedules (`HH:MM`, `Ddd HH:MM`): checked by validation, rendered as systemd calendar
//! events and launchd intervals.

/// An upgrade schedule: an optional weekday (0 = Sunday, as launchd counts) and a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// The weekday, `None` for every day.
    pub weekday: Option<(u8, &'static str)>,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// Parses `HH:MM` or `Ddd HH:MM` (`Sun` … `Sat`).
pub fn parse_schedule(s: &str) -> Option<Schedule> {
    let (weekday, time) = match s.split_once(' ') {
        Some((day, time)) => {
            let index = WEEKDAYS.iter().position(|d| *d == day)?;
            (Some((u8::try_from(index).ok()?, WEEKDAYS[index])), time)
        }
        None => (None, s),
    };
    let (hour, minute) = parse_time(time)?;
    Some(Schedule { weekday, hour, minute })
}

/// Parses `HH:MM` into hour and minute.
pub fn parse_time(s: &str) -> Option<(u8, u8)> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert_eq!(parse_schedule("04:40"), Some(Schedule { weekday: None, hour: 4, minute: 40 }));
        assert_eq!(parse_schedule("Sun 23:05").and_then(|s| s.weekday), Some((0, "Sun")));
        for bad in ["", "4:40", "24:00", "12:60", "Sunday 04:40", "sun 04:40", "04:40 Sun", "04-40", "daily"] {
            assert_eq!(parse_schedule(bad), None, "{bad}");
        }
    }
}

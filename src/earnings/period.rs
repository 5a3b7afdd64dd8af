//! The period a pay statement covers: `[from, to)` in Unix seconds, read
//! from RFC 3339 times (`2026-11-30T08:00:00+01:00`), by default the
//! current day in the city's offset, and at most [`MAX_PERIOD_DAYS`] long.
//! Times are written back in RFC 3339 at the city's offset. Parsing and
//! printing are the `time` crate's.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// The longest period a statement covers.
pub const MAX_PERIOD_DAYS: i64 = 31;
const DAY: i64 = 86_400;

/// A half-open period `[from, to)`, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first second covered.
    pub from: i64,
    /// The first second after it.
    pub to: i64,
}

impl Period {
    /// The period asked for: `from` and `to` as RFC 3339 texts, each
    /// defaulting to the bounds of the day holding `now` at the city's
    /// offset (`to` alone: the day before it; `from` alone: a day from it).
    /// Refuses a bad time, an empty or reversed period, or one longer than
    /// [`MAX_PERIOD_DAYS`], saying which.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        now: i64,
        utc_offset_minutes: i32,
    ) -> Result<Self, String> {
        let read = |name: &str, text: &str| {
            parse_rfc3339(text).map_err(|why| format!("`{name}` is not an RFC 3339 time: {why}"))
        };
        let (from, to) = match (from, to) {
            (Some(f), Some(t)) => (read("from", f)?, read("to", t)?),
            (Some(f), None) => {
                let from = read("from", f)?;
                (from, from.saturating_add(DAY))
            }
            (None, Some(t)) => {
                let to = read("to", t)?;
                (to.saturating_sub(DAY), to)
            }
            (None, None) => {
                let offset = i64::from(utc_offset_minutes) * 60;
                let midnight = (now + offset).div_euclid(DAY) * DAY - offset;
                (midnight, midnight + DAY)
            }
        };
        if to <= from {
            return Err("`to` must be after `from`".to_owned());
        }
        if to - from > MAX_PERIOD_DAYS * DAY {
            return Err(format!("a period covers at most {MAX_PERIOD_DAYS} days"));
        }
        Ok(Self { from, to })
    }

    /// The period as an SQL range argument.
    pub const fn bounds(self) -> (i64, i64) {
        (self.from, self.to)
    }

    /// Whether `at` lies in the period.
    pub const fn contains(self, at: i64) -> bool {
        self.from <= at && at < self.to
    }

    /// How many of the seconds `[start, end)` lie in the period.
    pub fn overlap(self, start: i64, end: i64) -> i64 {
        (end.min(self.to) - start.max(self.from)).max(0)
    }
}

/// Unix seconds of an RFC 3339 date-time (fractions of a second dropped),
/// 1970 or later.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    let at = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| e.to_string())?;
    let unix = at.unix_timestamp();
    if unix < 0 {
        return Err("the time must be in 1970 or later".to_owned());
    }
    Ok(unix)
}

/// `unix` in RFC 3339 at `utc_offset_minutes` (`Z` at zero); a time the
/// calendar cannot hold prints as the Unix epoch's second count.
pub fn format_rfc3339(unix: i64, utc_offset_minutes: i32) -> String {
    let offset = UtcOffset::from_whole_seconds(utc_offset_minutes.saturating_mul(60))
        .unwrap_or(UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|at| at.to_offset(offset).format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_read_with_their_offset() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("2026-11-30T21:08:01Z"), Ok(1_796_072_881));
        assert_eq!(
            parse_rfc3339("2026-11-30T22:08:01+01:00"),
            parse_rfc3339("2026-11-30T21:08:01Z")
        );
        assert_eq!(
            parse_rfc3339("2026-11-30T16:38:01.250-04:30"),
            Ok(1_796_072_881)
        );
        assert_eq!(parse_rfc3339("2024-02-29t12:00:00z"), Ok(1_709_208_000));
        // RFC 3339 (5.6) lets applications separate date and time by a space.
        assert_eq!(parse_rfc3339("2026-11-30 21:08:01Z"), Ok(1_796_072_881));
        for bad in [
            "",
            "2026-11-30",
            "2026-11-30T21:08:01",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-31T00:00:00Z",
            "2026-11-30T24:00:00Z",
            "2026-11-30T21:08:01+1:00",
            "2026-11-30T21:08:01.Z",
            "1969-12-31T23:59:59Z",
            "２０２６-11-30T21:08:01Z",
            "yesterday",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn times_print_back_at_the_city_offset() {
        assert_eq!(format_rfc3339(1_796_072_881, 0), "2026-11-30T21:08:01Z");
        assert_eq!(
            format_rfc3339(1_796_072_881, 60),
            "2026-11-30T22:08:01+01:00"
        );
        assert_eq!(
            format_rfc3339(1_796_072_881, -270),
            "2026-11-30T16:38:01-04:30"
        );
        for unix in [0, 951_782_400, 1_709_208_000, 4_102_444_799] {
            for offset in [-600, 0, 345] {
                assert_eq!(
                    parse_rfc3339(&format_rfc3339(unix, offset)),
                    Ok(unix),
                    "{unix} at {offset}"
                );
            }
        }
    }

    #[test]
    fn periods_default_to_the_city_day_and_are_bounded() {
        let now = parse_rfc3339("2026-11-30T23:30:00Z").unwrap();
        let utc = Period::parse(None, None, now, 0).unwrap();
        assert_eq!(format_rfc3339(utc.from, 0), "2026-11-30T00:00:00Z");
        assert_eq!(utc.to - utc.from, DAY);
        // Already 1 December at UTC+1.
        let east = Period::parse(None, None, now, 60).unwrap();
        assert_eq!(format_rfc3339(east.from, 60), "2026-12-01T00:00:00+01:00");
        let given = Period::parse(
            Some("2026-11-01T00:00:00Z"),
            Some("2026-12-02T00:00:00Z"),
            now,
            0,
        )
        .unwrap();
        assert_eq!(given.to - given.from, 31 * DAY);
        let from_only = Period::parse(Some("2026-11-01T06:00:00Z"), None, now, 0).unwrap();
        assert_eq!(from_only.to - from_only.from, DAY);
        for (from, to) in [
            (Some("2026-11-02T00:00:00Z"), Some("2026-11-01T00:00:00Z")),
            (Some("2026-11-01T00:00:00Z"), Some("2026-11-01T00:00:00Z")),
            (Some("2026-11-01T00:00:00Z"), Some("2026-12-02T00:00:01Z")),
            (Some("monday"), None),
            (None, Some("2026-11-01")),
        ] {
            assert!(Period::parse(from, to, now, 0).is_err(), "{from:?} {to:?}");
        }
    }

    #[test]
    fn overlaps_count_only_seconds_inside() {
        let p = Period { from: 100, to: 200 };
        assert_eq!(p.overlap(50, 150), 50);
        assert_eq!(p.overlap(120, 180), 60);
        assert_eq!(p.overlap(150, 400), 50);
        assert_eq!(p.overlap(0, 100), 0);
        assert_eq!(p.overlap(250, 300), 0);
        assert!(p.contains(100) && !p.contains(200));
    }
}

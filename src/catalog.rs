//! Kitchens and their menus as chefs publish them and customers read them:
//! opening hours per weekday, prices in minor units, availability.
//!
//! Types here are valid once built (parse, don't validate): a
//! [`TimeOfDay`] is within a day, an [`OpeningInterval`] does not end
//! before it starts, a [`Currency`] is three capital letters. Opening hours
//! are read in the city's local time, given as a fixed offset from UTC.

use std::fmt;

use foodiefast_geo::{LatLng, RestaurantId};
use serde::{Deserialize, Serialize};

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    const FROM_MONDAY: [Self; 7] = [
        Self::Mon,
        Self::Tue,
        Self::Wed,
        Self::Thu,
        Self::Fri,
        Self::Sat,
        Self::Sun,
    ];

    /// The weekday of `days` days after 1970-01-01, a Thursday.
    fn of_day_number(days: i64) -> Self {
        let from_monday = (days + 3).rem_euclid(7);
        Self::FROM_MONDAY
            .into_iter()
            .nth(usize::try_from(from_monday).unwrap_or(0))
            .unwrap_or(Self::Mon)
    }
}

/// A time of day, `HH:MM` in JSON; `24:00` is the end of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    minute: u16,
}

/// Minutes in a day.
const DAY_MINUTES: u16 = 24 * 60;

impl TimeOfDay {
    /// Minutes since midnight.
    pub const fn minute(self) -> u16 {
        self.minute
    }

    /// The time `minute` minutes after midnight (at most 24:00).
    pub const fn from_minute(minute: u16) -> Option<Self> {
        if minute <= DAY_MINUTES {
            Some(Self { minute })
        } else {
            None
        }
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let err = || format!("`{text}` is not a time of day (HH:MM, 00:00 to 24:00)");
        let (h, m) = text.split_once(':').ok_or_else(err)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(err());
        }
        let h: u16 = h.parse().map_err(|_| err())?;
        let m: u16 = m.parse().map_err(|_| err())?;
        if m >= 60 {
            return Err(err());
        }
        Self::from_minute(h * 60 + m).ok_or_else(err)
    }
}

impl From<TimeOfDay> for String {
    fn from(t: TimeOfDay) -> Self {
        t.to_string()
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minute / 60, self.minute % 60)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::try_from(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for TimeOfDay {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^([01][0-9]|2[0-4]):[0-5][0-9]$"))
            .examples([serde_json::json!("09:30")])
            .into()
    }
}

impl utoipa::ToSchema for TimeOfDay {}

/// The kitchen is open on `day` from `opens` until `closes` (same day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "RawInterval", deny_unknown_fields)]
pub struct OpeningInterval {
    /// The weekday.
    pub day: Weekday,
    /// Opening time.
    pub opens: TimeOfDay,
    /// Closing time, after `opens`.
    pub closes: TimeOfDay,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterval {
    day: Weekday,
    opens: TimeOfDay,
    closes: TimeOfDay,
}

impl TryFrom<RawInterval> for OpeningInterval {
    type Error = String;

    fn try_from(raw: RawInterval) -> Result<Self, String> {
        if raw.closes <= raw.opens {
            return Err(format!(
                "an interval must close after it opens ({} is not after {})",
                raw.closes, raw.opens
            ));
        }
        Ok(Self {
            day: raw.day,
            opens: raw.opens,
            closes: raw.closes,
        })
    }
}

/// When a kitchen opens, week after week, in the city's local time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct WeeklyHours(pub Vec<OpeningInterval>);

impl WeeklyHours {
    /// Whether the hours include `unix_seconds`, read at `utc_offset_minutes`.
    pub fn is_open_at(&self, unix_seconds: i64, utc_offset_minutes: i32) -> bool {
        let local = unix_seconds + i64::from(utc_offset_minutes) * 60;
        let day = Weekday::of_day_number(local.div_euclid(86_400));
        let minute = local.rem_euclid(86_400) / 60;
        self.0.iter().any(|i| {
            i.day == day
                && i64::from(i.opens.minute()) <= minute
                && minute < i64::from(i.closes.minute())
        })
    }
}

/// Currency code (ISO 4217: three capital letters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "EUR")]
pub struct Currency(String);

impl Currency {
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = String;

    fn try_from(code: String) -> Result<Self, String> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err(format!(
                "`{code}` is not a currency code (three capital letters)"
            ))
        }
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> Self {
        c.0
    }
}

/// A chef's kitchen.
#[derive(Debug, Clone, PartialEq)]
pub struct Kitchen {
    /// Its id: the restaurant id in the engine.
    pub id: RestaurantId,
    /// The chef's account.
    pub chef: u64,
    /// What customers see.
    pub details: KitchenDetails,
    /// Busy mode: no new orders before this instant (Unix seconds).
    pub busy_until: Option<i64>,
}

/// What a chef sets on a kitchen.
#[derive(Debug, Clone, PartialEq)]
pub struct KitchenDetails {
    /// Its name.
    pub name: String,
    /// Where it is.
    pub position: LatLng,
    /// Usual preparation time, minutes.
    pub prep_minutes: u32,
    /// The chef's switch: taking orders during opening hours or not.
    pub accepting: bool,
    /// Opening hours.
    pub hours: WeeklyHours,
}

impl Kitchen {
    /// Whether customers may order now: accepting and within its hours.
    pub fn is_open_at(&self, unix_seconds: i64, utc_offset_minutes: i32) -> bool {
        self.details.accepting
            && self
                .details
                .hours
                .is_open_at(unix_seconds, utc_offset_minutes)
    }
}

/// One dish on a kitchen's menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    /// Its id.
    pub id: u64,
    /// The kitchen serving it.
    pub kitchen: RestaurantId,
    /// What the chef sets.
    pub details: MenuItemDetails,
}

/// What a chef sets on a menu item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItemDetails {
    /// Its name.
    pub name: String,
    /// Price in minor units of `currency` (cents).
    pub price_minor: i64,
    /// The price's currency.
    pub currency: Currency,
    /// Whether it can be ordered now.
    pub available: bool,
    /// Preparation time, minutes.
    pub prep_minutes: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> TimeOfDay {
        TimeOfDay::try_from(text.to_owned()).unwrap()
    }

    #[test]
    fn times_of_day_parse_and_print() {
        assert_eq!(time("09:05").minute(), 545);
        assert_eq!(time("24:00").to_string(), "24:00");
        for bad in ["9:05", "24:01", "12:60", "ab:cd", "", "12-00"] {
            assert!(TimeOfDay::try_from(bad.to_owned()).is_err(), "{bad}");
        }
    }

    #[test]
    fn intervals_must_close_after_opening() {
        let ok: Result<OpeningInterval, _> =
            serde_json::from_str(r#"{"day":"mon","opens":"09:00","closes":"17:00"}"#);
        assert!(ok.is_ok());
        let bad: Result<OpeningInterval, _> =
            serde_json::from_str(r#"{"day":"mon","opens":"17:00","closes":"09:00"}"#);
        assert!(bad.is_err());
    }

    #[test]
    fn opening_hours_follow_weekday_and_offset() {
        // 2026-11-23 is a Monday; 10:00 UTC.
        let monday_10_utc = 1_795_428_000;
        let hours = WeeklyHours(vec![OpeningInterval {
            day: Weekday::Mon,
            opens: time("09:00"),
            closes: time("11:00"),
        }]);
        assert!(hours.is_open_at(monday_10_utc, 0));
        // At UTC+2 it is 12:00 there: closed.
        assert!(!hours.is_open_at(monday_10_utc, 120));
        // A day later, Tuesday: closed.
        assert!(!hours.is_open_at(monday_10_utc + 86_400, 0));
        // Closing time itself is closed.
        assert!(!hours.is_open_at(monday_10_utc + 3_600, 0));
    }

    #[test]
    fn currencies_are_three_capitals() {
        assert!(Currency::try_from("EUR".to_owned()).is_ok());
        for bad in ["eur", "EURO", "E1R", ""] {
            assert!(Currency::try_from(bad.to_owned()).is_err(), "{bad}");
        }
    }
}

//! Proof of delivery: each order has a four-digit PIN that its customer
//! sees and tells the courier at the door; the courier's `delivered` needs
//! it. The PIN is derived from the order id with an HMAC under the token
//! signing key, so it needs no storage and survives restarts exactly as
//! tokens do (with `JWT_SECRET` set); no one without the key can compute it.
//!
//! Guessing is bounded: only the courier holding the order may try, and
//! [`PinAttempts`] allows a few wrong PINs per order per window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use foodiefast_geo::OrderId;

use super::auth::TokenKeys;

/// Wrong PINs allowed per order within [`ATTEMPT_WINDOW`].
pub const MAX_WRONG_PINS: u32 = 5;
/// How long wrong PINs count against an order.
pub const ATTEMPT_WINDOW: Duration = Duration::from_mins(10);
/// Digits in a PIN.
const DIGITS: u32 = 4;

/// The delivery PIN of `order`, as shown to its customer (`None` only if
/// the key cannot sign, which HS256 keys always can).
pub fn pin_of(keys: &TokenKeys, order: OrderId) -> Option<String> {
    let mac = keys
        .mac(format!("delivery-pin:{}", order.0).as_bytes())
        .ok()?;
    // The first 48 bits of the MAC, from its base64url digits.
    let bits = mac
        .bytes()
        .take(8)
        .try_fold(0_u64, |acc, c| Some((acc << 6) | base64url_value(c)?))?;
    let modulus = 10_u64.pow(DIGITS);
    Some(format!(
        "{:0width$}",
        bits % modulus,
        width = DIGITS as usize
    ))
}

fn base64url_value(c: u8) -> Option<u64> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u64::from(v))
}

/// Why a PIN was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinRefusal {
    /// No PIN was given.
    Missing,
    /// The PIN is not the order's.
    Wrong,
    /// Too many wrong PINs lately: wait.
    Locked,
}

/// Wrong PIN attempts per order, forgotten after [`ATTEMPT_WINDOW`].
#[derive(Debug, Default)]
pub struct PinAttempts {
    wrong: Mutex<HashMap<OrderId, (u32, Instant)>>,
}

impl PinAttempts {
    /// Checks `given` against `order`'s PIN, counting a wrong one.
    pub fn check(
        &self,
        keys: &TokenKeys,
        order: OrderId,
        given: Option<&str>,
    ) -> Result<(), PinRefusal> {
        let Ok(mut wrong) = self.wrong.lock() else {
            return Err(PinRefusal::Locked);
        };
        let now = Instant::now();
        wrong.retain(|_, (_, since)| now.duration_since(*since) < ATTEMPT_WINDOW);
        if wrong.get(&order).is_some_and(|(n, _)| *n >= MAX_WRONG_PINS) {
            return Err(PinRefusal::Locked);
        }
        let given = given.ok_or(PinRefusal::Missing)?;
        if pin_of(keys, order).as_deref() == Some(given.trim()) {
            wrong.remove(&order);
            return Ok(());
        }
        wrong.entry(order).or_insert((0, now)).0 += 1;
        Err(PinRefusal::Wrong)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{JwtConfig, Secret};

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&JwtConfig {
            secret: Secret::new(secret.as_bytes().to_vec()),
            generated: false,
            ttl: Duration::from_mins(1),
        })
    }

    #[test]
    fn pins_are_four_digits_stable_per_key_and_differ_between_orders() {
        let a = keys("a-secret-of-at-least-thirty-two-bytes!!");
        let b = keys("another-secret-of-at-least-thirty-two-b");
        let pins: Vec<String> = (1..=50).filter_map(|id| pin_of(&a, OrderId(id))).collect();
        assert_eq!(pins.len(), 50);
        assert!(
            pins.iter()
                .all(|p| p.len() == 4 && p.bytes().all(|c| c.is_ascii_digit()))
        );
        assert_eq!(pin_of(&a, OrderId(7)), pin_of(&a, OrderId(7)));
        let distinct: std::collections::HashSet<_> = pins.iter().collect();
        assert!(distinct.len() > 40, "{pins:?}");
        let other: Vec<String> = (1..=50).filter_map(|id| pin_of(&b, OrderId(id))).collect();
        assert_ne!(pins, other);
    }

    #[test]
    fn wrong_pins_lock_the_order_after_the_limit() {
        let k = keys("a-secret-of-at-least-thirty-two-bytes!!");
        let attempts = PinAttempts::default();
        let order = OrderId(3);
        let right = pin_of(&k, order);
        let wrong = if right.as_deref() == Some("0000") {
            "1111"
        } else {
            "0000"
        };
        assert_eq!(attempts.check(&k, order, None), Err(PinRefusal::Missing));
        for _ in 0..MAX_WRONG_PINS {
            assert_eq!(
                attempts.check(&k, order, Some(wrong)),
                Err(PinRefusal::Wrong)
            );
        }
        assert_eq!(
            attempts.check(&k, order, right.as_deref()),
            Err(PinRefusal::Locked)
        );
        // Another order is not affected.
        let other = OrderId(4);
        assert_eq!(
            attempts.check(&k, other, pin_of(&k, other).as_deref()),
            Ok(())
        );
    }
}

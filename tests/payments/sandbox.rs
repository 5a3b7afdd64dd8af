//! The sandbox provider: the test payment methods, the rules of a hold, and
//! idempotency keys.

use foodiefast::payments::sandbox::SandboxPayments;
use foodiefast::payments::{
    AuthoriseRequest, IntentId, Money, PaymentError, PaymentMethod, PaymentProvider,
};

fn hold(method: &str, minor: i64) -> AuthoriseRequest {
    AuthoriseRequest {
        order: 1,
        amount: Money {
            minor,
            currency: "eur".into(),
        },
        method: PaymentMethod(method.into()),
    }
}

#[tokio::test]
async fn test_payment_methods_approve_or_decline() {
    let pay = SandboxPayments::default();
    assert!(
        pay.authorise(&hold("pm_card_visa", 1_000), "a")
            .await
            .is_ok()
    );
    for (method, code) in [
        ("pm_card_chargeDeclined", "card_declined"),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            "insufficient_funds",
        ),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card"),
    ] {
        let declined = pay.authorise(&hold(method, 1_000), method).await;
        assert!(
            matches!(&declined, Err(PaymentError::Declined { code: c, .. }) if c == code),
            "{declined:?}"
        );
    }
    let unknown = pay
        .authorise(&hold("4242424242424242", 1_000), "card")
        .await;
    assert!(matches!(unknown, Err(PaymentError::Refused { .. })));
    let zero = pay.authorise(&hold("pm_card_visa", 0), "zero").await;
    assert!(matches!(zero, Err(PaymentError::Refused { .. })));
}

#[tokio::test]
async fn a_hold_is_captured_once_at_most_in_full_and_refunded_at_most_in_full() {
    let pay = SandboxPayments::default();
    let held = pay
        .authorise(&hold("pm_card_visa", 1_000), "a")
        .await
        .unwrap();
    assert!(pay.capture(&held.intent, 1_001, "c0").await.is_err());
    pay.capture(&held.intent, 900, "c1").await.unwrap();
    // Capturing again (a retry under a new key) finds it done.
    pay.capture(&held.intent, 900, "c2").await.unwrap();
    assert!(
        pay.void(&held.intent, "v").await.is_err(),
        "captured: no void"
    );
    pay.refund(&held.intent, 500, "r1").await.unwrap();
    assert!(pay.refund(&held.intent, 401, "r2").await.is_err());
    pay.refund(&held.intent, 400, "r3").await.unwrap();
}

#[tokio::test]
async fn a_voided_hold_cannot_be_captured_or_refunded() {
    let pay = SandboxPayments::default();
    let held = pay
        .authorise(&hold("pm_card_visa", 1_000), "a")
        .await
        .unwrap();
    pay.void(&held.intent, "v1").await.unwrap();
    pay.void(&held.intent, "v2").await.unwrap();
    assert!(pay.capture(&held.intent, 1_000, "c").await.is_err());
    assert!(pay.refund(&held.intent, 1_000, "r").await.is_err());
}

#[tokio::test]
async fn keys_replay_their_first_answer_and_refuse_other_requests() {
    let pay = SandboxPayments::default();
    let first = pay
        .authorise(&hold("pm_card_visa", 1_000), "k")
        .await
        .unwrap();
    let again = pay
        .authorise(&hold("pm_card_visa", 1_000), "k")
        .await
        .unwrap();
    assert_eq!(first, again, "the same hold, not a second one");
    let other = pay.authorise(&hold("pm_card_visa", 2_000), "k").await;
    assert!(
        matches!(&other, Err(PaymentError::Refused { code, .. }) if code == "idempotency_error"),
        "{other:?}"
    );
    let declined = pay
        .authorise(&hold("pm_card_chargeDeclined", 1_000), "d")
        .await;
    let declined_again = pay
        .authorise(&hold("pm_card_chargeDeclined", 1_000), "d")
        .await;
    assert_eq!(declined, declined_again);
}

#[tokio::test]
async fn a_hold_from_before_a_restart_can_still_be_settled() {
    let held = SandboxPayments::default()
        .authorise(&hold("pm_card_visa", 1_000), "a")
        .await
        .unwrap();
    let restarted = SandboxPayments::default();
    restarted.capture(&held.intent, 1_000, "c").await.unwrap();
    let unknown = IntentId("pi_elsewhere".into());
    assert!(restarted.void(&unknown, "v").await.is_err());
}

//! The Stripe-compatible adapter: holds, captures, voids and refunds, and
//! what it does when the provider declines, fails, or answers too late.

use std::time::Duration;

use foodiefast::payments::stripe::{ApiKey, RetryPolicy, StripePayments};
use foodiefast::payments::{
    AuthoriseRequest, IntentId, Money, PaymentError, PaymentMethod, PaymentProvider,
};

use crate::provider::{API_KEY, Fault, Provider};

/// Quick retries and a short answer timeout, so failures play out fast.
fn policy() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        first_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        timeout: Duration::from_millis(500),
    }
}

fn adapter(provider: &Provider) -> StripePayments {
    StripePayments::new(&provider.url(), ApiKey::new(API_KEY.into()), policy()).unwrap()
}

fn hold(order: u64, method: &str) -> AuthoriseRequest {
    AuthoriseRequest {
        order,
        amount: Money {
            minor: 2_500,
            currency: "eur".into(),
        },
        method: PaymentMethod(method.into()),
    }
}

#[tokio::test]
async fn a_hold_is_captured_then_partly_refunded() {
    let provider = Provider::start().await;
    let pay = adapter(&provider);
    let held = pay
        .authorise(&hold(1, "pm_card_visa"), "o1-auth")
        .await
        .unwrap();
    assert_eq!(held.amount.minor, 2_500);
    assert_eq!(provider.status(&held.intent.0), Some("requires_capture"));
    pay.capture(&held.intent, 2_300, "o1-capture")
        .await
        .unwrap();
    assert_eq!(provider.status(&held.intent.0), Some("succeeded"));
    pay.refund(&held.intent, 800, "o1-refund").await.unwrap();
    let refused = pay.refund(&held.intent, 1_600, "o1-refund-2").await;
    assert!(
        matches!(&refused, Err(PaymentError::Refused { code, .. }) if code == "charge_already_refunded"),
        "{refused:?}"
    );
    assert_eq!(provider.counts(), (4, 1, 1, 1));
}

#[tokio::test]
async fn a_void_releases_the_hold_and_nothing_can_be_captured_after() {
    let provider = Provider::start().await;
    let pay = adapter(&provider);
    let held = pay
        .authorise(&hold(2, "pm_card_visa"), "o2-auth")
        .await
        .unwrap();
    pay.void(&held.intent, "o2-void").await.unwrap();
    // A void repeated under a new key finds it done: still a success.
    pay.void(&held.intent, "o2-void-again").await.unwrap();
    let late = pay.capture(&held.intent, 2_500, "o2-capture").await;
    assert!(
        matches!(late, Err(PaymentError::Refused { .. })),
        "{late:?}"
    );
    assert_eq!(provider.status(&held.intent.0), Some("canceled"));
    assert_eq!(provider.counts().2, 0, "no capture");
}

#[tokio::test]
async fn declines_are_final_and_say_why() {
    let provider = Provider::start().await;
    let pay = adapter(&provider);
    for (method, code) in [
        ("pm_card_chargeDeclined", "generic_decline"),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            "insufficient_funds",
        ),
        ("pm_card_authenticationRequired", "requires_action"),
    ] {
        let declined = pay.authorise(&hold(3, method), method).await;
        assert!(
            matches!(&declined, Err(PaymentError::Declined { code: c, .. }) if c == code),
            "{method}: {declined:?}"
        );
        assert!(!declined.unwrap_err().is_transient());
    }
    assert_eq!(provider.counts().0, 3, "a decline is not retried");
}

#[tokio::test]
async fn server_errors_are_retried_under_the_same_key() {
    let provider = Provider::start().await;
    let pay = adapter(&provider);
    provider.fail_next(&[Fault::ServerError, Fault::ServerError]);
    let held = pay
        .authorise(&hold(4, "pm_card_visa"), "o4-auth")
        .await
        .unwrap();
    assert_eq!(provider.counts(), (3, 1, 0, 0));
    provider.fail_next(&[Fault::ServerError]);
    pay.capture(&held.intent, 2_500, "o4-capture")
        .await
        .unwrap();
    assert_eq!(provider.counts(), (5, 1, 1, 0));
}

#[tokio::test]
async fn an_answer_lost_after_the_provider_committed_is_recovered_without_a_second_effect() {
    let provider = Provider::start().await;
    let pay = adapter(&provider);
    provider.fail_next(&[Fault::LoseAnswer(Duration::from_secs(2))]);
    let held = pay
        .authorise(&hold(5, "pm_card_visa"), "o5-auth")
        .await
        .unwrap();
    assert_eq!(provider.counts().1, 1, "one intent, though asked twice");
    provider.fail_next(&[Fault::LoseAnswer(Duration::from_secs(2))]);
    pay.capture(&held.intent, 2_500, "o5-capture")
        .await
        .unwrap();
    assert_eq!(provider.counts().2, 1, "one capture, though asked twice");
}

#[tokio::test]
async fn a_slow_provider_that_commits_after_the_timeout_is_not_charged_twice() {
    let provider = Provider::start().await;
    let patient = RetryPolicy {
        attempts: 5,
        first_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(400),
        ..policy()
    };
    let pay = StripePayments::new(&provider.url(), ApiKey::new(API_KEY.into()), patient).unwrap();
    // The first attempt times out (500 ms) while the work is pending (900
    // ms); the next meet the key still running (409) until it is done.
    provider.fail_next(&[Fault::Slow(Duration::from_millis(900))]);
    let held = pay
        .authorise(&hold(6, "pm_card_visa"), "o6-auth")
        .await
        .unwrap();
    let (requests, created, ..) = provider.counts();
    assert!(requests >= 3, "{requests} requests: the 409s were not seen");
    assert_eq!(created, 1);
    assert_eq!(provider.status(&held.intent.0), Some("requires_capture"));
}

#[tokio::test]
async fn a_provider_down_for_good_is_unavailable_after_the_last_attempt() {
    let provider = Provider::start().await;
    let pay = adapter(&provider);
    provider.fail_next(&[Fault::ServerError; 4]);
    let down = pay.authorise(&hold(7, "pm_card_visa"), "o7-auth").await;
    assert!(
        matches!(&down, Err(PaymentError::Unavailable(_))),
        "{down:?}"
    );
    assert!(down.unwrap_err().is_transient());
    assert_eq!(provider.counts(), (4, 0, 0, 0));
    // Later, the same key goes through once.
    let held = pay
        .authorise(&hold(7, "pm_card_visa"), "o7-auth")
        .await
        .unwrap();
    assert_eq!(provider.counts().1, 1);
    assert_eq!(provider.status(&held.intent.0), Some("requires_capture"));
}

#[tokio::test]
async fn a_key_reused_with_another_request_is_refused_and_changes_nothing() {
    let provider = Provider::start().await;
    let pay = adapter(&provider);
    pay.authorise(&hold(8, "pm_card_visa"), "o8-auth")
        .await
        .unwrap();
    let other = pay.authorise(&hold(9, "pm_card_visa"), "o8-auth").await;
    assert!(
        matches!(&other, Err(PaymentError::Refused { code, .. }) if code == "idempotency_error"),
        "{other:?}"
    );
    assert_eq!(provider.counts(), (2, 1, 0, 0));
}

#[tokio::test]
async fn a_wrong_api_key_is_refused_not_retried() {
    let provider = Provider::start().await;
    let pay =
        StripePayments::new(&provider.url(), ApiKey::new("sk_wrong".into()), policy()).unwrap();
    let refused = pay.authorise(&hold(10, "pm_card_visa"), "o10-auth").await;
    assert!(
        matches!(refused, Err(PaymentError::Refused { .. })),
        "{refused:?}"
    );
    assert_eq!(provider.counts().0, 1);
}

#[tokio::test]
async fn an_intent_id_that_is_not_an_id_never_reaches_the_provider() {
    let provider = Provider::start().await;
    let pay = adapter(&provider);
    let odd = IntentId("pi_1/../../v1/refunds".into());
    assert!(matches!(
        pay.capture(&odd, 100, "k").await,
        Err(PaymentError::Refused { .. })
    ));
    assert_eq!(provider.counts().0, 0);
}

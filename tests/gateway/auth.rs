//! Sign-up, log-in, profiles, roles and token checks.

use foodiefast::config::{JwtConfig, Secret};
use foodiefast::gateway::auth::tokens::{AUDIENCE, Claims, ISSUER, TokenKeys, unix_now};
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{SECRET, assert_error, spawn_app, status_json};

#[tokio::test]
async fn sign_up_log_in_and_profile() {
    let app = spawn_app().await;
    let signup = app
        .http
        .post(app.url("/auth/signup"))
        .json(
            &json!({"email": "Ada@Example.com", "password": "analytical engine",
                      "name": "Ada", "role": "customer"}),
        )
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(signup).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["account"]["email"], "ada@example.com");
    assert_eq!(body["account"]["role"], "customer");
    assert!(
        body.to_string().find("analytical").is_none(),
        "no password echoed"
    );

    let again = app
        .http
        .post(app.url("/auth/signup"))
        .json(
            &json!({"email": "ada@example.com", "password": "another one",
                      "name": "Ada", "role": "chef"}),
        )
        .send()
        .await
        .unwrap();
    assert_error(again, StatusCode::CONFLICT, "email_taken").await;

    let wrong = app
        .http
        .post(app.url("/auth/login"))
        .json(&json!({"email": "ada@example.com", "password": "difference engine"}))
        .send()
        .await
        .unwrap();
    assert_error(wrong, StatusCode::UNAUTHORIZED, "bad_credentials").await;
    let unknown = app
        .http
        .post(app.url("/auth/login"))
        .json(&json!({"email": "nobody@example.com", "password": "analytical engine"}))
        .send()
        .await
        .unwrap();
    assert_error(unknown, StatusCode::UNAUTHORIZED, "bad_credentials").await;

    let login = app
        .http
        .post(app.url("/auth/login"))
        .json(&json!({"email": "ADA@example.com", "password": "analytical engine"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(login).await;
    assert_eq!(status, StatusCode::OK);
    let token = body["token"].as_str().unwrap().to_owned();

    let (status, me) = status_json(app.get("/me", Some(&token)).await).await;
    assert_eq!((status, me["name"].as_str()), (StatusCode::OK, Some("Ada")));
    let renamed = app
        .send(
            reqwest::Method::PATCH,
            "/me",
            &token,
            &json!({"name": "  Countess  "}),
        )
        .await;
    let (status, me) = status_json(renamed).await;
    assert_eq!(
        (status, me["name"].as_str()),
        (StatusCode::OK, Some("Countess"))
    );
    let blank = app
        .send(
            reqwest::Method::PATCH,
            "/me",
            &token,
            &json!({"name": "   "}),
        )
        .await;
    assert_error(blank, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
}

#[tokio::test]
async fn sign_up_refuses_bad_input_and_admin_role() {
    let app = spawn_app().await;
    for body in [
        json!({"email": "not-an-email", "password": "long enough", "name": "x", "role": "customer"}),
        json!({"email": "a@b.example", "password": "short", "name": "x", "role": "customer"}),
        json!({"email": "a@b.example", "password": "long enough", "name": "", "role": "customer"}),
        json!({"email": "a@b.example", "password": "long enough", "name": "x", "role": "admin"}),
        json!({"email": "a@b.example", "password": "long enough", "name": "x"}),
    ] {
        let response = app
            .http
            .post(app.url("/auth/signup"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_error(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    }
}

#[tokio::test]
async fn roles_are_enforced_on_routes() {
    let app = spawn_app().await;
    let customer = app.sign_up("customer").await;
    let courier = app.sign_up("courier").await;
    let kitchen = app.chef_with_kitchen().await;

    assert_error(
        app.get("/me", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    assert_error(
        app.get("/kitchens/mine", Some(&customer.token)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.get("/admin/stats", Some(&kitchen.chef.token)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let chef_orders = app
        .place(
            &kitchen.chef.token,
            "k1",
            &crate::harness::order_body(&kitchen, 1),
        )
        .await;
    assert_error(chef_orders, StatusCode::FORBIDDEN, "forbidden").await;
    assert_error(
        app.get("/orders", Some(&courier.token)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let order = app.order(&customer, &kitchen).await;
    let id = order["id"].as_u64().unwrap();
    let accept_as_customer = app
        .post(
            &format!("/orders/{id}/accept"),
            &customer.token,
            &json!({"prep_minutes": 5}),
        )
        .await;
    assert_error(accept_as_customer, StatusCode::FORBIDDEN, "forbidden").await;
}

fn keys(secret: &str) -> TokenKeys {
    TokenKeys::new(&JwtConfig {
        secret: Secret::new(secret.as_bytes().to_vec()),
        generated: false,
        ttl: std::time::Duration::from_mins(10),
    })
}

fn claims(sub: u64, role: &str) -> Claims {
    Claims {
        sub: sub.to_string(),
        role: role.into(),
        aud: AUDIENCE.into(),
        iss: ISSUER.into(),
        iat: unix_now(),
        exp: unix_now() + 600,
    }
}

fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test]
async fn tampered_foreign_expired_and_unsigned_tokens_are_refused() {
    let app = spawn_app().await;
    let customer = app.sign_up("customer").await;
    let good = keys(SECRET);
    // A token the app's own key signed is accepted.
    let fine = good.sign(&claims(customer.id, "customer")).unwrap();
    assert_eq!(app.get("/me", Some(&fine)).await.status(), StatusCode::OK);

    let mut expired = claims(customer.id, "customer");
    expired.exp = unix_now() - 3_600;
    let mut wrong_audience = claims(customer.id, "customer");
    wrong_audience.aud = "another-service".into();
    let mut wrong_issuer = claims(customer.id, "customer");
    wrong_issuer.iss = "someone-else".into();
    // The signature of a customer's token on an admin's claims.
    let (header, _, signature) = {
        let mut parts = customer.token.split('.');
        (
            parts.next().unwrap().to_owned(),
            parts.next(),
            parts.next().unwrap().to_owned(),
        )
    };
    let admin_payload = b64(serde_json::to_string(&claims(customer.id, "admin"))
        .unwrap()
        .as_bytes());
    let tampered = format!("{header}.{admin_payload}.{signature}");
    let unsigned = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(serde_json::to_string(&claims(customer.id, "admin"))
            .unwrap()
            .as_bytes())
    );
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims(customer.id, "admin"),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    for (what, token) in [
        ("expired", good.sign(&expired).unwrap()),
        ("wrong audience", good.sign(&wrong_audience).unwrap()),
        ("wrong issuer", good.sign(&wrong_issuer).unwrap()),
        (
            "foreign key",
            keys("some-other-secret-of-thirty-two-bytes!")
                .sign(&claims(customer.id, "admin"))
                .unwrap(),
        ),
        ("tampered", tampered),
        ("alg none", unsigned),
        ("HS512", hs512),
        ("garbage", "a.b.c".to_owned()),
    ] {
        let response = app.get("/me", Some(&token)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert_error(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
}

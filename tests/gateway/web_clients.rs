//! The web clients as `serve` hands them out: every page and asset with
//! its content type and caching headers, conditional requests, and nothing
//! outside the embedded files, whatever the path says.

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{TestApp, spawn_app, status_json};

/// Sends `path` exactly as written (HTTP clients normalise `..` away) and
/// returns the status code and body.
async fn raw_get(app: &TestApp, path: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

#[tokio::test]
async fn pages_and_assets_are_served_with_their_types_and_caching() {
    let app = spawn_app().await;
    for (path, kind, marker) in [
        ("/", "text/html; charset=utf-8", "href=\"/customer\""),
        ("/customer", "text/html; charset=utf-8", "/js/customer.js"),
        ("/chef.html", "text/html; charset=utf-8", "/js/chef.js"),
        ("/courier", "text/html; charset=utf-8", "/js/courier.js"),
        ("/ops", "text/html; charset=utf-8", "/js/ops.js"),
        ("/js/api.js", "text/javascript; charset=utf-8", "export"),
        ("/css/app.css", "text/css; charset=utf-8", ":root"),
        (
            "/vendor/leaflet/leaflet.js",
            "text/javascript; charset=utf-8",
            "Leaflet",
        ),
    ] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], kind, "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        let cache = headers["cache-control"].to_str().unwrap();
        if path.starts_with("/vendor/") {
            assert!(cache.contains("max-age"), "{path}: {cache}");
        } else {
            assert_eq!(cache, "no-cache", "{path}");
        }
        if kind.starts_with("text/html") {
            assert!(headers.contains_key("content-security-policy"), "{path}");
        }
        let body = response.text().await.unwrap();
        assert!(body.contains(marker), "{path} lacks {marker}");
    }
    let png = app
        .get("/vendor/leaflet/images/marker-icon.png", None)
        .await;
    assert_eq!(png.headers()["content-type"], "image/png");
}

#[tokio::test]
async fn an_unchanged_asset_is_answered_not_modified_and_head_has_no_body() {
    let app = spawn_app().await;
    let first = app.get("/js/customer.js", None).await;
    let etag = first.headers()["etag"].clone();
    let again = app
        .http
        .get(app.url("/js/customer.js"))
        .header("If-None-Match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"], etag);
    assert!(again.bytes().await.unwrap().is_empty());
    let stale = app
        .http
        .get(app.url("/js/customer.js"))
        .header("If-None-Match", "\"0000000000000000\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
    let head = app.http.head(app.url("/")).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-type"], "text/html; charset=utf-8");
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn no_path_reaches_outside_the_embedded_files() {
    let app = spawn_app().await;
    for path in [
        "/../Cargo.toml",
        "/js/../../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/vendor/%2e%2e/%2e%2e/Cargo.toml",
        "/..%2f..%2fCargo.toml",
        "/js/..%5c..%5cCargo.toml",
        "//etc/passwd",
        "/package.json",
        "/package-lock.json",
        "/node_modules/leaflet/package.json",
        "/tests/browser.test.mjs",
        "/scripts/vendor.mjs",
        "/js/",
        "/nonexistent.html",
    ] {
        let (status, body) = raw_get(&app, path).await;
        // Either the request line is refused outright, or no route answers.
        assert!(status == 404 || status == 400, "{path}: {status}");
        assert!(!body.contains("[package]"), "{path} leaked a file");
        assert!(!body.contains("root:"), "{path} leaked a file");
        if status == 404 {
            assert!(body.contains("no_route"), "{path}: {body}");
        }
    }
    // Only GET and HEAD serve files; the API's errors stay JSON.
    let post = app.http.post(app.url("/index.html")).send().await.unwrap();
    let (status, body) = status_json(post).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_route"))
    );
}

#[tokio::test]
async fn the_pages_learn_the_map_settings() {
    let app = spawn_app().await;
    let (status, config) = status_json(app.get("/web/config", None).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(config["centre"], json!({"lat": 52.52, "lng": 13.405}));
    assert!(config.get("tile_url").is_some(), "{config}");
}

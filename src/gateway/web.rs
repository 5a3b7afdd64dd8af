//! The web clients (`web/public/`): the landing page, the customer, chef, courier
//! and operations apps and the vendored map library, embedded in the binary
//! at build time (see `build.rs`) so that `foodiefast serve` alone serves
//! them, and `GET /web/config`, which tells the pages the map's tile server
//! (`MAP_TILE_URL`, none by default: the maps work without tiles) and the
//! city centre.
//!
//! A request is answered only when its path is exactly one of the embedded
//! files (or `/` and an app's name without `.html`), so no path, encoded or
//! not, reaches anything else: there is no file system access at run time.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::ApiError;
use super::position::Position;
use super::state::AppState;

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// What pages may load: their own scripts and styles, images (map tiles)
/// from anywhere over HTTPS, and the gateway's API and WebSockets.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data: blob: https: http:; \
     style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'";

/// One embedded file.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Its URL path.
    pub path: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
    /// Its `ETag` (a content hash, quoted).
    pub etag: &'static str,
}

/// The embedded file a request path names, if any: `/` is the landing
/// page and `/customer` is `/customer.html`.
pub fn asset(path: &str) -> Option<Asset> {
    let path = if path == "/" { "/index.html" } else { path };
    let find = |p: &str| {
        ASSETS
            .iter()
            .find(|(served, _, _)| *served == p)
            .map(|&(path, bytes, etag)| Asset { path, bytes, etag })
    };
    find(path).or_else(|| {
        let last = path.rsplit('/').next().unwrap_or_default();
        if last.contains('.') {
            None
        } else {
            find(&format!("{path}.html"))
        }
    })
}

/// The `Content-Type` of a served file, from its extension.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The router's fallback: an embedded file for `GET` and `HEAD`, else the
/// API's JSON `no_route`.
pub(crate) async fn serve_or_no_route(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let found = (method == Method::GET || method == Method::HEAD)
        .then(|| asset(uri.path()))
        .flatten();
    let Some(asset) = found else {
        return ApiError::NoRoute.into_response();
    };
    // The vendored library changes only with its version (and its path
    // with it): cache it; the apps' own files revalidate by ETag.
    let cache = if asset.path.starts_with("/vendor/") {
        "public, max-age=86400"
    } else {
        "no-cache"
    };
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|tags| tags.as_bytes() == asset.etag.as_bytes())
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else if method == Method::HEAD {
        StatusCode::OK.into_response()
    } else {
        (StatusCode::OK, asset.bytes).into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(asset.path)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::ETAG, HeaderValue::from_static(asset.etag));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if content_type(asset.path).starts_with("text/html") {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    response
}

/// What the pages need to draw their maps.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WebConfig {
    /// The tile URL template (`{z}/{x}/{y}`), or none: the maps then draw
    /// positions on a plain background.
    pub tile_url: Option<String>,
    /// The tiles' attribution (required by most tile servers).
    pub tile_attribution: String,
    /// The city centre, where maps open.
    pub centre: Option<Position>,
}

impl WebConfig {
    /// From `MAP_TILE_URL` and `MAP_TILE_ATTRIBUTION`.
    pub fn from_env() -> Self {
        let tile_url = std::env::var("MAP_TILE_URL")
            .ok()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty());
        let tile_attribution = std::env::var("MAP_TILE_ATTRIBUTION").unwrap_or_else(|_| {
            if tile_url
                .as_deref()
                .is_some_and(|u| u.contains("openstreetmap.org"))
            {
                "&copy; OpenStreetMap contributors".to_owned()
            } else {
                String::new()
            }
        });
        Self {
            tile_url,
            tile_attribution,
            centre: None,
        }
    }
}

/// `GET /web/config`: the map settings, for the pages.
pub(crate) async fn config(State(state): State<AppState>) -> Json<WebConfig> {
    let origin = state.projection.origin();
    let mut config = WebConfig::from_env();
    config.centre = Some(Position {
        lat: origin.lat(),
        lng: origin.lng(),
    });
    Json(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_embedded_with_its_type() {
        for page in ["/", "/customer", "/chef.html", "/courier", "/ops"] {
            let found = asset(page).map(|a| content_type(a.path));
            assert_eq!(found, Some("text/html; charset=utf-8"), "{page}");
        }
        let leaflet = asset("/vendor/leaflet/leaflet.js").map(|a| content_type(a.path));
        assert_eq!(leaflet, Some("text/javascript; charset=utf-8"));
        assert_eq!(content_type("/a/b.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("/x.png"), "image/png");
    }

    #[test]
    fn only_embedded_files_are_found() {
        for path in [
            "/../Cargo.toml",
            "/vendor/../../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/package.json",
            "/node_modules/leaflet/package.json",
            "/tests/browser.test.mjs",
            "//etc/passwd",
            "/index.html/",
            "/vendor",
        ] {
            assert!(asset(path).is_none(), "{path}");
        }
    }
}

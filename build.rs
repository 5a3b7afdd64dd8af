//! Build steps Cargo cannot infer:
//!
//! - rebuilds the binary when a migration changes: `sqlx::migrate!` embeds
//!   the files of `migrations/` at compile time, and Cargo would not notice a
//!   new one;
//! - embeds the web clients (`web/public/`) in the binary: writes
//!   `$OUT_DIR/web_assets.rs`, a table of every served file with its bytes
//!   and an `ETag`, so that `foodiefast serve` serves the pages from one
//!   file with no npm step. (`web/` itself also holds npm's files, the
//!   browser tests and their screenshots, which must not trigger rebuilds.)

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=web/public");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("web")
        .join("public");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut table = String::from(
        "/// Every file served from `web/public/`: its URL path, bytes and `ETag`.\n\
         pub(crate) static ASSETS: &[(&str, &[u8], &str)] = &[\n",
    );
    for (url, path) in &files {
        let bytes = std::fs::read(path).unwrap_or_default();
        let _ = writeln!(
            table,
            "    ({url:?}, include_bytes!({:?}), \"\\\"{:016x}\\\"\"),",
            path.display(),
            fnv1a(&bytes)
        );
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("web_assets.rs");
    if let Err(err) = std::fs::write(&out, table) {
        println!("cargo:warning=cannot write {}: {err}", out.display());
    }
}

/// The served files under `dir`: (URL path, file path).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let url = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((format!("/{url}"), path));
        }
    }
}

/// FNV-1a, 64 bits: a content hash for `ETag`s (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

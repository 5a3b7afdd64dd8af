//! Reading one tab-separated MDRP file: the header is checked against the
//! format, every line keeps its number, and each value knows its column, so
//! any later parse error can say exactly where it happened.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use foodiefast_geo::Point;

use super::error::{LoadError, Location};

/// One value of a line, with where it came from.
#[derive(Debug, Clone)]
pub(super) struct Cell {
    at: Location,
    column: &'static str,
    text: String,
}

/// One line of values, as many as the header has columns.
#[derive(Debug, Clone)]
pub(super) struct Row<const N: usize> {
    /// Where the line is.
    pub(super) at: Location,
    /// Its values, in header order.
    pub(super) cells: [Cell; N],
}

impl Cell {
    /// The id number of a value such as `r12` for `prefix` `r`.
    pub(super) fn id(&self, prefix: char) -> Result<u64, LoadError> {
        self.text
            .strip_prefix(prefix)
            .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse().ok())
            .ok_or_else(|| LoadError::MalformedId {
                at: self.at.clone(),
                column: self.column,
                text: self.text.clone(),
                prefix,
            })
    }

    /// A decimal number (it may still be infinite or NaN: callers check).
    pub(super) fn number(&self) -> Result<f64, LoadError> {
        self.parse("a number")
    }

    /// A time of day or a duration in whole minutes, zero or more.
    pub(super) fn minutes(&self) -> Result<i64, LoadError> {
        let minutes: i64 = self.parse("a whole number of minutes")?;
        if minutes < 0 {
            return Err(LoadError::NegativeTime {
                at: self.at.clone(),
                column: self.column,
                minutes,
            });
        }
        Ok(minutes)
    }

    /// The error for a parameter value outside its meaningful range.
    pub(super) fn invalid(&self, reason: &'static str) -> LoadError {
        LoadError::InvalidParameter {
            at: self.at.clone(),
            column: self.column,
            reason,
        }
    }

    fn parse<T: FromStr>(&self, expected: &'static str) -> Result<T, LoadError> {
        self.text.parse().map_err(|_| LoadError::InvalidNumber {
            at: self.at.clone(),
            column: self.column,
            text: self.text.clone(),
            expected,
        })
    }
}

/// The planar point of an `x` and a `y` value, as the geo core validates it.
pub(super) fn point(x: &Cell, y: &Cell) -> Result<Point, LoadError> {
    Point::new(x.number()?, y.number()?).map_err(|source| LoadError::InvalidCoordinates {
        at: x.at.clone(),
        source,
    })
}

/// Reads `dir/file`, checks its header is exactly `header`, and returns its
/// lines of values (blank lines are skipped).
pub(super) fn read<const N: usize>(
    dir: &Path,
    file: &str,
    header: [&'static str; N],
) -> Result<Vec<Row<N>>, LoadError> {
    let path = dir.join(file);
    let content = std::fs::read_to_string(&path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            LoadError::MissingFile(path.clone())
        } else {
            LoadError::Read {
                path: path.clone(),
                source,
            }
        }
    })?;
    let file: Arc<Path> = Arc::from(path.as_path());
    let mut lines = content.lines().enumerate().map(|(i, line)| (i + 1, line));
    let Some((_, first)) = lines.next() else {
        return Err(LoadError::EmptyFile(path));
    };
    if !first.split('\t').map(str::trim).eq(header) {
        return Err(LoadError::WrongHeader {
            at: Location {
                file: Arc::clone(&file),
                line: 1,
            },
            expected: header.join("\t").escape_debug().to_string(),
            found: first.escape_debug().to_string(),
        });
    }
    lines
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(line, text)| {
            let at = Location {
                file: Arc::clone(&file),
                line,
            };
            split(&at, text, header)
        })
        .collect()
}

/// Splits one line into exactly `N` cells named after `header`.
fn split<const N: usize>(
    at: &Location,
    text: &str,
    header: [&'static str; N],
) -> Result<Row<N>, LoadError> {
    let values: Vec<&str> = text.split('\t').collect();
    let column_count = || LoadError::ColumnCount {
        at: at.clone(),
        expected: N,
        found: values.len(),
    };
    if values.len() != N {
        return Err(column_count());
    }
    let cells: Vec<Cell> = header
        .into_iter()
        .zip(&values)
        .map(|(column, value)| Cell {
            at: at.clone(),
            column,
            text: value.trim().to_owned(),
        })
        .collect();
    let cells = cells.try_into().map_err(|_| column_count())?;
    Ok(Row {
        at: at.clone(),
        cells,
    })
}

//! Reading one MDRP file: the instance files are tab-separated with a fixed
//! number of columns, the solution files whitespace-separated (an assignment
//! lists as many orders as its bundle holds). Either way the header is checked
//! against the format, every line keeps its number, and each value knows its
//! column, so any later parse error can say exactly where it happened.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use foodiefast_geo::{Point, Seconds};

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

/// One line of a whitespace-separated file: at least as many values as the
/// header has columns; values past the last column are named after it.
#[derive(Debug, Clone)]
pub(super) struct Line {
    /// Where the line is.
    pub(super) at: Location,
    /// Its values, in header order.
    pub(super) cells: Vec<Cell>,
}

impl Line {
    /// The line's values when there are exactly `N` of them.
    pub(super) fn exactly<const N: usize>(self) -> Result<[Cell; N], LoadError> {
        let found = self.cells.len();
        <[Cell; N]>::try_from(self.cells).map_err(|_| LoadError::ColumnCount {
            at: self.at,
            expected: N,
            found,
        })
    }
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

    /// An instant or a duration in minutes, possibly fractional (half service
    /// times fall on the half minute), zero or more, to the nearest second.
    pub(super) fn decimal_minutes(&self) -> Result<Seconds, LoadError> {
        let minutes: f64 = self.parse("a time in minutes")?;
        if !minutes.is_finite() || minutes > MAX_MINUTES {
            return Err(LoadError::InvalidNumber {
                at: self.at.clone(),
                column: self.column,
                text: self.text.clone(),
                expected: "a time in minutes",
            });
        }
        if minutes < 0.0 {
            return Err(LoadError::NegativeTime {
                at: self.at.clone(),
                column: self.column,
                minutes: minutes.floor() as i64,
            });
        }
        Ok(Seconds((minutes * 60.0).round() as i64))
    }

    /// The value as written.
    pub(super) fn text(&self) -> &str {
        &self.text
    }

    /// Where the value is.
    pub(super) fn at(&self) -> &Location {
        &self.at
    }

    /// The name of the value's column.
    pub(super) fn column(&self) -> &'static str {
        self.column
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

/// The largest time accepted in a file, in minutes: a year, far beyond any
/// instance's day, and small enough that seconds stay exact in an `f64`.
const MAX_MINUTES: f64 = 525_600.0;

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
    let (file, content) = read_checking_header(dir, file, &header, '\t')?;
    data_lines(&file, &content)
        .map(|(at, text)| split(&at, text, header))
        .collect()
}

/// Reads the whitespace-separated `dir/file`, checks its header is exactly
/// `header`, and returns its lines of values, each with at least as many
/// values as the header has columns (blank lines are skipped).
pub(super) fn read_whitespace(
    dir: &Path,
    file: &str,
    header: &[&'static str],
) -> Result<Vec<Line>, LoadError> {
    let (file, content) = read_checking_header(dir, file, header, ' ')?;
    let Some(&last_column) = header.last() else {
        return Ok(Vec::new());
    };
    data_lines(&file, &content)
        .map(|(at, text)| {
            let values: Vec<&str> = text.split_whitespace().collect();
            if values.len() < header.len() {
                return Err(LoadError::TooFewColumns {
                    at,
                    expected: header.len(),
                    found: values.len(),
                });
            }
            let names = header.iter().copied().chain(std::iter::repeat(last_column));
            let cells = names
                .zip(values)
                .map(|(column, value)| Cell {
                    at: at.clone(),
                    column,
                    text: value.to_owned(),
                })
                .collect();
            Ok(Line { at, cells })
        })
        .collect()
}

/// The lines after the header that hold values, with their locations.
fn data_lines<'a>(
    file: &'a Arc<Path>,
    content: &'a str,
) -> impl Iterator<Item = (Location, &'a str)> + 'a {
    content
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, text)| {
            let at = Location {
                file: Arc::clone(file),
                line: i + 1,
            };
            (at, text)
        })
}

/// Reads `dir/file` whole and checks its first line is `header`, its columns
/// separated by `separator` (a space stands for any whitespace).
fn read_checking_header(
    dir: &Path,
    file: &str,
    header: &[&'static str],
    separator: char,
) -> Result<(Arc<Path>, String), LoadError> {
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
    let Some(first) = content.lines().next() else {
        return Err(LoadError::EmptyFile(path));
    };
    let matches = if separator == ' ' {
        first.split_whitespace().eq(header.iter().copied())
    } else {
        first
            .split(separator)
            .map(str::trim)
            .eq(header.iter().copied())
    };
    if !matches {
        return Err(LoadError::WrongHeader {
            at: Location {
                file: Arc::clone(&file),
                line: 1,
            },
            expected: header
                .join(&separator.to_string())
                .escape_debug()
                .to_string(),
            found: first.escape_debug().to_string(),
        });
    }
    Ok((file, content))
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

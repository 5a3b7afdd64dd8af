//! [`LoadError`]: every way an MDRP instance or solution directory can be
//! refused, each naming the file, the line and what is wrong.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use foodiefast_geo::{CourierId, GeoError, OrderId, RestaurantId};

/// A line of an instance or solution file, shown as `path:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: Arc<Path>,
    /// The line, counted from 1 (the header is line 1).
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// Why an instance or solution directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path does not exist or is not a directory.
    #[error("directory {} does not exist or is not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// One of the instance's or solution's files is missing.
    #[error("{}: file not found", .0.display())]
    MissingFile(PathBuf),
    /// A file exists but could not be read (permissions, not UTF-8, ...).
    #[error("{}: cannot be read", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A file without even a header line.
    #[error("{}: file is empty, expected a header line", .0.display())]
    EmptyFile(PathBuf),
    /// The header line is not the one the format defines.
    #[error("{at}: wrong header: expected `{expected}`, found `{found}`")]
    WrongHeader {
        /// Where.
        at: Location,
        /// The header the format defines (tab-separated).
        expected: String,
        /// The header found.
        found: String,
    },
    /// A line with too few or too many tab-separated columns.
    #[error("{at}: expected {expected} columns, found {found}")]
    ColumnCount {
        /// Where.
        at: Location,
        /// Columns the header defines.
        expected: usize,
        /// Columns on the line.
        found: usize,
    },
    /// A line of a whitespace-separated file with fewer values than its header has columns.
    #[error("{at}: expected at least {expected} whitespace-separated values, found {found}")]
    TooFewColumns {
        /// Where.
        at: Location,
        /// Columns the header defines.
        expected: usize,
        /// Values on the line.
        found: usize,
    },
    /// A place of a courier move that is neither `0` (the start) nor a
    /// restaurant or order id.
    #[error("{at}: column `{column}`: `{text}` is not a place: expected {expected}")]
    MalformedPlace {
        /// Where.
        at: Location,
        /// The column's name.
        column: &'static str,
        /// The text found.
        text: String,
        /// The places the column accepts.
        expected: &'static str,
    },
    /// A courier whose moves are not all on consecutive lines.
    #[error(
        "{at}: moves of {courier} resume after other couriers' (its first group ends on line {group_end})"
    )]
    CourierMovesSplit {
        /// Where the second group starts.
        at: Location,
        /// The courier.
        courier: CourierId,
        /// The last line of its first group.
        group_end: usize,
    },
    /// A value that is not a number of the expected kind.
    #[error("{at}: column `{column}`: `{text}` is not {expected}")]
    InvalidNumber {
        /// Where.
        at: Location,
        /// The column's name.
        column: &'static str,
        /// The text found.
        text: String,
        /// What was expected, e.g. "a whole number of minutes".
        expected: &'static str,
    },
    /// An id that is not its prefix letter followed by decimal digits.
    #[error("{at}: column `{column}`: `{text}` is not an id of the form {prefix}<number>")]
    MalformedId {
        /// Where.
        at: Location,
        /// The column's name.
        column: &'static str,
        /// The text found.
        text: String,
        /// The letter ids of this column start with.
        prefix: char,
    },
    /// An id defined twice in one file.
    #[error("{at}: {id} is already defined on line {first_line}")]
    DuplicateId {
        /// Where the second definition is.
        at: Location,
        /// The id as written.
        id: String,
        /// Where the first one is.
        first_line: usize,
    },
    /// An order of a restaurant that `restaurants.txt` does not define.
    #[error("{at}: order {order} refers to unknown restaurant {restaurant}")]
    UnknownRestaurant {
        /// Where.
        at: Location,
        /// The order.
        order: OrderId,
        /// The restaurant it names.
        restaurant: RestaurantId,
    },
    /// A time before the start of the day.
    #[error("{at}: column `{column}`: time {minutes} is negative")]
    NegativeTime {
        /// Where.
        at: Location,
        /// The column's name.
        column: &'static str,
        /// The value, in minutes.
        minutes: i64,
    },
    /// An order ready before the customer placed it.
    #[error(
        "{at}: order {order} is ready at minute {ready} before it is placed at minute {placed}"
    )]
    ReadyBeforePlacement {
        /// Where.
        at: Location,
        /// The order.
        order: OrderId,
        /// Placement minute.
        placed: i64,
        /// Ready minute.
        ready: i64,
    },
    /// A courier shift that ends at or before its start.
    #[error("{at}: courier {courier} goes off shift at minute {off} but comes on at minute {on}")]
    ShiftEndsBeforeStart {
        /// Where.
        at: Location,
        /// The courier.
        courier: CourierId,
        /// Shift start minute.
        on: i64,
        /// Shift end minute.
        off: i64,
    },
    /// Coordinates the geo core refuses (not finite, or out of range).
    #[error("{at}: invalid coordinates")]
    InvalidCoordinates {
        /// Where.
        at: Location,
        /// Why the geo core refused them.
        #[source]
        source: GeoError,
    },
    /// A parameter outside its meaningful range.
    #[error("{at}: parameter `{column}` {reason}")]
    InvalidParameter {
        /// Where.
        at: Location,
        /// The parameter's name.
        column: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A parameter file without exactly one line of values.
    #[error("{}: expected exactly one line of values after the header, found {found}", .path.display())]
    ParameterRows {
        /// The file.
        path: PathBuf,
        /// Lines of values found.
        found: usize,
    },
}

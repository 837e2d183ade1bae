//! The rows of a table to load, read from the warehouse as Arrow batches (DuckDB hands
//! them over column by column, with no per-value conversion), and the one value type
//! every target writes.

use std::path::Path;

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use duckdb::arrow::array::{
    Array, AsArray, BooleanArray, Date32Array, Float64Array, Int64Array, TimestampMicrosecondArray,
};
use duckdb::arrow::datatypes::DataType;
use duckdb::arrow::record_batch::RecordBatch;

use crate::source::{self, ColumnKind, TableSpec};

/// One value of a row, borrowed from its batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Boolean(bool),
    Text(&'a str),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
}

impl std::fmt::Display for Cell<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Null => f.write_str("NULL"),
            Cell::Integer(v) => write!(f, "{v}"),
            Cell::Real(v) => write!(f, "{v}"),
            Cell::Boolean(v) => write!(f, "{v}"),
            Cell::Text(v) => write!(f, "{v:?}"),
            Cell::Date(v) => write!(f, "{v}"),
            Cell::Timestamp(v) => write!(f, "{v}"),
        }
    }
}

/// A batch's columns, each looked at as the type its kind reads as.
pub struct Batch<'a> {
    columns: Vec<ColumnView<'a>>,
    rows: usize,
}

enum ColumnView<'a> {
    Integer(&'a Int64Array),
    Real(&'a Float64Array),
    Boolean(&'a BooleanArray),
    Text(&'a dyn Array, TextArray<'a>),
    Date(&'a Date32Array),
    Timestamp(&'a TimestampMicrosecondArray),
}

enum TextArray<'a> {
    Utf8(&'a duckdb::arrow::array::StringArray),
    LargeUtf8(&'a duckdb::arrow::array::LargeStringArray),
    View(&'a duckdb::arrow::array::StringViewArray),
}

/// 1970-01-01 counted from 0001-01-01, as chrono counts days.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

impl<'a> Batch<'a> {
    pub fn new(batch: &'a RecordBatch, spec: &TableSpec) -> anyhow::Result<Batch<'a>> {
        let mut columns = Vec::with_capacity(spec.columns.len());
        for (c, array) in spec.columns.iter().zip(batch.columns()) {
            let view = match (c.kind, array.data_type()) {
                (ColumnKind::Integer, DataType::Int64) => ColumnView::Integer(array.as_primitive()),
                (ColumnKind::Real, DataType::Float64) => ColumnView::Real(array.as_primitive()),
                (ColumnKind::Boolean, DataType::Boolean) => ColumnView::Boolean(array.as_boolean()),
                (ColumnKind::Text, DataType::Utf8) => {
                    ColumnView::Text(array.as_ref(), TextArray::Utf8(array.as_string()))
                }
                (ColumnKind::Text, DataType::LargeUtf8) => {
                    ColumnView::Text(array.as_ref(), TextArray::LargeUtf8(array.as_string()))
                }
                (ColumnKind::Text, DataType::Utf8View) => {
                    ColumnView::Text(array.as_ref(), TextArray::View(array.as_string_view()))
                }
                (ColumnKind::Date, DataType::Date32) => ColumnView::Date(array.as_primitive()),
                (ColumnKind::Timestamp, DataType::Timestamp(duckdb::arrow::datatypes::TimeUnit::Microsecond, _)) => {
                    ColumnView::Timestamp(array.as_primitive())
                }
                (kind, other) => bail!("{}.{}: the warehouse gave {other} for a {kind:?} column", spec.source, c.name),
            };
            columns.push(view);
        }
        Ok(Batch { columns, rows: batch.num_rows() })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn width(&self) -> usize {
        self.columns.len()
    }

    pub fn cell(&self, row: usize, column: usize) -> Cell<'a> {
        match &self.columns[column] {
            ColumnView::Integer(a) => {
                if a.is_null(row) {
                    Cell::Null
                } else {
                    Cell::Integer(a.value(row))
                }
            }
            ColumnView::Real(a) => {
                if a.is_null(row) {
                    Cell::Null
                } else {
                    Cell::Real(a.value(row))
                }
            }
            ColumnView::Boolean(a) => {
                if a.is_null(row) {
                    Cell::Null
                } else {
                    Cell::Boolean(a.value(row))
                }
            }
            ColumnView::Text(any, t) => {
                if any.is_null(row) {
                    Cell::Null
                } else {
                    Cell::Text(match t {
                        TextArray::Utf8(a) => a.value(row),
                        TextArray::LargeUtf8(a) => a.value(row),
                        TextArray::View(a) => a.value(row),
                    })
                }
            }
            ColumnView::Date(a) => match a.is_null(row) {
                true => Cell::Null,
                false => NaiveDate::from_num_days_from_ce_opt(UNIX_EPOCH_DAYS_FROM_CE + a.value(row))
                    .map_or(Cell::Null, Cell::Date),
            },
            ColumnView::Timestamp(a) => match a.is_null(row) {
                true => Cell::Null,
                false => {
                    DateTime::from_timestamp_micros(a.value(row)).map_or(Cell::Null, |t| Cell::Timestamp(t.naive_utc()))
                }
            },
        }
    }

    /// The row's key, for error messages: `track_id = "isrc:USRC17607839"`.
    pub fn describe_key(&self, spec: &TableSpec, row: usize) -> String {
        spec.key
            .iter()
            .filter_map(|k| spec.columns.iter().position(|c| &c.name == k))
            .map(|i| format!("{} = {}", spec.columns[i].name, self.cell(row, i)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every value within its column's declared length, or an error naming the table,
    /// the column, the row and the value. Checked before anything is written, so a bad
    /// value leaves the app's tables as they were.
    pub fn check_lengths(&self, spec: &TableSpec) -> anyhow::Result<()> {
        for (i, c) in spec.columns.iter().enumerate() {
            let Some(max) = c.max_length else { continue };
            for row in 0..self.rows {
                if let Cell::Text(v) = self.cell(row, i) {
                    let n = v.chars().count();
                    if n > max {
                        bail!(
                            "value too long for {}.{}: {v:?} has {n} characters, the column holds {max} \
                             (the model's `-- max_length:`); row {}",
                            spec.target,
                            c.name,
                            self.describe_key(spec, row)
                        );
                    }
                }
            }
        }
        Ok(())
    }
}

/// Reads a table's rows in batches, in the kinds of its spec, handing each batch to
/// `each`; stops early when `each` returns false.
pub fn read(
    warehouse_path: &Path,
    spec: &TableSpec,
    mut each: impl FnMut(RecordBatch) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let db = source::open(warehouse_path)?;
    let sql = source::select_sql(spec);
    let mut stmt = db.prepare(&sql).with_context(|| format!("reading {}", spec.source))?;
    for batch in stmt.stream_arrow([]).with_context(|| format!("reading {}", spec.source))? {
        let batch = batch.with_context(|| format!("reading {}", spec.source))?;
        if !each(batch)? {
            break;
        }
    }
    Ok(())
}

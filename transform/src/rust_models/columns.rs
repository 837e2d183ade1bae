//! Reading the columns of DuckDB's Arrow batches: text or integers, whatever type and
//! width DuckDB chose for them.

use duckdb::arrow::array::{Array, AsArray, Int64Array, StringArray};
use duckdb::arrow::compute::cast;
use duckdb::arrow::datatypes::{DataType, Int64Type};
use duckdb::arrow::record_batch::RecordBatch;

pub fn texts(batch: &RecordBatch, i: usize) -> anyhow::Result<StringArray> {
    Ok(cast(batch.column(i), &DataType::Utf8)?.as_string::<i32>().clone())
}

pub fn integers(batch: &RecordBatch, i: usize) -> anyhow::Result<Int64Array> {
    Ok(cast(batch.column(i), &DataType::Int64)?.as_primitive::<Int64Type>().clone())
}

pub fn text(a: &StringArray, row: usize) -> Option<&str> {
    (!a.is_null(row)).then(|| a.value(row))
}

pub fn integer(a: &Int64Array, row: usize) -> Option<i64> {
    (!a.is_null(row)).then(|| a.value(row))
}

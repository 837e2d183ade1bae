//! The normalization functions, registered as DuckDB scalar functions so SQL models
//! share them with Rust code: `norm_gtin(text)` and `norm_isrc(text)`.

use std::sync::Arc;

use duckdb::Connection;
use duckdb::arrow::array::{Array, RecordBatch, StringArray};
use duckdb::arrow::compute::cast;
use duckdb::arrow::datatypes::DataType;
use duckdb::vscalar::{ArrowFunctionSignature, VArrowScalar};

use crate::normalize;

fn map_strings(
    input: RecordBatch,
    f: fn(&str) -> Option<String>,
) -> Result<Arc<dyn Array>, Box<dyn std::error::Error>> {
    let column = cast(input.column(0), &DataType::Utf8)?;
    let strings = column.as_any().downcast_ref::<StringArray>().ok_or("expected a string column")?;
    let out: StringArray = strings.iter().map(|v| v.and_then(f)).collect();
    Ok(Arc::new(out))
}

struct NormGtin;

impl VArrowScalar for NormGtin {
    type State = ();
    fn invoke(_: &(), input: RecordBatch) -> Result<Arc<dyn Array>, Box<dyn std::error::Error>> {
        map_strings(input, normalize::gtin14)
    }
    fn signatures() -> Vec<ArrowFunctionSignature> {
        vec![ArrowFunctionSignature::exact(vec![DataType::Utf8], DataType::Utf8)]
    }
}

struct NormIsrc;

impl VArrowScalar for NormIsrc {
    type State = ();
    fn invoke(_: &(), input: RecordBatch) -> Result<Arc<dyn Array>, Box<dyn std::error::Error>> {
        map_strings(input, normalize::isrc)
    }
    fn signatures() -> Vec<ArrowFunctionSignature> {
        vec![ArrowFunctionSignature::exact(vec![DataType::Utf8], DataType::Utf8)]
    }
}

pub fn register(db: &Connection) -> duckdb::Result<()> {
    db.register_scalar_function::<NormGtin>("norm_gtin")?;
    db.register_scalar_function::<NormIsrc>("norm_isrc")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_sees_the_same_normalization_as_rust() {
        let db = Connection::open_in_memory().unwrap();
        register(&db).unwrap();
        let (a, b, c, d): (Option<String>, Option<String>, Option<String>, Option<String>) = db
            .query_row(
                "SELECT norm_gtin('724384960650'), norm_gtin('724384960651'), norm_isrc('gb-duw-00-00053'), norm_gtin(NULL)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(a.as_deref(), Some("00724384960650"));
        assert_eq!(b, None);
        assert_eq!(c.as_deref(), Some("GBDUW0000053"));
        assert_eq!(d, None);
    }
}

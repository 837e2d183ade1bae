//! Rust functions registered as DuckDB scalar functions, so SQL models share them with
//! Rust code: identifiers `norm_gtin(text)`, `norm_isrc(text)`; text `norm_text(text)`,
//! `title_base(text)`, `title_variant(text)`, `artist_key(text)`, `artist_set(text)`
//! (the keys of a credit's artists, sorted, joined by `|`); and the reading of video
//! titles `video_artist(title, channel)`, `video_song(title, channel)`,
//! `video_version(title, channel)`.

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

fn map_string_pairs(
    input: RecordBatch,
    f: fn(&str, &str) -> Option<String>,
) -> Result<Arc<dyn Array>, Box<dyn std::error::Error>> {
    let a = cast(input.column(0), &DataType::Utf8)?;
    let b = cast(input.column(1), &DataType::Utf8)?;
    let a = a.as_any().downcast_ref::<StringArray>().ok_or("expected a string column")?;
    let b = b.as_any().downcast_ref::<StringArray>().ok_or("expected a string column")?;
    let out: StringArray = a.iter().zip(b.iter()).map(|(x, y)| x.and_then(|x| f(x, y.unwrap_or("")))).collect();
    Ok(Arc::new(out))
}

/// A scalar function of (title, channel) reading a video title.
macro_rules! video_fn {
    ($name:ident, $field:expr) => {
        struct $name;
        impl VArrowScalar for $name {
            type State = ();
            fn invoke(_: &(), input: RecordBatch) -> Result<Arc<dyn Array>, Box<dyn std::error::Error>> {
                map_string_pairs(input, |t, c| crate::video_title::parse(t, c).and_then($field))
            }
            fn signatures() -> Vec<ArrowFunctionSignature> {
                vec![ArrowFunctionSignature::exact(vec![DataType::Utf8, DataType::Utf8], DataType::Utf8)]
            }
        }
    };
}

video_fn!(VideoArtist, |c: crate::video_title::Candidate| Some(c.artist));
video_fn!(VideoSong, |c: crate::video_title::Candidate| Some(c.title));
video_fn!(VideoVersion, |c: crate::video_title::Candidate| c.version);

/// A scalar function of one text argument.
macro_rules! text_fn {
    ($name:ident, $f:expr) => {
        struct $name;
        impl VArrowScalar for $name {
            type State = ();
            fn invoke(_: &(), input: RecordBatch) -> Result<Arc<dyn Array>, Box<dyn std::error::Error>> {
                map_strings(input, $f)
            }
            fn signatures() -> Vec<ArrowFunctionSignature> {
                vec![ArrowFunctionSignature::exact(vec![DataType::Utf8], DataType::Utf8)]
            }
        }
    };
}

text_fn!(NormText, |s: &str| Some(normalize::fold(s)));
text_fn!(TitleBase, |s: &str| Some(normalize::title(s).base));
text_fn!(TitleVariant, |s: &str| Some(normalize::title(s).variant));
text_fn!(ArtistKey, |s: &str| Some(normalize::artist_key(s)));
text_fn!(ArtistSet, |s: &str| Some(normalize::artist_set(s).join("|")));

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
    db.register_scalar_function::<NormText>("norm_text")?;
    db.register_scalar_function::<TitleBase>("title_base")?;
    db.register_scalar_function::<TitleVariant>("title_variant")?;
    db.register_scalar_function::<ArtistKey>("artist_key")?;
    db.register_scalar_function::<ArtistSet>("artist_set")?;
    db.register_scalar_function::<VideoArtist>("video_artist")?;
    db.register_scalar_function::<VideoSong>("video_song")?;
    db.register_scalar_function::<VideoVersion>("video_version")?;
    // The order of one item's answers in staging's merge (README: Models): a higher rank
    // first, then the newest. One BIGINT, because arg_max compares a scalar key twice as
    // fast as a struct at a million items; 2^52 microseconds is 142 years, so any rank
    // outweighs any time. TEMP: the warehouse file keeps no macro its readers lack.
    db.execute_batch(
        "CREATE OR REPLACE TEMP MACRO answer_order(rank, fetched_at) AS \
         rank::BIGINT * 4503599627370496 + epoch_us(fetched_at)",
    )?;
    // `json_list(body, list, shape)`: the array `list` of a page, parsed by `shape` (a
    // page of that one key); a body without it is one item, parsed as a page of one. So
    // one shape, written once in the model, reads a provider's lists and its lookups
    // alike, and a page is parsed once: testing for the key first parsed every body
    // twice (1.1 s of MusicBrainz's million releases).
    db.execute_batch(
        "CREATE OR REPLACE TEMP MACRO json_list(body, list, shape) AS coalesce( \
             struct_extract(from_json(body, shape), list), \
             struct_extract(from_json('{\"' || list || '\": [' || body || ']}', shape), list))",
    )?;
    Ok(())
}

/// `provider_bit(provider)` and `provider_list(bits)`: a set of providers as one
/// integer, so a model can gather the providers of millions of rows with `bit_or`
/// instead of building and sorting a list per group (canonical.releases with its
/// `*_source` so: 10.9 s against 14.5 s at a million). `provider_list` names them
/// alphabetically, comma-separated, NULL for none; a provider liner does not know is
/// an error, not a bit quietly lost.
pub fn register_provider_sets(db: &Connection, providers: &[&str]) -> anyhow::Result<()> {
    let mut names: Vec<&str> = providers.to_vec();
    names.sort_unstable();
    names.dedup();
    anyhow::ensure!(names.len() <= 64, "{} providers do not fit a provider set of 64 bits", names.len());
    let list = names.iter().map(|n| format!("'{}'", n.replace('\'', "''"))).collect::<Vec<_>>().join(", ");
    db.execute_batch(&format!(
        "CREATE OR REPLACE TEMP MACRO provider_bit(p) AS \
             1::UBIGINT << (coalesce(list_position([{list}], p), error('provider_bit: no provider ' || p)) - 1)::UBIGINT; \
         CREATE OR REPLACE TEMP MACRO provider_list(bits) AS \
             nullif(array_to_string(list_filter([{list}], lambda p, i: (bits >> (i - 1)::UBIGINT) & 1::UBIGINT = 1), ', '), '');"
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_of_providers_is_named_in_order_and_an_unknown_one_is_an_error() {
        let db = Connection::open_in_memory().unwrap();
        register_provider_sets(&db, &["spotify", "deezer", "musicbrainz", "deezer"]).unwrap();
        let named: (Option<String>, Option<String>) = db
            .query_row(
                "SELECT provider_list(bit_or(provider_bit(p))), provider_list(bit_or(provider_bit(p)) FILTER (WHERE false)) \
                 FROM (VALUES ('spotify'), ('deezer'), ('spotify'), ('musicbrainz')) t(p)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(named, (Some("deezer, musicbrainz, spotify".into()), None));
        let err = db.query_row("SELECT provider_bit('napster')", [], |r| r.get::<_, u64>(0)).unwrap_err();
        assert!(err.to_string().contains("no provider napster"), "{err}");
    }

    #[test]
    fn json_list_reads_a_page_and_a_lookup_alike_and_an_empty_page_as_empty() {
        let db = Connection::open_in_memory().unwrap();
        register(&db).unwrap();
        let ids = |body: &str| -> String {
            db.query_row(
                "SELECT array_to_string(list_transform(json_list(?, 'releases', '{\"releases\": [{\"id\": \"VARCHAR\"}]}'), \
                 lambda r: r.id), ',')",
                [body],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(ids(r#"{"release-count": 2, "releases": [{"id": "a"}, {"id": "b"}]}"#), "a,b");
        assert_eq!(ids(r#"{"id": "c", "title": "Meteora"}"#), "c", "a lookup is a page of one");
        assert_eq!(ids(r#"{"release-count": 0, "releases": []}"#), "", "an empty page is no release");
    }

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

    #[test]
    fn sql_takes_titles_and_credits_apart_as_rust_does() {
        let db = Connection::open_in_memory().unwrap();
        register(&db).unwrap();
        let row: (String, String, String, String, String) = db
            .query_row(
                "SELECT norm_text('Björk & Friends'), title_base('Abbey Road (2019 Remix)'), \
                 title_variant('Abbey Road (2019 Remix)'), artist_key('Beatles, The'), artist_set('Sia x David Guetta')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(
            row,
            (
                "bjork and friends".into(),
                "abbey road".into(),
                "2019 remix".into(),
                "beatles".into(),
                "david guetta|sia".into()
            )
        );
    }

    #[test]
    fn sql_reads_video_titles_as_rust_does() {
        let db = Connection::open_in_memory().unwrap();
        register(&db).unwrap();
        let row: (Option<String>, Option<String>, Option<String>, Option<String>) = db
            .query_row(
                "SELECT video_artist(t, c), video_song(t, c), video_version(t, c), video_song('Tour Announcement', c) \
                 FROM (SELECT 'Coldplay - Yellow (Live at Glastonbury)' AS t, 'ColdplayVEVO' AS c)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(row.0.as_deref(), Some("Coldplay"));
        assert_eq!(row.1.as_deref(), Some("Yellow"));
        assert_eq!(row.2.as_deref(), Some("Live at Glastonbury"));
        assert_eq!(row.3, None);
    }
}

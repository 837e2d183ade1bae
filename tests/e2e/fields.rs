//! Canonical releases and tracks choose each field by its own rule, keep which providers
//! it came from, and count where providers disagree.

use std::collections::BTreeMap;

use crate::common::{query_i64, query_strings};

/// (canonical id, value) rows of one query, grouped by id.
fn by_id(wh: &std::path::Path, sql: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in query_strings(wh, sql) {
        let (id, value) = row.split_once('\t').unwrap();
        out.entry(id.to_string()).or_default().push(value.to_string());
    }
    out
}

#[test]
fn each_field_is_chosen_by_its_rule_with_the_providers_it_came_from() {
    let (sim, _data, cfg, _followed) = crate::common::everywhere(28, 5, 1, true);
    let wh = cfg.warehouse();

    // The date: the earliest year any provider gives, then its most precise form.
    let candidates =
        by_id(&wh, "SELECT canonical_id || chr(9) || value FROM canonical.fields WHERE field = 'release_date'");
    let shown = by_id(
        &wh,
        "SELECT release_id || chr(9) || release_date || chr(9) || release_date_source FROM canonical.releases \
         WHERE release_date IS NOT NULL",
    );
    let mut disagreeing = 0;
    for (id, said) in &candidates {
        let mut said = said.clone();
        said.sort_by(|a, b| a[..4].cmp(&b[..4]).then(b.len().cmp(&a.len())).then(a.cmp(b)));
        let (date, sources) = shown[id][0].split_once('\t').expect("a date and its source");
        assert_eq!(date, said[0], "{id}: chose {date} of {said:?}");
        assert!(!sources.is_empty(), "{id}: a date without its source");
        disagreeing += usize::from(said.iter().any(|d| d[..4] != said[0][..4]));
    }
    assert!(candidates.len() > 20, "{} releases dated", candidates.len());

    // Label and catalog number: Discogs' when Discogs has the release.
    let discogs_labels = query_i64(
        &wh,
        "SELECT count(*) FROM canonical.releases r JOIN staging.discogs_releases d ON d.release_id = r.discogs_release_id \
         WHERE d.label IS NOT NULL",
    );
    assert!(discogs_labels > 5, "{discogs_labels} releases with a Discogs label");
    assert_eq!(
        query_i64(
            &wh,
            "SELECT count(*) FROM canonical.releases r JOIN staging.discogs_releases d ON d.release_id = r.discogs_release_id \
             WHERE d.label IS NOT NULL AND (lower(r.label) <> lower(d.label) OR r.label_source NOT LIKE '%discogs%')"
        ),
        0,
        "Discogs' label first, and said so"
    );
    assert!(
        query_i64(
            &wh,
            "SELECT count(*) FROM canonical.releases WHERE label IS NOT NULL AND discogs_release_id IS NULL"
        ) > 0,
        "a label only another provider knows is kept"
    );

    // Genres: merged from every provider that gives them, each source named.
    let merged = query_strings(
        &wh,
        "SELECT genres_source FROM canonical.releases WHERE genres_source LIKE '%discogs%' AND genres_source LIKE '%lastfm%'",
    );
    assert!(!merged.is_empty(), "some release has Discogs' and Last.fm's genres");
    assert_eq!(
        query_i64(
            &wh,
            "SELECT count(*) FROM canonical.fields f JOIN canonical.releases r ON r.release_id = f.canonical_id \
             WHERE f.entity = 'release' AND f.field = 'genre' \
               AND NOT list_contains(string_split(r.genres, ', '), lower(f.value))"
        ),
        0,
        "every provider's genre is in the merged list"
    );

    // Explicit, against the simulator's truth: a recording by its ISRC, a release by its
    // barcode.
    let c = sim.catalog();
    let tracks = query_strings(
        &wh,
        "SELECT isrc || ' ' || explicit FROM canonical.tracks WHERE explicit IS NOT NULL AND isrc IS NOT NULL",
    );
    let mut explicit_tracks = 0;
    for row in &tracks {
        let (isrc, flag) = row.split_once(' ').unwrap();
        let r =
            c.recordings.iter().position(|r| r.isrcs.iter().any(|i| i == isrc)).expect("a recording of the catalog");
        assert_eq!(flag == "true", c.is_explicit(r), "{isrc}");
        explicit_tracks += usize::from(flag == "true");
    }
    assert!(explicit_tracks > 0 && explicit_tracks < tracks.len(), "{explicit_tracks} of {} explicit", tracks.len());
    let releases = query_strings(
        &wh,
        "SELECT gtin || ' ' || explicit FROM canonical.releases WHERE explicit IS NOT NULL AND gtin IS NOT NULL",
    );
    assert!(releases.len() > 10);
    for row in &releases {
        let (gtin, flag) = row.split_once(' ').unwrap();
        let truth = c
            .releases
            .iter()
            .find(|r| r.gtin.as_deref().and_then(liner_transform::normalize::gtin14).as_deref() == Some(gtin));
        if let Some(r) = truth {
            assert_eq!(flag == "true", c.is_explicit_release(r), "{gtin}");
        }
    }

    // Disagreements are counted in the coverage, as canonical.fields marks them.
    let share = |field: &str| {
        query_strings(
            &wh,
            &format!(
                "SELECT round(share, 6)::VARCHAR FROM marts.coverage WHERE entity = 'release' AND measure = 'conflict_{field}' \
                 UNION ALL SELECT round(count(DISTINCT canonical_id) FILTER (WHERE field = '{field}' AND conflict) \
                 / (SELECT count(*) FROM canonical.releases), 6)::VARCHAR FROM canonical.fields WHERE entity = 'release'"
            ),
        )
    };
    for field in ["release_date", "label", "catalog_number", "explicit"] {
        let both = share(field);
        assert_eq!(both[0], both[1], "conflict_{field}: coverage against canonical.fields");
    }
    assert_eq!(
        share("release_date")[0].parse::<f64>().unwrap() > 0.0,
        disagreeing > 0,
        "{disagreeing} releases whose providers give different years"
    );
}

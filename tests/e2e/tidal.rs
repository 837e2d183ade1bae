//! TIDAL (API v2, JSON:API): the real recordings through staging, and a followed
//! artist against the simulator with client credentials, linked to Deezer by barcode
//! and ISRC.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use duckdb::Connection;
use liner_sim::{AuthConfig, Sim, SimConfig};
use liner_transform::normalize::{gtin14, isrc};

use crate::common::{Project, artists, query_i64, query_strings};
use crate::real_fixtures::{Lands, RealFixture, build_from_recorded, count, place, strings};

// Where `liner ingest` takes each recording: the name fills the resource's placeholder
// (`filter[id]`, or the album of an item page), then the request's own parameters. The
// two item pages of one album are told apart by their `page[cursor]`, as a crawl asks
// them.
inventory::submit! {
    RealFixture {
        file: "tidal/v2_albums_filter_GB_die-with-a-smile.json",
        landed_as: "tidal/albums/381265361&countryCode=GB",
        // The single's barcode (Spotify's and Deezer's too) and its one track's ISRC.
        lands: Lands::Rows(
            "staging.tidal_albums a join staging.tidal_tracks t on t.album_id = a.album_id \
             where a.album_id = '381265361' and a.gtin = '00602475093060' and t.isrc = 'USUM72409273' \
             and t.track_number = 1",
        ),
    }
}

inventory::submit! {
    RealFixture {
        file: "tidal/v2_albums_filter_SE_made-of-music.json",
        landed_as: "tidal/albums/443692756&countryCode=SE",
        // Ten items by the album's count; the eight that Sweden gets are related.
        lands: Lands::Rows(
            "staging.tidal_albums a, (select count(*) as n from staging.tidal_tracks where album_id = '443692756') t \
             where a.album_id = '443692756' and a.gtin = '07320470230022' and a.number_of_items = 10 and t.n = 8",
        ),
    }
}

inventory::submit! {
    RealFixture {
        file: "tidal/v2_albums_filter_US_production-dossier_46-items.json",
        landed_as: "tidal/albums/396698918&countryCode=US",
        // All 46 items, from this answer and the two pages after it, each with its number.
        lands: Lands::Rows(
            "staging.tidal_albums a, (select count(distinct track_number) as n, min(track_number) as lo, \
                max(track_number) as hi from (select track_number from staging.tidal_tracks \
                where album_id = '396698918' \
                union all select track_number from staging.tidal_videos where album_id = '396698918')) i \
             where a.album_id = '396698918' and a.gtin = '05056688837945' and a.number_of_items = 46 \
             and i.n = 46 and i.lo = 1 and i.hi = 46",
        ),
    }
}

inventory::submit! {
    RealFixture {
        file: "tidal/v2_albums_396698918_relationships_items_cursor-3nI1Esi.json",
        landed_as: "tidal/album_items/396698918&countryCode=US&page[cursor]=3nI1Esi",
        // Items 21-40: the album from the request, the numbers from the items' `meta`.
        lands: Lands::Rows(
            "(select count(*) as n, bool_and(isrc = 'AUNMG24000' || (track_number + 10)) as numbered \
              from staging.tidal_tracks where album_id = '396698918' and track_number between 21 and 40) \
             where n = 20 and numbered",
        ),
    }
}

inventory::submit! {
    RealFixture {
        file: "tidal/v2_albums_396698918_relationships_items_cursor-3nI1F0y_last.json",
        landed_as: "tidal/album_items/396698918&countryCode=US&page[cursor]=3nI1F0y",
        // Items 41-46, the last page.
        lands: Lands::Rows(
            "(select count(*) as n from staging.tidal_tracks \
              where album_id = '396698918' and track_number between 41 and 46 \
              and volume_number = 1 and artist_credit = 'Air Max ''97') where n = 6",
        ),
    }
}

inventory::submit! {
    RealFixture {
        file: "tidal/v2_videos_filter_GB_my-boy-lyric-video.json",
        landed_as: "tidal/videos/358461354&countryCode=GB",
        // A video is a recording of its own: its ISRC is a video's, not a track item's.
        lands: Lands::Rows(
            "staging.tidal_videos where video_id = '358461354' and isrc = 'USUMV2400558' \
             and not exists (select 1 from staging.tidal_track_items where item_id = '358461354') \
             and not exists (select 1 from staging.tidal_identifiers where value = 'USUMV2400558')",
        ),
    }
}

/// The six TIDAL recordings, landed as `liner ingest` lands them and built into a
/// warehouse with every shipped model.
fn tidal_warehouse(dir: &Path) -> PathBuf {
    let recorded = dir.join("recorded");
    let mut n = 0;
    for f in inventory::iter::<RealFixture> {
        if f.landed_as.starts_with("tidal/") {
            place(&recorded, f.file, f.landed_as);
            n += 1;
        }
    }
    assert_eq!(n, 6, "the six TIDAL recordings");
    let (got, warehouse) = build_from_recorded(&recorded, dir, "tidal");
    assert_eq!(got.landed, 6);
    assert!(got.errors.is_empty() && got.empty.is_empty(), "{:?} {:?}", got.errors, got.empty);
    warehouse
}

#[test]
fn tidal_recordings_become_albums_tracks_videos_and_conformed_items() {
    let dir = tempfile::tempdir().unwrap();
    let db = Connection::open(tidal_warehouse(dir.path())).unwrap();

    // The GB single: its barcode as a GTIN-14, its credit in the relationship's order
    // (Lady Gaga first, though `included` names Bruno Mars first), ISO 8601 durations.
    assert_eq!(
        strings(
            &db,
            "select concat_ws(' | ', title, album_type, barcode, gtin, release_date, number_of_items, duration_ms, \
             explicit, copyright, url, artist_id, artist_credit) from staging.tidal_albums where album_id = '381265361'"
        ),
        ["Die With A Smile | SINGLE | 00602475093060 | 00602475093060 | 2024-08-16 | 1 | 252000 | false | \
             © 2024 Interscope Records | https://tidal.com/browse/album/381265361 | 3534754 | Lady Gaga, Bruno Mars"]
    );
    assert_eq!(
        strings(
            &db,
            "select concat_ws(' | ', album_id, volume_number, track_number, title, isrc_raw, isrc, duration_ms, \
             explicit, url, artist_credit) from staging.tidal_tracks where track_id = '381265362'"
        ),
        ["381265361 | 1 | 1 | Die With A Smile | USUM72409273 | USUM72409273 | 252000 | false | \
             https://tidal.com/browse/track/381265362 | Lady Gaga, Bruno Mars"]
    );
    // Copyright as an object in newer answers; hours in a duration.
    assert_eq!(
        strings(
            &db,
            "select concat_ws(' | ', gtin, copyright, duration_ms, number_of_volumes) from staging.tidal_albums \
             where album_id = '396698918'"
        ),
        ["05056688837945 | DECISIONS | 7216000 | 1"]
    );

    // The SE album: ten items by its count, the eight Sweden gets related, numbered
    // as the album numbers them.
    assert_eq!(count(&db, "select number_of_items::bigint from staging.tidal_albums where album_id = '443692756'"), 10);
    assert_eq!(
        strings(
            &db,
            "select string_agg(track_number::varchar, ',' order by track_number) from staging.tidal_tracks \
             where album_id = '443692756'"
        ),
        ["1,3,4,6,7,8,9,10"]
    );
    assert_eq!(
        strings(&db, "select artist_credit from staging.tidal_tracks where track_id = '443692760'"),
        ["Sousou, Maher Cissoko"]
    );

    // The US album's 46 items across its answer and two item pages, in order: track
    // ids rise with the numbers the pages' `meta` gives.
    let numbers: Vec<String> = strings(
        &db,
        "select track_number::varchar from staging.tidal_tracks where album_id = '396698918' order by track_id",
    );
    assert_eq!(numbers, (1..=46).map(|n| n.to_string()).collect::<Vec<_>>());
    assert_eq!(
        count(
            &db,
            "select count(*) from staging.tidal_tracks where album_id = '396698918' and isrc like 'AUNMG24000%'"
        ),
        46
    );
    assert_eq!(
        strings(&db, "select isrc from staging.tidal_tracks where album_id = '396698918' and track_number = 46"),
        ["AUNMG2400056"]
    );

    // The lyric video: its own recording and ISRC, no track item.
    assert_eq!(
        strings(
            &db,
            "select concat_ws(' | ', title, isrc, duration_ms, release_date, url, artist_credit) \
             from staging.tidal_videos where video_id = '358461354'"
        ),
        ["My Boy Only Breaks His Favorite Toys (Lyric Video) | USUMV2400558 | 208000 | 2024-04-19 | \
             https://tidal.com/browse/video/358461354 | Taylor Swift"]
    );
    for sql in [
        "select count(*) from staging.tidal_tracks where track_id = '358461354' or isrc = 'USUMV2400558'",
        "select count(*) from intermediate.track_items where item_id = '358461354'",
        "select count(*) from intermediate.item_identifiers where value in ('USUMV2400558', '358461354')",
    ] {
        assert_eq!(count(&db, sql), 0, "{sql}");
    }

    // Artists from every answer that includes one, once each (the US album includes
    // its artist twice).
    assert_eq!(
        strings(&db, "select name || ' ' || url from staging.tidal_artists where artist_id = '5664171'"),
        ["Air Max '97 https://tidal.com/browse/artist/5664171"]
    );

    // The conformed models, as the shared ones read them.
    assert_eq!(
        strings(
            &db,
            "select concat_ws(' | ', title, artist, gtin, release_date, track_count, url) \
             from intermediate.release_items \
             where provider = 'tidal' and item_id = '381265361'"
        ),
        ["Die With A Smile | Lady Gaga, Bruno Mars | 00602475093060 | 2024-08-16 | 1 | \
             https://tidal.com/browse/album/381265361"]
    );
    assert_eq!(count(&db, "select count(*) from intermediate.release_items where provider = 'tidal'"), 3);
    assert_eq!(
        strings(
            &db,
            "select concat_ws(' | ', release_item_id, title, artist, duration_ms, url) from intermediate.track_items \
             where provider = 'tidal' and item_id = '381265362'"
        ),
        ["381265361 | Die With A Smile | Lady Gaga, Bruno Mars | 252000 | https://tidal.com/browse/track/381265362"]
    );
    assert_eq!(count(&db, "select count(*) from intermediate.track_items where provider = 'tidal'"), 1 + 8 + 46);
    assert_eq!(
        strings(
            &db,
            "select concat_ws(' ', entity, item_id, kind, value, via) from intermediate.item_identifiers \
             where provider = 'tidal' and item_id in ('381265361', '381265362') order by all"
        ),
        [
            "release 381265361 gtin 00602475093060 own",
            "release 381265361 tidal 381265361 own",
            "track 381265362 isrc USUM72409273 own",
            "track 381265362 tidal 381265362 own",
        ]
    );
    assert_eq!(
        count(&db, "select count(*) from intermediate.item_identifiers where provider = 'tidal' and kind = 'isrc'"),
        1 + 8 + 46
    );
    assert_eq!(
        strings(
            &db,
            "select concat_ws(' ', entity, item_id, value) from intermediate.item_facts \
             where provider = 'tidal' and field = 'explicit' and item_id in ('381265361', '381265362') order by all"
        ),
        ["release 381265361 false", "track 381265362 false"]
    );
    // The canonical tables name TIDAL's ids, and list TIDAL's pages.
    assert_eq!(
        count(
            &db,
            "select count(*) from canonical.releases where tidal_album_id = 381265361 and gtin = '00602475093060'"
        ),
        1
    );
    assert_eq!(count(&db, "select count(*) from canonical.tracks where tidal_track_id = 381265362"), 1);
    assert_eq!(
        strings(
            &db,
            "select url from canonical.listings \
             where provider = 'tidal' and entity = 'release' and item_id = '381265361'"
        ),
        ["https://tidal.com/browse/album/381265361"]
    );
}

const SECRET: &str = "tidal-test-secret";

fn sim() -> Sim {
    let mut limits = liner_sim::default_limits();
    limits.insert("tidal".into(), (60, Duration::from_secs(1)));
    Sim::start(SimConfig {
        seed: 31,
        artists: 40,
        auth: Some(AuthConfig {
            client_id: "liner-test".into(),
            client_secret: SECRET.into(),
            token_ttl: Duration::from_secs(3600),
            providers: vec!["tidal".into()],
        }),
        limits,
        ..SimConfig::default()
    })
    .expect("simulator")
}

/// TIDAL and Deezer against the simulator (MusicBrainz off), TIDAL with `secret` and
/// `extra` settings of its own.
fn project(sim: &Sim, secret: &str, extra: &str) -> Project {
    let dir = tempfile::tempdir().expect("tempdir");
    let toml = format!(
        r#"[paths]
data_dir = "data"

[follow]
resolve = false
sync = false

[providers.musicbrainz]
enabled = false

[providers.deezer]
base_url = "{deezer}"
initial_backoff_seconds = 0.2
page_size = 25
options = {{ charts = false }}

[providers.tidal]
enabled = true
base_url = "{tidal}"
rate = {{ requests = 50, per_seconds = 1.0 }}
initial_backoff_seconds = 0.2
{extra}
[providers.tidal.auth]
kind = "client_credentials"
token_url = "{token}"
client_id = "liner-test"
client_secret = "{secret}"
"#,
        deezer = sim.base_url("deezer"),
        tidal = sim.base_url("tidal"),
        token = sim.token_url(),
    );
    std::fs::write(dir.path().join("liner.toml"), toml).expect("writing liner.toml");
    Project { dir }
}

fn pairs(db: &Path, sql: &str) -> Vec<(String, Option<String>)> {
    let conn = duckdb::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_followed_artist_lands_tidal_albums_tracks_and_links() {
    let sim = sim();
    let project = project(&sim, SECRET, "");
    let followed = artists(&sim, 4);
    let mut args = vec!["follow"];
    args.extend(followed.iter().map(String::as_str));
    project.ok(&args);
    let out = project.ok(&["extract"]);
    assert!(out.contains("tidal") && out.contains("deezer"), "{out}");
    assert!(!out.contains("failed:"), "{out}");
    assert_eq!(sim.stats("tidal").over_limit, 0);
    assert_eq!(sim.token_requests(), 1, "one token for the whole run");
    project.ok(&["transform"]);
    let db = project.warehouse();

    // What TIDAL lists of the followed artists, by id.
    let catalog = sim.catalog();
    let view = sim.view("tidal");
    let mut expected_albums = HashMap::new();
    let mut album_of_track = HashMap::new();
    let mut tidal_tracks = HashMap::new();
    let mut tidal_releases = HashMap::new();
    for (a, artist) in catalog.artists.iter().enumerate() {
        if !followed.contains(&artist.name) || !view.artists[a].known {
            continue;
        }
        for (i, l) in view.releases_of(catalog, a) {
            expected_albums.insert(l.id.clone(), l.barcode.as_deref().and_then(gtin14));
            tidal_releases.insert(l.id.clone(), i);
            for t in &l.tracks {
                tidal_tracks.insert(t.id.clone(), (t.recording, t.isrc.as_deref().and_then(isrc)));
                album_of_track.insert(t.id.clone(), Some(l.id.clone()));
            }
        }
    }
    assert!(expected_albums.len() > 8, "too few albums to judge: {}", expected_albums.len());
    assert!(expected_albums.values().any(Option::is_some), "some albums carry a barcode");

    let albums: HashMap<String, Option<String>> =
        pairs(&db, "select album_id, gtin from staging.tidal_albums").into_iter().collect();
    assert_eq!(albums, expected_albums, "every album once, its barcode as a GTIN-14");
    let tracks: HashMap<String, Option<String>> =
        pairs(&db, "select track_id, isrc from staging.tidal_tracks").into_iter().collect();
    let expected_isrcs: HashMap<String, Option<String>> =
        tidal_tracks.iter().map(|(id, (_, i))| (id.clone(), i.clone())).collect();
    assert_eq!(tracks, expected_isrcs, "every track with its ISRC");
    let placed: HashMap<String, Option<String>> =
        pairs(&db, "select track_id, album_id from staging.tidal_tracks").into_iter().collect();
    assert_eq!(placed, album_of_track, "every track on its album");
    assert_eq!(
        query_i64(&db, "select count(*) from staging.tidal_tracks where track_number is null or artist_credit is null"),
        0,
        "every track numbered and credited"
    );
    assert_eq!(
        query_i64(
            &db,
            "select count(*) from (select album_id, volume_number, track_number from staging.tidal_tracks \
             group by all having count(*) > 1)"
        ),
        0,
        "one track a place"
    );

    // Exact links to Deezer: every pair of landed albums whose barcodes agree, and of
    // landed tracks whose ISRCs agree, and no other.
    let landed_deezer_albums: HashSet<String> =
        query_strings(&db, "select album_id::varchar from staging.deezer_albums where gtin is not null")
            .into_iter()
            .collect();
    let landed_deezer_tracks: HashSet<String> =
        query_strings(&db, "select track_id::varchar from staging.deezer_tracks").into_iter().collect();
    let mut deezer_albums = Vec::new();
    let mut deezer_tracks = Vec::new();
    for r in &catalog.releases {
        let Some(d) = &r.deezer else { continue };
        if landed_deezer_albums.contains(&d.id.to_string()) {
            deezer_albums.push((d.id.to_string(), gtin14(&d.upc)));
        }
        for t in &d.tracks {
            if landed_deezer_tracks.contains(&t.id.to_string()) {
                deezer_tracks.push((t.id.to_string(), t.recording, isrc(&t.isrc)));
            }
        }
    }
    let mut expected_release_links = HashSet::new();
    for (deezer_id, gtin) in &deezer_albums {
        for (tidal_id, tidal_gtin) in &expected_albums {
            if gtin.is_some() && gtin == tidal_gtin {
                expected_release_links.insert((deezer_id.clone(), tidal_id.clone()));
            }
        }
    }
    let mut expected_track_links = HashSet::new();
    for (deezer_id, recording, code) in &deezer_tracks {
        for (tidal_id, (tidal_recording, tidal_code)) in &tidal_tracks {
            if code.is_some() && code == tidal_code {
                assert_eq!(recording, tidal_recording, "one ISRC, one recording: {code:?}");
                expected_track_links.insert((deezer_id.clone(), tidal_id.clone()));
            }
        }
    }
    assert!(!expected_release_links.is_empty(), "the seed has albums on both with one barcode");
    assert!(!expected_track_links.is_empty(), "the seed has tracks on both with one ISRC");
    let links = |entity: &str, method: &str| -> HashSet<(String, String)> {
        pairs(
            &db,
            &format!(
                "select left_id, right_id from intermediate.exact_links where entity = '{entity}' \
                 and left_provider = 'deezer' and right_provider = 'tidal' and method = '{method}'"
            ),
        )
        .into_iter()
        .map(|(l, r)| (l, r.unwrap()))
        .collect()
    };
    assert_eq!(links("release", "gtin"), expected_release_links, "Deezer and TIDAL albums linked by barcode");
    assert_eq!(links("track", "isrc"), expected_track_links, "Deezer and TIDAL tracks linked by ISRC");
    // Each barcode link joins two listings of one catalog release.
    for (deezer_id, tidal_id) in &expected_release_links {
        let i = tidal_releases[tidal_id];
        assert_eq!(
            catalog.releases[i].deezer.as_ref().map(|d| d.id.to_string()).as_deref(),
            Some(deezer_id.as_str()),
            "{deezer_id} and {tidal_id} are one release"
        );
    }

    // The canonical tables: TIDAL's ids beside Deezer's, and TIDAL's pages to listen on.
    assert!(
        query_i64(
            &db,
            "select count(*) from canonical.releases where tidal_album_id is not null and deezer_album_id is not null"
        ) > 0,
        "releases on both"
    );
    assert_eq!(
        query_i64(&db, "select count(distinct tidal_album_id) from canonical.releases") as usize,
        query_i64(
            &db,
            "select count(distinct cluster_id) from canonical.clusters where entity = 'release' and provider = 'tidal'"
        ) as usize,
        "every release with a TIDAL album names one"
    );
    assert!(
        query_i64(
            &db,
            "select count(*) from canonical.tracks where tidal_track_id is not null and deezer_track_id is not null"
        ) > 0,
        "tracks on both"
    );
    let urls = query_strings(
        &db,
        "select entity || ' ' || item_id || ' ' || url from canonical.listings where provider = 'tidal'",
    );
    assert!(!urls.is_empty());
    for u in &urls {
        let mut parts = u.split(' ');
        let (entity, id, url) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let kind = if entity == "release" { "album" } else { "track" };
        assert!(
            url.starts_with(&format!("https://tidal.com/browse/{kind}/")) && url.ends_with(&format!("/{id}")),
            "{u}"
        );
    }
}

#[test]
fn a_wrong_client_secret_says_which_setting_to_mend_and_lands_no_tidal_data() {
    let sim = sim();
    let project = project(&sim, "not-the-secret", "max_retries = 1\n");
    project.ok(&["follow", &artists(&sim, 1)[0]]);
    let out = project.ok(&["extract"]);
    assert!(out.contains("check client_id and client_secret"), "{out}");
    assert!(!out.contains("not-the-secret"), "the secret is not printed:\n{out}");
    project.ok(&["transform"]);
    let db = project.warehouse();
    for table in ["staging.tidal_albums", "staging.tidal_tracks", "staging.tidal_artists"] {
        assert_eq!(query_i64(&db, &format!("select count(*) from {table}")), 0, "{table}");
    }
    assert_eq!(query_i64(&db, "select count(*) from intermediate.release_items where provider = 'tidal'"), 0);
    assert!(query_i64(&db, "select count(*) from staging.deezer_albums") > 0, "Deezer goes on without TIDAL");
}

/// Keys TIDAL's recordings have that the simulator leaves out, each with why: (the
/// check, the keys' paths, each with what is below it, why).
const SIM_LACKS: &[(&str, &[&str], &str)] = &[(
    "tidal /albums?filter[id] (SE)",
    &[".data[0].relationships.priceConfig", ".data[0].relationships.replacement", ".data[0].relationships.usageRules"],
    "relationships liner neither includes nor follows",
)];

/// The simulator's TIDAL answers against the recordings, both ways: an album with its
/// items and artists, a page of an album's items, a video.
#[test]
fn the_simulated_tidal_answers_have_the_real_shapes() {
    use liner_extract::request::Request;

    use crate::sim_shapes::{get, real, shape_problems_by};

    let sim = crate::common::sim(3, 40, 100);
    let view = sim.view("tidal");
    let album = view.releases.iter().flatten().max_by_key(|l| l.tracks.len()).expect("a TIDAL album");
    let albums = |include: &str, cc: &str| {
        Request::new("albums", "/albums")
            .param("filter[id]", &album.id)
            .param("include", include)
            .param("countryCode", cc)
    };
    // An album of more than one page of items, so its items relationship names the next.
    let paged = view
        .releases
        .iter()
        .flatten()
        .find(|l| {
            let body = get(
                &sim,
                "tidal",
                Request::new("albums", "/albums")
                    .param("filter[id]", &l.id)
                    .param("include", "items")
                    .param("countryCode", "US"),
            );
            body["data"][0]["relationships"]["items"]["links"]["next"].is_string()
        })
        .expect("an album of more than one page of items");
    let checks = [
        // The SE recording is the newest shape (albumType, copyright as `{text}`).
        (
            "tidal /albums?filter[id] (SE)",
            get(&sim, "tidal", albums("artists,coverArt,items.artists,providers", "SE")),
            real("tidal/v2_albums_filter_SE_made-of-music.json"),
        ),
        (
            "tidal /albums/{id}/relationships/items",
            get(
                &sim,
                "tidal",
                Request::new("album_items", format!("/albums/{}/relationships/items", paged.id))
                    .param("include", "items.artists")
                    .param("countryCode", "US"),
            ),
            real("tidal/v2_albums_396698918_relationships_items_cursor-3nI1Esi.json"),
        ),
    ];
    let problems = shape_problems_by(SIM_LACKS, checks.iter().map(|(w, s, r)| (*w, s, r)));
    assert!(problems.is_empty(), "the TIDAL simulator drifted from the recordings:\n{}", problems.join("\n"));
}

/// Lookups, as enrichment and `liner extract --upc/--isrc` ask them: an album by its
/// barcode given as a UPC-A, a track by its ISRC; the album lands whole, with its items
/// past the first page.
#[test]
fn tidal_finds_an_album_by_barcode_and_a_track_by_isrc() {
    let sim = sim();
    let project = project(&sim, SECRET, "");
    let view = sim.view("tidal");
    let album = view
        .releases
        .iter()
        .flatten()
        .find(|l| l.barcode.as_deref().and_then(gtin14).is_some_and(|g| g.starts_with("00")))
        .expect("a TIDAL album with a UPC-A barcode");
    let upc = album.barcode.as_deref().and_then(gtin14).unwrap()[2..].to_string();
    let track = view
        .releases
        .iter()
        .flatten()
        .filter(|l| l.id != album.id)
        .flat_map(|l| &l.tracks)
        .find(|t| t.isrc.is_some())
        .expect("a TIDAL track with an ISRC");
    let wanted_isrc = track.isrc.as_deref().and_then(isrc).unwrap();
    let out = project.ok(&["extract", "tidal", "--upc", &upc, "--isrc", &wanted_isrc]);
    assert!(!out.contains("failed:"), "{out}");
    project.ok(&["transform"]);
    let db = project.warehouse();
    assert!(
        query_strings(&db, "select album_id from staging.tidal_albums").contains(&album.id),
        "the album found by its barcode"
    );
    assert_eq!(
        query_i64(&db, &format!("select count(*) from staging.tidal_tracks where album_id = '{}'", album.id)),
        album.tracks.len() as i64,
        "the album found lands whole, its items past the first page too"
    );
    assert!(
        query_strings(&db, &format!("select track_id from staging.tidal_tracks where isrc = '{wanted_isrc}'"))
            .contains(&track.id),
        "the track found by its ISRC"
    );
}

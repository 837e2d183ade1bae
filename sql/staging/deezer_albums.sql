-- model: staging.deezer_albums
-- key: album_id
-- assert: not_null(title)
-- One row per Deezer album: its own page (GET /album/<id>), else its entry in an
-- artist's album list (no UPC, label or track count there).
-- Deezer reports errors inside 200 bodies: those are skipped. Each body is parsed
-- once, into only the fields read here (a body carries its whole tracklist: parsing it
-- per field, or ordering whole bodies, is what made this model slow at a million albums).
-- merge: by whole, then newest
-- Each field from the album's own page if it has it (`whole`), then from the newest
-- listing, so an album listed after its page was read keeps the page's UPC, label and
-- track count, whatever order the answers landed in.
with parsed as materialized (
    select
        -- try: a body that is not JSON is skipped, not fatal.
        try(from_json(body, '{"id": "VARCHAR", "title": "VARCHAR", "upc": "VARCHAR", "label": "VARCHAR",
            "release_date": "VARCHAR", "record_type": "VARCHAR", "nb_tracks": "VARCHAR", "duration": "VARCHAR",
            "fans": "VARCHAR", "explicit_lyrics": "VARCHAR", "artist": {"id": "VARCHAR", "name": "VARCHAR"}, "contributors": [{"name": "VARCHAR"}],
            "error": "JSON"}')) as a,
        fetched_at, raw_file
    from raw.deezer_albums
    where status = 200
),
listed as (
    select
        try_cast(params ->> 'id' as bigint) as artist_id,
        unnest(from_json(json_extract(body, '$.data'), '[{"id": "VARCHAR", "title": "VARCHAR",
            "release_date": "VARCHAR", "record_type": "VARCHAR", "fans": "VARCHAR",
            "explicit_lyrics": "VARCHAR"}]')) as a,
        fetched_at, raw_file
    from answers.deezer_artist_albums
    where json_type(body, '$.data') = 'ARRAY'
)
select
    try_cast(a.id as bigint) as album_id,
    a.title,
    nullif(a.upc, '') as upc,
    norm_gtin(a.upc) as gtin,
    a.label,
    a.release_date,
    a.record_type,
    try_cast(a.nb_tracks as integer) as track_count,
    try_cast(a.duration as integer) as duration_s,
    try_cast(a.artist.id as bigint) as artist_id,
    a.artist.name as artist_name,
    array_to_string(list_transform(a.contributors, lambda c: c.name), ', ') as contributors,
    try_cast(a.fans as bigint) as fans,
    try_cast(a.explicit_lyrics as boolean) as explicit,
    fetched_at, raw_file, 1 as whole
from parsed
where a is not null and a.error is null and a.id is not null
union all
select
    try_cast(a.id as bigint), a.title, null, null, null, a.release_date, a.record_type, null, null,
    artist_id, null, null, try_cast(a.fans as bigint), try_cast(a.explicit_lyrics as boolean), fetched_at, raw_file, 0
from listed
where a.id is not null

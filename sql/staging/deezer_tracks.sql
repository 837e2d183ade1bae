-- model: staging.deezer_tracks
-- key: track_id
-- assert: not_null(album_id, title)
-- One row per Deezer track, from GET /album/<id>/tracks (the listing that carries
-- ISRCs; the album id is not in the body, only in the request) and from track lookups
-- such as /track/isrc:<isrc> (which name their album, and carry the BPM).
-- merge: newest
with pages as (
    select
        body,
        fetched_at, raw_file,
        try_cast(params ->> 'id' as bigint) as album_id
    from answers.deezer_album_tracks
),
tracks as (
    select album_id, unnest(json_extract(body, '$.data[*]')) as t, fetched_at, raw_file
    from pages
    union all
    select try_cast(json_extract_string(body, '$.album.id') as bigint), body::json, fetched_at, raw_file
    from answers.deezer_tracks
)
select
    try_cast(t ->> 'id' as bigint) as track_id,
    album_id,
    try_cast(t ->> 'disk_number' as integer) as disk_number,
    try_cast(t ->> 'track_position' as integer) as position,
    t ->> 'title' as title,
    t ->> 'title_short' as title_short,
    nullif(t ->> 'title_version', '') as title_version,
    nullif(t ->> 'isrc', '') as isrc_raw,
    norm_isrc(t ->> 'isrc') as isrc,
    try_cast(t ->> 'duration' as integer) as duration_s,
    json_extract_string(t, '$.artist.name') as artist_name,
    try_cast(t ->> 'rank' as bigint) as rank,
    -- Track lookups only; 0 when Deezer does not know it.
    nullif(try_cast(t ->> 'bpm' as double), 0) as bpm,
    try_cast(t ->> 'explicit_lyrics' as boolean) as explicit,
    fetched_at, raw_file
from tracks

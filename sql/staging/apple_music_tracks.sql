-- model: staging.apple_music_tracks
-- key: song_id
-- assert: not_null(title)
-- One row per Apple Music song, from the tracks of album responses, ISRC lookups, the
-- charts and catalog searches. A song names its album only in its URL (`/album/<slug>/<id>?i=<song>`).
-- merge: newest
with songs as (
    select unnest(json_extract(body, '$.data[*].relationships.tracks.data[*]')) as s, fetched_at, raw_file
    from answers.apple_music_albums
    union all
    select unnest(json_extract(body, '$.data[*].relationships.tracks.data[*]')), fetched_at, raw_file
    from answers.apple_music_upc_search
    union all
    select unnest(json_extract(body, '$.data[*]')), fetched_at, raw_file
    from answers.apple_music_isrc_search
    union all
    select unnest(json_extract(body, '$.results.songs[*].data[*]')), fetched_at, raw_file
    from answers.apple_music_charts
    union all
    select unnest(json_extract(body, '$.results.songs.data[*]')), fetched_at, raw_file
    from answers.apple_music_catalog_search
)
select
    s ->> 'id' as song_id,
    nullif(regexp_extract(json_extract_string(s, '$.attributes.url'), '/album/[^/]*/([0-9]+)', 1), '') as album_id,
    try_cast(json_extract_string(s, '$.attributes.discNumber') as integer) as disc_number,
    try_cast(json_extract_string(s, '$.attributes.trackNumber') as integer) as position,
    json_extract_string(s, '$.attributes.name') as title,
    json_extract_string(s, '$.attributes.artistName') as artist_name,
    json_extract_string(s, '$.attributes.albumName') as album_name,
    try_cast(json_extract_string(s, '$.attributes.durationInMillis') as integer) as duration_ms,
    json_extract_string(s, '$.attributes.isrc') as isrc_raw,
    norm_isrc(json_extract_string(s, '$.attributes.isrc')) as isrc,
    json_extract_string(s, '$.attributes.releaseDate') as release_date,
    -- Apple's RIAA rating: `explicit` or `clean`; no key is no rating (null here).
    case json_extract_string(s, '$.attributes.contentRating') when 'explicit' then true when 'clean' then false end as explicit,
    fetched_at, raw_file
from songs
where s ->> 'id' is not null

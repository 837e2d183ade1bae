-- model: staging.spotify_tracks
-- key: track_id
-- assert: not_null(title)
-- One row per Spotify track, from every response that lists tracks: the album's first
-- page, album track pages, track lookups and ISRC searches. Only full track objects
-- (lookups, searches: `whole`) carry the ISRC.
-- merge: by whole, then newest
with listed as (
    select body ->> 'id' as album_id, unnest(json_extract(body, '$.tracks.items[*]')) as t, fetched_at, raw_file, 0 as whole
    from answers.spotify_albums
    union all
    select params ->> 'album_id', unnest(json_extract(body, '$.items[*]')), fetched_at, raw_file, 0
    from answers.spotify_album_tracks
    union all
    select json_extract_string(body, '$.album.id'), body::json, fetched_at, raw_file, 1
    from answers.spotify_tracks
    where body ->> 'id' is not null
    union all
    select json_extract_string(t, '$.album.id'), t, fetched_at, raw_file, 1
    from (
        select unnest(json_extract(body, '$.tracks.items[*]')) as t, fetched_at, raw_file
        from answers.spotify_track_search
    )
)
select
    t ->> 'id' as track_id,
    album_id,
    try_cast(t ->> 'disc_number' as integer) as disc_number,
    try_cast(t ->> 'track_number' as integer) as position,
    t ->> 'name' as title,
    try_cast(t ->> 'duration_ms' as integer) as duration_ms,
    json_extract_string(t, '$.artists[0].id') as artist_id,
    array_to_string(json_extract_string(t, '$.artists[*].name'), ', ') as artist_credit,
    json_extract_string(t, '$.external_ids.isrc') as isrc_raw,
    norm_isrc(json_extract_string(t, '$.external_ids.isrc')) as isrc,
    try_cast(t ->> 'explicit' as boolean) as explicit,
    fetched_at, raw_file, whole
from listed
where t ->> 'id' is not null

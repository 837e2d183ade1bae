-- model: staging.tidal_items
-- materialized: view
-- TIDAL's tracks and videos (`type` tracks or videos) as every answer has them, in the
-- columns staging.tidal_tracks and staging.tidal_videos keep: one row per object and
-- answer, each read alike (a video has a `releaseDate` of its own, a track none). An
-- album's answers place an item (`whole`): its album, `volume_number` and
-- `track_number` from the album's items' `meta`.
select
    type,
    resource,
    id,
    album_id,
    volume_number,
    track_number,
    attributes ->> 'title' as title,
    nullif(attributes ->> 'version', '') as version,
    nullif(attributes ->> 'isrc', '') as isrc_raw,
    norm_isrc(attributes ->> 'isrc') as isrc,
    duration_ms,
    nullif(attributes ->> 'releaseDate', '') as release_date,
    try_cast(attributes ->> 'explicit' as boolean) as explicit,
    try_cast(attributes ->> 'popularity' as double) as popularity,
    copyright,
    url,
    artist_id,
    artist_credit,
    fetched_at,
    raw_file,
    (track_number is not null)::integer as whole
from staging.tidal_resources
where type in ('tracks', 'videos')

-- model: staging.itunes_tracks
-- key: track_id
-- assert: not_null(title)
-- One row per iTunes track, from song lookups: position, disc, length, and the
-- collection it belongs to. Deluxe albums carry music videos among their tracks
-- (`kind` 'music-video'); they count in the album's trackCount. No ISRC: iTunes does
-- not give one.
-- merge: newest
with results as (
    select unnest(json_extract(body, '$.results[*]')) as r, fetched_at, raw_file
    from answers.itunes_album_songs
    union all
    select unnest(json_extract(body, '$.results[*]')), fetched_at, raw_file
    from answers.itunes_upc_lookup
)
select
    try_cast(r ->> 'trackId' as bigint) as track_id,
    r ->> 'kind' as kind,
    try_cast(r ->> 'collectionId' as bigint) as collection_id,
    try_cast(r ->> 'discNumber' as integer) as disc_number,
    try_cast(r ->> 'trackNumber' as integer) as position,
    r ->> 'trackName' as title,
    r ->> 'artistName' as artist_name,
    try_cast(r ->> 'trackTimeMillis' as integer) as duration_ms,
    try_cast(r ->> 'releaseDate' as timestamp)::date as release_date,
    -- `explicit`, `cleaned` (an edited version) or `notExplicit`.
    case r ->> 'trackExplicitness' when 'explicit' then true when 'cleaned' then false when 'notExplicit' then false end as explicit,
    fetched_at, raw_file
from results
where r ->> 'wrapperType' = 'track'

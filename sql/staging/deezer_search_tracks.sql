-- model: staging.deezer_search_tracks
-- key: query, track_id
-- Tracks that Deezer's track search offered, per query, with their album: candidates
-- for linking (search hits carry no ISRC).
with pages as (
    select params ->> 'q' as query, body, fetched_at
    from answers.deezer_track_search
),
hits as (
    select query, unnest(json_extract(body, '$.data[*]')) as t, generate_subscripts(json_extract(body, '$.data[*]'), 1) as place, fetched_at
    from pages
)
select
    query,
    try_cast(t ->> 'id' as bigint) as track_id,
    min(place) as best_place,
    any_value(t ->> 'title') as title,
    any_value(json_extract_string(t, '$.artist.name')) as artist_name,
    any_value(try_cast(json_extract_string(t, '$.album.id') as bigint)) as album_id,
    any_value(json_extract_string(t, '$.album.title')) as album_title,
    any_value(try_cast(t ->> 'duration' as integer)) as duration_s,
    max(fetched_at) as fetched_at
from hits
group by all

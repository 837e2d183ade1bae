-- model: staging.deezer_search_albums
-- key: query, album_id
-- Albums that Deezer's album search offered, per query: candidates for linking, not
-- catalog rows (no UPC, no tracks). The query is the request's, as sent.
with pages as (
    select params ->> 'q' as query, body, fetched_at
    from answers.deezer_album_search
),
hits as (
    select query, unnest(json_extract(body, '$.data[*]')) as a, generate_subscripts(json_extract(body, '$.data[*]'), 1) as place, fetched_at
    from pages
)
select
    query,
    try_cast(a ->> 'id' as bigint) as album_id,
    min(place) as best_place,
    any_value(a ->> 'title') as title,
    any_value(json_extract_string(a, '$.artist.name')) as artist_name,
    any_value(try_cast(a ->> 'nb_tracks' as integer)) as track_count,
    any_value(a ->> 'record_type') as record_type,
    max(fetched_at) as fetched_at
from hits
group by all

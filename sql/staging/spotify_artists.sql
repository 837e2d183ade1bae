-- model: staging.spotify_artists
-- key: artist_id
-- merge: newest row
-- assert: not_null(name)
-- One row per Spotify artist found by search. Development-mode apps get no followers
-- and no popularity, and genres come back empty since 2026.
with hits as (
    select unnest(json_extract(body, '$.artists.items[*]')) as a, fetched_at
    from answers.spotify_artist_search
)
select
    a ->> 'id' as artist_id,
    a ->> 'name' as name,
    try_cast(json_extract_string(a, '$.followers.total') as bigint) as followers,
    try_cast(a ->> 'popularity' as integer) as popularity,
    nullif(array_to_string(json_extract_string(a, '$.genres[*]'), ', '), '') as genres,
    fetched_at
from hits

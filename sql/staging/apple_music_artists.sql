-- model: staging.apple_music_artists
-- key: artist_id
-- merge: newest row
-- assert: not_null(name)
-- One row per Apple Music artist found by search.
with hits as (
    select unnest(json_extract(body, '$.results.artists.data[*]')) as a, fetched_at
    from answers.apple_music_artist_search
)
select
    a ->> 'id' as artist_id,
    json_extract_string(a, '$.attributes.name') as name,
    array_to_string(json_extract_string(a, '$.attributes.genreNames[*]'), ', ') as genres,
    json_extract_string(a, '$.attributes.url') as url,
    fetched_at
from hits

-- model: staging.spotify_new_releases
-- key: position, fetched_at
-- assert: not_null(album_id)
-- Spotify's new releases (GET /browse/new-releases: a paging object wrapped in
-- `albums`), every snapshot; `is_latest` marks the newest. Simplified albums: no UPC.
with pages as (
    select json_extract(body, '$.albums') as p, fetched_at
    from answers.spotify_new_releases
    where json_exists(body, '$.albums.items')
),
entries as (
    select
        unnest(json_extract(p, '$.items[*]')) as a,
        coalesce(try_cast(p ->> 'offset' as integer), 0) + generate_subscripts(json_extract(p, '$.items[*]'), 1) as position,
        fetched_at
    from pages
)
select
    position,
    a ->> 'id' as album_id,
    a ->> 'name' as title,
    a ->> 'album_type' as album_type,
    array_to_string(json_extract_string(a, '$.artists[*].name'), ', ') as artist_credit,
    a ->> 'release_date' as release_date,
    try_cast(a ->> 'total_tracks' as integer) as track_count,
    fetched_at,
    fetched_at = max(fetched_at) over () as is_latest
from entries
where a ->> 'id' is not null

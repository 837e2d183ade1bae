-- model: staging.tidal_artists
-- key: artist_id
-- merge: newest row
-- assert: not_null(name)
-- One row per TIDAL artist, from every answer that includes one: a search's hits and
-- the artists an album, its items or a track relate. `popularity` is TIDAL's own:
-- 0 to 1 in newer answers, 0 to 100 in older ones (Bruno Mars 96.0 in the GB
-- recording), so only an answer's newest row is kept, never mixed.
select
    id as artist_id,
    attributes ->> 'name' as name,
    try_cast(attributes ->> 'popularity' as double) as popularity,
    url,
    fetched_at
from staging.tidal_resources
where type = 'artists'

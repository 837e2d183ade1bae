-- model: staging.deezer_chart_entries
-- key: list, position, fetched_at
-- assert: not_null(item_id)
-- The album and track charts and editorial new releases, every snapshot (they are
-- fetched anew every run): `is_latest` marks the newest of each list. Position is the
-- chart's, or the place in the list.
with lists as (
    select 'chart_albums:' || (params ->> 'genre') as list, body, fetched_at, 1 as rank from answers.deezer_chart_albums
    union all
    select 'chart_tracks:' || (params ->> 'genre'), body, fetched_at, 1 from answers.deezer_chart_tracks
    union all
    -- /chart/<genre> holds every chart at once, each as {data, total}; where the chart's
    -- own endpoint was read at the same moment (recordings ingested together), that wins.
    select 'chart_albums:' || (params ->> 'genre'), json_extract(body, '$.albums')::varchar, fetched_at, 2 from answers.deezer_charts
    where json_exists(body, '$.albums.data')
    union all
    select 'chart_tracks:' || (params ->> 'genre'), json_extract(body, '$.tracks')::varchar, fetched_at, 2 from answers.deezer_charts
    where json_exists(body, '$.tracks.data')
    union all
    select 'editorial_releases:' || (params ->> 'genre'), body, fetched_at, 1 from answers.deezer_editorial_releases
),
entries as (
    select list, unnest(json_extract(body, '$.data[*]')) as e, generate_subscripts(json_extract(body, '$.data[*]'), 1) as place, fetched_at, rank
    from lists
    qualify rank = min(rank) over (partition by list, fetched_at)
)
select
    list,
    coalesce(try_cast(e ->> 'position' as integer), place) as position,
    try_cast(e ->> 'id' as bigint) as item_id,
    e ->> 'title' as title,
    json_extract_string(e, '$.artist.name') as artist_name,
    try_cast(json_extract_string(e, '$.album.id') as bigint) as album_id,
    e ->> 'release_date' as release_date,
    fetched_at,
    fetched_at = max(fetched_at) over (partition by list) as is_latest
from entries

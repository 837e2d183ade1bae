-- model: staging.deezer_chart_entries
-- key: list, position
-- assert: not_null(item_id)
-- The newest album and track charts and editorial new releases: what is popular and
-- new now, fetched anew every run. Position is the chart's, or the place in the list.
with lists as (
    select 'chart_albums:' || regexp_extract(request_key, '/chart/([0-9]+)/', 1) as list, body, fetched_at from raw.deezer_chart_albums
    where status = 200 and json_valid(body) and json_extract(body, '$.error') is null
    union all
    select 'chart_tracks:' || regexp_extract(request_key, '/chart/([0-9]+)/', 1), body, fetched_at from raw.deezer_chart_tracks
    where status = 200 and json_valid(body) and json_extract(body, '$.error') is null
    union all
    select 'editorial_releases:' || regexp_extract(request_key, '/editorial/([0-9]+)/', 1), body, fetched_at from raw.deezer_editorial_releases
    where status = 200 and json_valid(body) and json_extract(body, '$.error') is null
),
newest as (
    select * from lists qualify row_number() over (partition by list order by fetched_at desc) = 1
),
entries as (
    select list, unnest(json_extract(body, '$.data[*]')) as e, generate_subscripts(json_extract(body, '$.data[*]'), 1) as place, fetched_at
    from newest
)
select
    list,
    coalesce(try_cast(e ->> 'position' as integer), place) as position,
    try_cast(e ->> 'id' as bigint) as item_id,
    e ->> 'title' as title,
    json_extract_string(e, '$.artist.name') as artist_name,
    try_cast(json_extract_string(e, '$.album.id') as bigint) as album_id,
    e ->> 'release_date' as release_date,
    fetched_at
from entries

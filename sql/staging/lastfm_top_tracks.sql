-- model: staging.lastfm_top_tracks
-- key: list, rank
-- merge: newest row
-- assert: not_null(title)
-- Ranked lists from Last.fm, newest fetch of each: a user's top tracks
-- (`user:<name>`), a user's weekly chart (`user-week:<name>`), an artist's
-- (`artist:<name>`) and the global chart (`chart`). Chart entries carry no rank: it is
-- their place on the page. A list of one comes as an object, not an array; a user's
-- lists name the artist under `#text`, the others under `name`.
with pages as (
    select 'user:' || json_extract_string(body, '$.toptracks."@attr".user') as list, json_extract(body, '$.toptracks') as l, fetched_at
    from answers.lastfm_user_top_tracks
    union all
    select 'artist:' || json_extract_string(body, '$.toptracks."@attr".artist'), json_extract(body, '$.toptracks'), fetched_at
    from answers.lastfm_artist_top_tracks
    union all
    select 'user-week:' || json_extract_string(body, '$.weeklytrackchart."@attr".user'), json_extract(body, '$.weeklytrackchart'), fetched_at
    from answers.lastfm_user_weekly_track_chart
    union all
    select 'chart', json_extract(body, '$.tracks'), fetched_at
    from answers.lastfm_chart_top_tracks
),
lists as (
    select
        list,
        case json_type(l, '$.track')
            when 'ARRAY' then json_extract(l, '$.track[*]')
            when 'OBJECT' then [json_extract(l, '$.track')]
            else []
        end as tracks,
        coalesce(try_cast(json_extract_string(l, '$."@attr".page') as integer), 1) as page,
        coalesce(try_cast(json_extract_string(l, '$."@attr".perPage') as integer), 50) as per_page,
        fetched_at
    from pages
),
tracks as (
    select list, unnest(tracks) as t, generate_subscripts(tracks, 1) as place, page, per_page, fetched_at from lists
)
select
    list,
    coalesce(try_cast(json_extract_string(t, '$."@attr".rank') as integer), (page - 1) * per_page + place) as rank,
    t ->> 'name' as title,
    coalesce(json_extract_string(t, '$.artist.name'), json_extract_string(t, '$.artist."#text"')) as artist_name,
    nullif(t ->> 'mbid', '') as recording_mbid,
    try_cast(t ->> 'playcount' as bigint) as playcount,
    try_cast(t ->> 'listeners' as bigint) as listeners,
    t ->> 'url' as url,
    fetched_at
from tracks

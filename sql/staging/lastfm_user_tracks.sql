-- model: staging.lastfm_user_tracks
-- key: user_name, source, title, artist_name, played_at
-- merge: newest row
-- assert: not_null(title)
-- What a Last.fm user listened to: recent scrobbles (`recent`, each with its time) and
-- the library (`library`, with play counts). Both are landed by `liner ingest`. A list
-- of one comes as an object; an empty one leaves the list out ("#text": "\n"); the
-- artist and album names sit under `#text` in scrobbles and under `name` in the library.
with lists as (
    select 'recent' as source, json_extract(body, '$.recenttracks') as l, fetched_at
    from answers.lastfm_user_recent_tracks
    union all
    select 'library', json_extract(body, '$.tracks'), fetched_at
    from answers.lastfm_library_tracks
),
tracks as (
    select
        source,
        json_extract_string(l, '$."@attr".user') as user_name,
        unnest(case json_type(l, '$.track')
            when 'ARRAY' then json_extract(l, '$.track[*]')
            when 'OBJECT' then [json_extract(l, '$.track')]
            else []
        end) as t,
        fetched_at
    from lists
)
select
    user_name,
    source,
    t ->> 'name' as title,
    coalesce(json_extract_string(t, '$.artist.name'), json_extract_string(t, '$.artist."#text"')) as artist_name,
    nullif(coalesce(json_extract_string(t, '$.album.name'), json_extract_string(t, '$.album."#text"')), '') as album_title,
    nullif(t ->> 'mbid', '') as recording_mbid,
    coalesce(to_timestamp(try_cast(json_extract_string(t, '$.date.uts') as bigint)), '1970-01-01'::timestamptz) as played_at,
    try_cast(t ->> 'playcount' as bigint) as playcount,
    nullif(try_cast(t ->> 'duration' as integer), 0) as duration_ms,
    t ->> 'url' as url,
    fetched_at
from tracks
where t ->> 'name' is not null

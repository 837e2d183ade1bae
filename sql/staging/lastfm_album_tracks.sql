-- model: staging.lastfm_album_tracks
-- key: album_url, position
-- assert: not_null(title)
-- The tracklist of each Last.fm album: a list of one track is an object; `@attr.rank`
-- is the position; `duration` is seconds, a number or a string, sometimes null.
with albums as (
    select
        json_extract_string(body, '$.album.url') as album_url,
        case json_type(body, '$.album.tracks.track')
            when 'ARRAY' then json_extract(body, '$.album.tracks.track[*]')
            when 'OBJECT' then [json_extract(body, '$.album.tracks.track')]
            else []
        end as tracks,
        fetched_at
    from answers.lastfm_albums
    qualify row_number() over (partition by json_extract_string(body, '$.album.url') order by fetched_at desc) = 1
),
tracks as (
    select album_url, unnest(tracks) as t, generate_subscripts(tracks, 1) as ordinal from albums
)
select
    album_url,
    coalesce(try_cast(json_extract_string(t, '$."@attr".rank') as integer), ordinal) as position,
    t ->> 'name' as title,
    try_cast(json_extract_string(t, '$.duration') as integer) as duration_s,
    json_extract_string(t, '$.artist.name') as artist_name,
    nullif(json_extract_string(t, '$.artist.mbid'), '') as artist_mbid,
    t ->> 'url' as url
from tracks

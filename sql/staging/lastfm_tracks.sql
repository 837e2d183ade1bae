-- model: staging.lastfm_tracks
-- key: url
-- merge: newest row
-- assert: not_null(title)
-- One row per Last.fm track looked up with track.getInfo: listeners, plays and tags
-- (what Last.fm adds to a catalog), and an MBID when Last.fm knows the recording.
-- Its duration is milliseconds, as a string.
select
    json_extract_string(body, '$.track.url') as url,
    json_extract_string(body, '$.track.name') as title,
    json_extract_string(body, '$.track.artist.name') as artist_name,
    nullif(json_extract_string(body, '$.track.mbid'), '') as recording_mbid,
    json_extract_string(body, '$.track.album.title') as album_title,
    nullif(try_cast(json_extract_string(body, '$.track.duration') as integer), 0) as duration_ms,
    try_cast(json_extract_string(body, '$.track.listeners') as bigint) as listeners,
    try_cast(json_extract_string(body, '$.track.playcount') as bigint) as playcount,
    nullif(array_to_string(list_transform(
        case json_type(body, '$.track.toptags.tag')
            when 'ARRAY' then json_extract(body, '$.track.toptags.tag[*]')
            when 'OBJECT' then [json_extract(body, '$.track.toptags.tag')]
            else []
        end,
        lambda t: t ->> 'name'
    ), ', '), '') as tags,
    fetched_at, raw_file
from answers.lastfm_tracks
    where json_extract_string(body, '$.track.url') is not null

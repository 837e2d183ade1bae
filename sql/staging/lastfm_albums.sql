-- model: staging.lastfm_albums
-- key: url
-- merge: newest row
-- assert: not_null(title)
-- One row per Last.fm album (album.getInfo). Last.fm names albums by artist and title;
-- its URL is the only stable key, and `mbid`, when not "", is a MusicBrainz release.
-- Counts come as strings; a list of one tag is an object, none is "".
select
    json_extract_string(body, '$.album.url') as url,
    json_extract_string(body, '$.album.name') as title,
    json_extract_string(body, '$.album.artist') as artist_name,
    nullif(json_extract_string(body, '$.album.mbid'), '') as release_mbid,
    try_cast(json_extract_string(body, '$.album.listeners') as bigint) as listeners,
    try_cast(json_extract_string(body, '$.album.playcount') as bigint) as playcount,
    nullif(array_to_string(list_transform(
        case json_type(body, '$.album.tags.tag')
            when 'ARRAY' then json_extract(body, '$.album.tags.tag[*]')
            when 'OBJECT' then [json_extract(body, '$.album.tags.tag')]
            else []
        end,
        lambda t: t ->> 'name'
    ), ', '), '') as tags,
    case json_type(body, '$.album.tracks.track')
        when 'ARRAY' then json_array_length(body, '$.album.tracks.track')
        when 'OBJECT' then 1
        else 0
    end as track_count,
    fetched_at, raw_file
from answers.lastfm_albums
    where json_extract_string(body, '$.album.url') is not null
